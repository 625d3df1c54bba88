// The parts of Go's net/url and net that docker and the kubelet use to read the keys of a
// credentials file. WHATWG URLs (Node's `URL`) differ in ways that change which credential
// matches: they lowercase hosts, drop default ports (`https://host:443` loses its port) and
// reject `*` in hosts, which the kubelet's glob keys need. So the Go behaviour is rebuilt here
// for the URL shapes credential keys take (`scheme://[userinfo@]host[:port][/path]`).

export interface GoUrl {
  /** host[:port] as Go's `URL.Host` holds it: brackets kept, userinfo removed. */
  readonly host: string;
  /** Percent-decoded path, as Go's `URL.Path`. */
  readonly path: string;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
// Characters Go's url.Parse accepts in a host (`shouldEscape` with `encodeHost`), besides non-ASCII.
const HOST_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"\u0080-\uffff]*$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const OPTIONAL_PORT = /^(?::\d*)?$/;

/**
 * Go's `url.Parse` for `scheme://authority…`; `undefined` where Go returns an error (control
 * characters, a port that is not a number, a character a host cannot hold, a bad `%` escape).
 * A percent-escape in the host is treated as an error: Go allows only a few, and no registry
 * name needs one.
 */
export function parseGoUrl(raw: string): GoUrl | undefined {
  if (CONTROL_CHARACTER.test(raw)) return undefined;
  const scheme = SCHEME.exec(raw);
  if (scheme === null) return undefined;
  const rest = raw.slice(scheme[0].length);
  const authorityEnd = firstIndexOf(rest, '/?#');
  const authority = rest.slice(0, authorityEnd);
  const afterAuthority = rest.slice(authorityEnd);
  const rawPath = afterAuthority.slice(0, firstIndexOf(afterAuthority, '?#'));
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (!isValidGoHost(host)) return undefined;
  const path = percentDecode(rawPath);
  return path === undefined ? undefined : { host, path };
}

function isValidGoHost(host: string): boolean {
  if (!HOST_CHARACTERS.test(host)) return false;
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    return close >= 0 && OPTIONAL_PORT.test(host.slice(close + 1));
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 || OPTIONAL_PORT.test(host.slice(colon));
}

function firstIndexOf(text: string, characters: string): number {
  for (let index = 0; index < text.length; index += 1) {
    if (characters.includes(text[index]!)) return index;
  }
  return text.length;
}

function percentDecode(text: string): string | undefined {
  if (!text.includes('%')) return text;
  if (/%(?![0-9a-fA-F]{2})/.test(text)) return undefined;
  const bytes: number[] = [];
  for (let index = 0; index < text.length; ) {
    if (text[index] === '%') {
      bytes.push(Number.parseInt(text.slice(index + 1, index + 3), 16));
      index += 3;
    } else {
      const codePoint = text.codePointAt(index)!;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(char, 'utf8'));
      index += char.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Go's `URL.Hostname()` and `URL.Port()` of a `URL.Host`: the host without its port and without
 * IPv6 brackets, and the port. This is net/url's own split, more lenient than net.SplitHostPort.
 */
export function goUrlHostnameAndPort(hostPort: string): { readonly hostname: string; readonly port: string } {
  let hostname = hostPort;
  let port = '';
  const colon = hostname.lastIndexOf(':');
  if (colon >= 0 && OPTIONAL_PORT.test(hostname.slice(colon))) {
    port = hostname.slice(colon + 1);
    hostname = hostname.slice(0, colon);
  }
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  return { hostname, port };
}

/** Go's `net.JoinHostPort`. */
export function goJoinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Go's `net.SplitHostPort`, with its errors folded the way the kubelet folds them: on any error
 * the whole input is the host and the port is empty.
 */
export function goSplitHostPort(hostPort: string): { readonly host: string; readonly port: string } {
  const failed = { host: hostPort, port: '' };
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) return failed;
  let host: string;
  let afterHostStart: number;
  let portSearchStart: number;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    // The last colon must follow the closing bracket directly.
    if (close < 0 || close + 1 !== colon) return failed;
    host = hostPort.slice(1, close);
    afterHostStart = 1;
    portSearchStart = close + 1;
  } else {
    host = hostPort.slice(0, colon);
    if (host.includes(':')) return failed;
    afterHostStart = 0;
    portSearchStart = 0;
  }
  if (hostPort.slice(afterHostStart).includes('[') || hostPort.slice(portSearchStart).includes(']')) return failed;
  return { host, port: hostPort.slice(colon + 1) };
}
