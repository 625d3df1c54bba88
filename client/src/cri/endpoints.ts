// CRI endpoints: what a user may write (`unix://`, `tcp://`, `ssh://`), and where a runtime is
// found when nothing is configured, in the order crictl looks (kubernetes-sigs/cri-tools
// cmd/crictl/main.go and main_unix.go, pkg/common/file.go).
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** A unix socket on this machine: how the kubelet and crictl reach a runtime. */
export interface UnixEndpoint {
  readonly kind: 'unix';
  /** Absolute path of the socket. */
  readonly socketPath: string;
}

/** Plain (insecure) gRPC over TCP: some runtimes can listen so, though the kubelet cannot use it. */
export interface TcpEndpoint {
  readonly kind: 'tcp';
  /** Host name or IP address; an IPv6 address without brackets. */
  readonly host: string;
  readonly port: number;
}

/** A unix socket on another machine, reached by forwarding it through the system `ssh` client. */
export interface SshEndpoint {
  readonly kind: 'ssh';
  /** Login name; `undefined` leaves it to ssh (its config, else the local user name). */
  readonly user: string | undefined;
  /** Host name, alias from the ssh config, or IP address; an IPv6 address without brackets. */
  readonly host: string;
  /** `undefined` leaves it to ssh (its config, else 22). */
  readonly port: number | undefined;
  /** Absolute path of the runtime's socket on that machine. */
  readonly socketPath: string;
}

export type CriEndpoint = UnixEndpoint | TcpEndpoint | SshEndpoint;

export type EndpointParseResult =
  | { readonly ok: true; readonly endpoint: CriEndpoint }
  | { readonly ok: false; readonly message: string };

const expectedForms = 'expected unix:///path/to.sock, tcp://host:port or ssh://[user@]host[:port]/path/to.sock';

// Deliberately narrower than what URLs allow: these strings end up as ssh arguments, where a
// leading `-` would be read as an option, and anything else has no business in a host name.
const hostName = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const ipv6Literal = /^\[([0-9A-Fa-f:.]+)\]$/;
const userName = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Parses an endpoint as written in a setting, an environment variable or crictl.yaml. Like the
 * kubelet, a bare absolute path means a unix socket. Never throws: bad input gives a message.
 */
export function parseEndpoint(text: string): EndpointParseResult {
  const value = text.trim();
  if (value === '') return problem(`the endpoint is empty; ${expectedForms}`);
  if (value.startsWith('/')) return parseUnix(value, value);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  const rest = value.slice((scheme?.length ?? 0) + 3);
  switch (scheme) {
    case 'unix':
      return parseUnix(rest, value);
    case 'tcp':
      return parseTcp(rest, value);
    case 'ssh':
      return parseSsh(rest, value);
    case 'npipe':
      return problem(`${value}: Windows named pipes are not supported; ${expectedForms}`);
    case undefined:
      return problem(`${value} is not an endpoint; ${expectedForms}`);
    default:
      return problem(`${value}: the scheme ${scheme}:// is not supported; ${expectedForms}`);
  }
}

/** The canonical spelling of an endpoint, which `parseEndpoint` reads back to the same value. */
export function formatEndpoint(endpoint: CriEndpoint): string {
  switch (endpoint.kind) {
    case 'unix':
      return `unix://${endpoint.socketPath}`;
    case 'tcp':
      return `tcp://${bracketed(endpoint.host)}:${endpoint.port}`;
    case 'ssh': {
      const user = endpoint.user === undefined ? '' : `${endpoint.user}@`;
      const port = endpoint.port === undefined ? '' : `:${endpoint.port}`;
      return `ssh://${user}${bracketed(endpoint.host)}${port}${endpoint.socketPath}`;
    }
  }
}

function parseUnix(path: string, original: string): EndpointParseResult {
  if (!path.startsWith('/')) {
    return problem(`${original}: a unix endpoint needs an absolute path, as in unix:///run/containerd/containerd.sock`);
  }
  const decoded = decodePath(path, original);
  return typeof decoded === 'string' ? { ok: true, endpoint: { kind: 'unix', socketPath: decoded } } : decoded;
}

