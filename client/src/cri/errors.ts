// Failures of CRI calls and ssh tunnels, turned into messages that say what happened and what
// the user can do about it. The usual first experience is a socket that a non-root user may not
// open, so that case reads the socket's real owner, group and mode.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { readFile, stat } from 'node:fs/promises';
import { formatEndpoint, type CriEndpoint, type SshEndpoint } from './endpoints';

export type CriErrorKind =
  /** No socket at the path: the runtime is not running, or the path is wrong. */
  | 'socket-missing'
  /** The socket (or a folder above it) is not open to this user. */
  | 'permission-denied'
  /** Nobody listens: a stale socket file, or a closed TCP port. */
  | 'connection-refused'
  /** Any other transport failure: a path that is not a socket, a broken connection, an unknown host, … */
  | 'unavailable'
  | 'deadline-exceeded'
  /** Cancelled through the call's signal, or made on a closed client. */
  | 'cancelled'
  /** The endpoint answers gRPC but not the CRI v1 services. */
  | 'not-cri-v1'
  /** The ssh client could not set up or keep the forward to the node's socket. */
  | 'ssh'
  /** The runtime answered with an error of its own (a failed pull, an unknown image, …). */
  | 'runtime';

export class CriError extends Error {
  override readonly name = 'CriError';

