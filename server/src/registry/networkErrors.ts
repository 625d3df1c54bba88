/**
 * What went wrong below HTTP, from the error codes Node.js and undici attach to a failed request
 * (directly, as a `cause`, or inside an `AggregateError` when several addresses were tried).
 * The result carries our own wording and the code, never the raw error text.
 */

export type NetworkProblem =
  | { readonly kind: 'unreachable' | 'timeout'; readonly code: string | undefined; readonly reason: string }
  | { readonly kind: 'tls'; readonly code: string; readonly reason: string; readonly unknownAuthority: boolean }
  /** A TLS handshake answered in plain HTTP: the server does not speak HTTPS on that port. */
  | { readonly kind: 'plain-http'; readonly code: string; readonly reason: string };

const UNREACHABLE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  EAI_FAIL: 'host name lookup failed',
  EAI_NONAME: 'host name not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
};

const TIMEOUT_REASONS: Readonly<Record<string, string>> = {
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
};

/** Certificate chains Node.js could not verify against the trusted authorities. */
const UNKNOWN_AUTHORITY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

const TLS_REASONS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  CERT_REVOKED: 'its certificate has been revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate does not name this host',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the TLS handshake failed (no common protocol or cipher)',
};

/** OpenSSL's view of a plain-HTTP answer ("HTTP/1.1 400 …") read as a TLS record. */
const PLAIN_HTTP_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

export function classifyNetworkError(error: unknown): NetworkProblem {
  const code = errorCode(error);
  if (code === undefined) return { kind: 'unreachable', code, reason: 'the connection failed' };
  if (PLAIN_HTTP_CODES.has(code)) return { kind: 'plain-http', code, reason: 'the server answered in plain HTTP, not TLS' };
  if (UNKNOWN_AUTHORITY_CODES.has(code)) {
    return { kind: 'tls', code, reason: 'its certificate is signed by an unknown authority', unknownAuthority: true };
  }
  const tlsReason = TLS_REASONS[code];
  if (tlsReason !== undefined) return { kind: 'tls', code, reason: tlsReason, unknownAuthority: false };
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_')) {
    return { kind: 'tls', code, reason: 'the TLS handshake failed', unknownAuthority: false };
  }
  const timeoutReason = TIMEOUT_REASONS[code];
  if (timeoutReason !== undefined) return { kind: 'timeout', code, reason: timeoutReason };
  return { kind: 'unreachable', code, reason: UNREACHABLE_REASONS[code] ?? 'the connection failed' };
}

/** The first error code on the error, its causes, or the errors it aggregates. */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const innerCode = errorCode(inner, depth + 1);
      if (innerCode !== undefined) return innerCode;
    }
  }
  return errorCode(cause, depth + 1);
}