function parseTcp(rest: string, original: string): EndpointParseResult {
  const authority = rest.endsWith('/') ? rest.slice(0, -1) : rest;
  if (/[/?#@]/.test(authority)) return problem(`${original}: a tcp endpoint is only host:port, as in tcp://127.0.0.1:10010`);
  const hostAndPort = splitHostPort(authority, original);
  if ('ok' in hostAndPort) return hostAndPort;
  if (hostAndPort.port === undefined) return problem(`${original}: a tcp endpoint needs a port, as in tcp://127.0.0.1:10010`);
  return { ok: true, endpoint: { kind: 'tcp', host: hostAndPort.host, port: hostAndPort.port } };
}

function parseSsh(rest: string, original: string): EndpointParseResult {
  const slash = rest.indexOf('/');
  if (slash < 0) {
    return problem(`${original}: an ssh endpoint needs the socket's absolute path on the node, as in ssh://user@node/run/containerd/containerd.sock`);
  }
  const authority = rest.slice(0, slash);
  const path = rest.slice(slash);
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? undefined : authority.slice(0, at);
  if (userInfo !== undefined && userInfo.includes(':')) {
    return problem(`${original}: passwords are not accepted in an endpoint; ssh authenticates with your keys or ssh-agent`);
  }
  if (userInfo !== undefined && !userName.test(userInfo)) {
    return problem(`${original}: "${userInfo}" is not a user name ssh would accept here`);
  }
  const hostAndPort = splitHostPort(authority.slice(at + 1), original);
  if ('ok' in hostAndPort) return hostAndPort;
  if (/[?#]/.test(path)) return problem(`${original}: an ssh endpoint cannot have a query or a fragment`);
  const socketPath = decodePath(path, original);
  if (typeof socketPath !== 'string') return socketPath;
  // OpenSSH's -L argument separates the two sockets with a colon and has no way to escape one.
  if (socketPath.includes(':')) return problem(`${original}: ssh cannot forward a socket whose path contains ":"`);
  return {
    ok: true,
    endpoint: { kind: 'ssh', user: userInfo, host: hostAndPort.host, port: hostAndPort.port, socketPath },
  };
}

function splitHostPort(
  authority: string,
  original: string,
): { host: string; port: number | undefined } | { ok: false; message: string } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::([^:]*))?$/.exec(authority);
  const [, rawHost = '', rawPort] = match ?? [];
  if (match === null || rawHost === '') return problem(`${original}: the host is missing or malformed`);
  const ipv6 = ipv6Literal.exec(rawHost)?.[1];
  if (ipv6 === undefined && !hostName.test(rawHost)) return problem(`${original}: "${rawHost}" is not a host name or IP address`);
  if (rawPort === undefined) return { host: ipv6 ?? rawHost, port: undefined };
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) return problem(`${original}: "${rawPort}" is not a port number (1-65535)`);
  return { host: ipv6 ?? rawHost, port };
}

function decodePath(path: string, original: string): string | { ok: false; message: string } {
  try {
    // Go's url.Parse, which the kubelet uses, decodes percent escapes in the path too.
    return decodeURIComponent(path);
  } catch {
    return problem(`${original}: the path has a malformed percent escape`);
  }
}

function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function problem(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

/** The default sockets crictl tries, in its order, when no endpoint is configured. */
export const defaultRuntimeSockets: readonly { readonly runtime: string; readonly socketPath: string }[] = [
  { runtime: 'containerd', socketPath: '/run/containerd/containerd.sock' },
  { runtime: 'CRI-O', socketPath: '/run/crio/crio.sock' },
  { runtime: 'cri-dockerd', socketPath: '/var/run/cri-dockerd.sock' },
];

/** crictl's configuration file, unless `CRI_CONFIG_FILE` names another. */
export const defaultCrictlConfigPath = '/etc/crictl.yaml';

/** What detection reads from the machine; tests pass their own. */
export interface DetectionHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The file's text, or `undefined` when it does not exist. Other failures throw. */
  readFile(path: string): string | undefined;
  /** True when something (a socket, normally) exists at the path. */
  exists(path: string): boolean;
}

export interface DetectedEndpoint {
  readonly endpoint: CriEndpoint;
  /** Where it came from, for people: `CONTAINER_RUNTIME_ENDPOINT`, `/etc/crictl.yaml (runtime-endpoint)`, … */
  readonly source: string;
}

export interface EndpointDetection {
  /** The runtime service; `undefined` when nothing is configured and no default socket exists. */
  readonly runtime: DetectedEndpoint | undefined;
  /** The image service: the runtime's endpoint unless one is configured for images apart. */
  readonly image: DetectedEndpoint | undefined;
  /** Configuration that was found but could not be used, each saying why. */
  readonly problems: readonly string[];
}

/**
 * Finds the CRI endpoints as crictl does: `CONTAINER_RUNTIME_ENDPOINT` and
 * `IMAGE_SERVICE_ENDPOINT` first, then `runtime-endpoint` and `image-endpoint` in crictl.yaml,
 * the image service defaulting to the runtime's endpoint; with neither configured, the first
 * default socket that exists (crictl tries to connect to each in turn; a socket we may not
 * connect to still names the runtime, and the client then explains the permission problem).
 * A configured value that does not parse is reported and not replaced by a default, because
 * crictl would fail on it rather than look elsewhere.
 */
export function detectEndpoints(host: DetectionHost): EndpointDetection {
  const problems: string[] = [];
  const config = readCrictlConfig(host, problems);

  const accept = (text: string, source: string): DetectedEndpoint | 'unusable' => {
    const parsed = parseEndpoint(text);
    if (parsed.ok) return { endpoint: parsed.endpoint, source };
    problems.push(`${source}: ${parsed.message}`);
    return 'unusable';
  };
  const configured = (variable: string, key: CrictlKey): DetectedEndpoint | 'unusable' | undefined => {
    const fromEnvironment = host.env[variable];
    if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') return accept(fromEnvironment, variable);
    const fromConfig = config?.values[key];
    if (config !== undefined && fromConfig !== undefined && fromConfig.trim() !== '') {
      return accept(fromConfig, `${config.path} (${key})`);
    }
    return undefined;
  };

  const runtimeSetting = configured('CONTAINER_RUNTIME_ENDPOINT', 'runtime-endpoint');
  const runtime = runtimeSetting === undefined ? firstDefaultSocket(host) : usable(runtimeSetting);
  const imageSetting = configured('IMAGE_SERVICE_ENDPOINT', 'image-endpoint');
  const image = imageSetting === undefined ? runtime : usable(imageSetting);
  return { runtime, image, problems };
}

function usable(setting: DetectedEndpoint | 'unusable'): DetectedEndpoint | undefined {
  return setting === 'unusable' ? undefined : setting;
}

function firstDefaultSocket(host: DetectionHost): DetectedEndpoint | undefined {
  for (const { runtime, socketPath } of defaultRuntimeSockets) {
    if (host.exists(socketPath)) return { endpoint: { kind: 'unix', socketPath }, source: `${runtime}'s default socket` };
  }
  return undefined;
}

type CrictlKey = 'runtime-endpoint' | 'image-endpoint';

// Every key crictl knows; any other makes crictl reject the whole file.
const crictlKeys = new Set(['runtime-endpoint', 'image-endpoint', 'timeout', 'debug', 'pull-image-on-create', 'disable-pull-on-run']);

/**
 * Reads crictl.yaml the way crictl does: a flat mapping of known keys. A file crictl would
 * refuse is reported and ignored, as crictl ignores it when the path was not given explicitly.
 */
function readCrictlConfig(
  host: DetectionHost,
  problems: string[],
): { path: string; values: Partial<Record<CrictlKey, string>> } | undefined {
  const explicitPath = host.env['CRI_CONFIG_FILE'];
  const path = explicitPath !== undefined && explicitPath !== '' ? explicitPath : defaultCrictlConfigPath;
  let text: string | undefined;
  try {
    text = host.readFile(path);
  } catch (error) {
    problems.push(`${path}: cannot be read (${errorCode(error)}); ignored`);
    return undefined;
  }
  if (text === undefined) return undefined;
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    problems.push(`${path}: not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ignored`);
    return undefined;
  }
  if (document === null || document === undefined) return { path, values: {} };
  if (typeof document !== 'object' || Array.isArray(document)) {
    problems.push(`${path}: not a mapping of crictl options; ignored`);
    return undefined;
  }
  const unknown = Object.keys(document).filter((key) => !crictlKeys.has(key));
  if (unknown.length > 0) {
    problems.push(`${path}: unknown option ${unknown.map((key) => `"${key}"`).join(', ')}, so crictl ignores the file, and so do we`);
    return undefined;
  }
  const values: Partial<Record<CrictlKey, string>> = {};
  for (const key of ['runtime-endpoint', 'image-endpoint'] as const) {
    const value: unknown = (document as Record<string, unknown>)[key];
    if (typeof value === 'string') values[key] = value;
    else if (value !== undefined && value !== null) problems.push(`${path}: ${key} is not a string; ignored`);
  }
  return { path, values };
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Detection against this machine: the process environment and the real file system. */
export const systemDetectionHost: DetectionHost = {
  env: process.env,
  readFile: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  exists: (path) => {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  },
};