  constructor(
    readonly kind: CriErrorKind,
    message: string,
    /** The gRPC status code, when the failure came back from a call. */
    readonly grpcCode?: GrpcStatus,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What a failed call was about, so its message can name it. */
export interface CallFailureContext {
  readonly endpoint: CriEndpoint;
  /** The CRI method, e.g. `ListImages`. */
  readonly method: string;
  /** The call's deadline, `undefined` when it had none. */
  readonly timeoutMs: number | undefined;
  /** How the user changes the endpoint in this program, e.g. "set kubeImages.endpoints". */
  readonly endpointHint: string;
  /** Recent lines ssh wrote about the forward, for ssh:// endpoints. */
  readonly sshDiagnostics?: readonly string[];
}

/** What is at a socket's path: its type, owner, group and mode, or why they could not be read. */
export type SocketFacts =
  | { readonly readable: true; readonly isSocket: boolean; readonly owner: string; readonly group: string; readonly mode: number }
  | { readonly readable: false; readonly code: string };

/**
 * Explains a failed gRPC call. When a unix socket refused the connection it looks at the path:
 * to say which user or group may open the socket, or that the path is not a socket at all
 * (connecting to a regular file is refused like a socket nobody listens on).
 */
export async function explainCallFailure(error: ServiceError, context: CallFailureContext): Promise<CriError> {
  const socketPath = context.endpoint.kind === 'unix' ? context.endpoint.socketPath : undefined;
  const code = systemErrorCode(error.details);
  const facts =
    socketPath !== undefined && (code === 'EACCES' || code === 'ECONNREFUSED') ? await inspectSocket(socketPath) : undefined;
  return describeCallFailure(error, context, facts);
}

/** The pure half of `explainCallFailure`: the message for a failure and what is known of the socket. */
export function describeCallFailure(
  error: Pick<ServiceError, 'code' | 'details'>,
  context: CallFailureContext,
  socketFacts?: SocketFacts,
): CriError {
  const { endpoint, method } = context;
  const make = (kind: CriErrorKind, message: string): CriError =>
    new CriError(kind, message, error.code, { cause: error });
  const where = formatEndpoint(endpoint);

  switch (error.code) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return make(
        'deadline-exceeded',
        `${where} did not answer ${method} within ${formatDuration(context.timeoutMs)} — the runtime may be overloaded or hung; try again`,
      );
    case GrpcStatus.CANCELLED:
      return make('cancelled', `${method} on ${where} was cancelled`);
    case GrpcStatus.UNIMPLEMENTED:
      return make(
        'not-cri-v1',
        `${where} does not serve the CRI v1 API (${method}: ${error.details}) — it is not a Kubernetes container runtime, ` +
          `it predates CRI v1, or it is a containerd whose CRI plugin is disabled (disabled_plugins = ["cri"] in ` +
          `/etc/containerd/config.toml, as Docker installs it)`,
      );
    case GrpcStatus.UNAVAILABLE:
      return endpoint.kind === 'ssh'
        ? make(...explainTunnelFailure(endpoint, error.details, context.sshDiagnostics ?? []))
        : make(...explainConnectionFailure(endpoint, error.details, context.endpointHint, socketFacts));
    default:
      return make('runtime', `${method} failed on ${where}: ${error.details || GrpcStatus[error.code]}`);
  }
}

function explainConnectionFailure(
  endpoint: Exclude<CriEndpoint, SshEndpoint>,
  details: string,
  endpointHint: string,
  socketFacts: SocketFacts | undefined,
): [CriErrorKind, string] {
  const code = systemErrorCode(details);
  if (endpoint.kind === 'tcp') {
    const address = formatEndpoint(endpoint).slice('tcp://'.length);
    switch (code) {
      case 'ECONNREFUSED':
        return ['connection-refused', `nothing listens on ${address} — is the runtime running and serving CRI on TCP? Otherwise ${endpointHint}`];
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return ['unavailable', `cannot resolve the host name ${endpoint.host} — check the endpoint, or ${endpointHint}`];
      default:
        return ['unavailable', `cannot reach the runtime at ${address}: ${details}`];
    }
  }
  const path = endpoint.socketPath;
  switch (code) {
    case 'ENOENT':
      return [
        'socket-missing',
        `no container runtime at ${path} — is ${runtimeNameForSocket(path)} running? If it listens elsewhere, ${endpointHint}`,
      ];
    case 'EACCES':
      return ['permission-denied', explainPermission(path, socketFacts)];
    case 'ECONNREFUSED':
      if (socketFacts?.readable === true && !socketFacts.isSocket) return ['unavailable', `${path} is not a socket — ${endpointHint}`];
      return [
        'connection-refused',
        `nothing answers on ${path}: the socket file is there but no runtime listens on it (it stopped, or is restarting) — start ${runtimeNameForSocket(path)}`,
      ];
    default:
      return ['unavailable', `the connection to ${path} failed: ${details}`];
  }
}

function explainPermission(path: string, facts: SocketFacts | undefined): string {
  const ways = 'run with sudo, or connect through an ssh:// endpoint as a user who may open it';
  if (facts === undefined || !facts.readable) {
    // stat fails with EACCES when a folder on the path may not be searched: the socket itself is out of sight.
    return `permission denied on ${path}: a folder on the way to it is not open to you — ${ways}`;
  }
  const mode = (facts.mode & 0o777).toString(8).padStart(3, '0');
  const ownership = `the socket is owned by ${facts.owner}:${facts.group} mode ${mode}`;
  const groupMayConnect = (facts.mode & 0o020) !== 0;
  if (!groupMayConnect) return `permission denied on ${path}: ${ownership}, so only ${facts.owner} may connect — ${ways}`;
  if (facts.group === 'root') {
    // Joining group root to reach one socket would hand out far more than that socket.
    return `permission denied on ${path}: ${ownership}, so only root and group root may connect — ${ways}`;
  }
  return (
    `permission denied on ${path}: ${ownership} — join group ${facts.group} ` +
    `(sudo usermod -aG ${facts.group} "$USER", then log in again), ${ways}`
  );
}

function explainTunnelFailure(endpoint: SshEndpoint, details: string, diagnostics: readonly string[]): [CriErrorKind, string] {
  const destination = sshDestination(endpoint);
  const text = diagnostics.join('\n');
  // ssh reports every refusal on the node the same way: a missing socket, one the user may not
  // open, and an sshd that forbids socket forwarding all read "open failed".
  if (/open failed/i.test(text)) {
    return [
      'ssh',
      `ssh reached ${destination} but could not open ${endpoint.socketPath} there: no runtime listens on it, ` +
        `${endpoint.user ?? 'that user'} may not open it (it usually takes root or the socket's group), or the ssh ` +
        `server does not allow forwarding unix sockets (AllowStreamLocalForwarding in its sshd_config)`,
    ];
  }
  return ['unavailable', `the connection to ${endpoint.socketPath} on ${destination} through ssh failed: ${details}`];
}

/**
 * Explains why an ssh forward could not be opened, from what ssh wrote on stderr. ssh words
 * these messages for terminals; these say what to do from an editor, where nothing can prompt.
 */
export function explainSshFailure(endpoint: SshEndpoint, stderr: string, exit: string): string {
  const destination = sshDestination(endpoint);
  const hostAndPort = `${endpoint.host}:${endpoint.port ?? 22}`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(stderr)) {
    return (
      `the host key of ${endpoint.host} differs from the one in your known_hosts — if the node was reinstalled, ` +
      `remove the old key (ssh-keygen -R ${endpoint.host}) and connect once with ssh in a terminal to record the new one`
    );
  }
  if (/Host key verification failed/.test(stderr)) {
    return (
      `ssh does not know the host key of ${endpoint.host} and cannot ask from here — connect once in a terminal ` +
      `(ssh ${sshCommandLineDestination(endpoint)}) to check and record it`
    );
  }
  const denied = /Permission denied \(([^)]*)\)/.exec(stderr);
  if (denied) {
    return (
      `ssh could not log in to ${destination}: the server accepted none of your keys (it allows ${denied[1]}) — ` +
      `load your key into ssh-agent or set IdentityFile for this host in ~/.ssh/config; passwords are not supported`
    );
  }
  if (/Connection refused/.test(stderr)) return `no ssh server answers on ${hostAndPort} (connection refused)`;
  if (/Could not resolve hostname/.test(stderr)) return `cannot resolve the host name ${endpoint.host}`;
  if (/timed out/i.test(stderr)) return `${hostAndPort} did not answer (connection timed out)`;
  if (/No route to host|Network is unreachable/.test(stderr)) return `${hostAndPort} is unreachable from here`;
  const lastLine = stderr.trim().split('\n').pop()?.trim();
  return `ssh to ${destination} ${exit}${lastLine ? `: ${lastLine}` : ''}`;
}

