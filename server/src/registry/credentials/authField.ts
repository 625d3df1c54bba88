// The `auth` field of a docker config entry: base64 of `username:password`. docker and the kubelet
// decode it differently, and a credential that works for one may be rejected by the other, so
// each gets its own decoder, written after its upstream source.

export type DecodedAuth =
  | { readonly ok: true; readonly username: string; readonly password: string }
  | { readonly ok: false; readonly problem: string };

// Go's base64 decoders skip carriage returns and line feeds wherever they appear.
const LINE_BREAKS = /[\r\n]/g;
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UNPADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2,3})?$/;

const NOT_BASE64 = '"auth" is not valid base64';
const NO_COLON = '"auth" does not decode to username:password';

/**
 * docker/cli `decodeAuth` (cli/config/configfile/file.go): an empty field is no credentials;
 * otherwise standard padded base64, split at the first `:`, the username must not be empty, NUL
 * characters trimmed from both ends of the password.
 */
export function decodeDockerAuth(field: string): DecodedAuth {
  if (field === '') return { ok: true, username: '', password: '' };
  const decoded = decodeBase64(field, PADDED_BASE64);
  if (decoded === undefined) return { ok: false, problem: NOT_BASE64 };
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, problem: NO_COLON };
  if (colon === 0) return { ok: false, problem: '"auth" has an empty username' };
  return { ok: true, username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '') };
}

/**
 * The kubelet's `decodeDockerConfigFieldAuth` (pkg/credentialprovider/config.go): padded base64
 * when the field (trimmed) ends in `=`, unpadded otherwise; split at the first `:`; an empty
 * username is allowed.
 */
export function decodeKubeletAuth(field: string): DecodedAuth {
  const decoded = decodeBase64(field, field.trim().endsWith('=') ? PADDED_BASE64 : UNPADDED_BASE64);
  if (decoded === undefined) return { ok: false, problem: NOT_BASE64 };
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, problem: NO_COLON };
  return { ok: true, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// Buffer.from(…, 'base64') skips characters it does not know, where Go refuses the input; the
// grammar is checked first so that only what Go accepts is decoded.
function decodeBase64(field: string, grammar: RegExp): string | undefined {
  const compact = field.replace(LINE_BREAKS, '');
  if (!grammar.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}