/** `user@host:port` as people read it in messages. */
export function sshDestination(endpoint: SshEndpoint): string {
  const user = endpoint.user === undefined ? '' : `${endpoint.user}@`;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${user}${host}${endpoint.port === undefined ? '' : `:${endpoint.port}`}`;
}

function sshCommandLineDestination(endpoint: SshEndpoint): string {
  const port = endpoint.port === undefined ? '' : `-p ${endpoint.port} `;
  return `${port}${endpoint.user === undefined ? '' : `${endpoint.user}@`}${endpoint.host}`;
}

/** The errno code (`ENOENT`, `EACCES`, …) in the details grpc-js gives for a failed connection. */
function systemErrorCode(details: string): string | undefined {
  return /\b(E[A-Z0-9_]{3,})\b/.exec(details)?.[1];
}

function runtimeNameForSocket(path: string): string {
  if (path.includes('containerd')) return 'containerd';
  if (path.includes('crio')) return 'CRI-O';
  if (path.includes('cri-dockerd')) return 'cri-dockerd';
  return 'the container runtime';
}

function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return 'its deadline';
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Reads a socket's owner, group and mode, naming users and groups from /etc/passwd and /etc/group. */
export async function inspectSocket(path: string): Promise<SocketFacts> {
  try {
    const info = await stat(path);
    const [owner, group] = await Promise.all([nameFromDatabase('/etc/passwd', info.uid), nameFromDatabase('/etc/group', info.gid)]);
    return { readable: true, isSocket: info.isSocket(), owner, group, mode: info.mode };
  } catch (error) {
    return { readable: false, code: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

/** The name for an id in a passwd/group-style file (`name:x:id:…`), or the number itself. */
async function nameFromDatabase(path: string, id: number): Promise<string> {
  try {
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      const [name, , entryId] = line.split(':');
      if (name && entryId === String(id)) return name;
    }
  } catch {
    // Without the file (or permission to read it), the number is still exact.
  }
  return String(id);
}
