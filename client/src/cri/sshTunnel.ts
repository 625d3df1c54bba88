// Reaches a node's CRI socket through the system OpenSSH client: `ssh -L local.sock:remote.sock`
// forwards a unix socket in a private temp folder to the runtime's socket on the node. Keys and
// ssh-agent authenticate; BatchMode makes ssh fail instead of prompting, and we never hold a
// password. The user's ssh config (aliases, IdentityFile, ProxyJump, known_hosts) applies as in
// a terminal.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { SshEndpoint } from './endpoints';
import { CriError, explainSshFailure, sshDestination } from './errors';

export interface SshTunnelOptions {
  /** The ssh program; `ssh` from PATH by default. */
  readonly sshProgram?: string;
  /** Extra ssh options, placed before the destination (e.g. `['-i', keyFile]`, `['-F', configFile]`). */
  readonly extraArguments?: readonly string[];
  /** How long ssh may take to log in and open the forward; 20 s by default. */
  readonly readyTimeoutMs?: number;
}

const defaultReadyTimeoutMs = 20_000;
const stderrLinesKept = 20;

/**
 * The ssh command line for a forward. `--` ends the options, so nothing in the destination can
 * be read as one (the endpoint parser already refuses a leading `-`).
 */
export function sshArguments(
  endpoint: SshEndpoint,
  localSocketPath: string,
  options: Pick<SshTunnelOptions, 'extraArguments' | 'readyTimeoutMs'> = {},
): string[] {
  const connectTimeoutSeconds = Math.max(1, Math.ceil((options.readyTimeoutMs ?? defaultReadyTimeoutMs) / 1000));
  return [
    '-N',
    '-o', 'BatchMode=yes',
    '-o', 'ExitOnForwardFailure=yes',
    // ssh leaves its socket file behind when it exits; a restarted ssh binds the same path.
    '-o', 'StreamLocalBindUnlink=yes',
    // A connection multiplexed through someone's ControlMaster would outlive our process.
    '-o', 'ControlMaster=no',
    '-o', 'ControlPath=none',
    '-o', `ConnectTimeout=${connectTimeoutSeconds}`,
    // A dead network path ends ssh within about 45 s, and the next call starts a new one.
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=3',
    '-L', `${localSocketPath}:${endpoint.socketPath}`,
    ...(endpoint.port === undefined ? [] : ['-p', String(endpoint.port)]),
    ...(options.extraArguments ?? []),
    '--',
    endpoint.user === undefined ? endpoint.host : `${endpoint.user}@${endpoint.host}`,
  ];
}

/**
 * One forward to one node socket. `ensureOpen()` starts ssh when it is not running (the first
 * call, or after ssh exited because the connection dropped) and resolves once the local socket
 * accepts connections; the local path never changes, so a gRPC channel on it reconnects to the
 * new forward by itself.
 */
export class SshTunnel {
  /** The forwarded socket on this machine, in a folder only this user may enter. */
  readonly localSocketPath: string;
  private readonly directory: string;
  private child: ChildProcess | undefined;
  private opening: Promise<void> | undefined;
  private stderrLines: string[] = [];
  private closed = false;

  constructor(
    readonly endpoint: SshEndpoint,
    private readonly options: SshTunnelOptions = {},
  ) {
    // mkdtemp creates the folder with mode 0700.
    this.directory = mkdtempSync(join(tmpdir(), 'kube-images-ssh-'));
    this.localSocketPath = join(this.directory, 'cri.sock');
  }

  /** What ssh said lately (e.g. "channel 2: open failed: …"), to explain a failed call. */
  get diagnostics(): readonly string[] {
    return this.stderrLines;
  }

  /** Starts ssh unless it runs, and waits until the forward accepts connections. */
  async ensureOpen(signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new CriError('ssh', `the ssh tunnel to ${sshDestination(this.endpoint)} was closed`);
    signal?.throwIfAborted();
    if (this.child !== undefined && this.opening === undefined) return;
    this.opening ??= this.start().finally(() => (this.opening = undefined));
    await raceAbort(this.opening, signal);
  }

  /** Stops ssh and removes the local socket's folder. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (child !== undefined) await stopProcess(child);
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async start(): Promise<void> {
    this.stderrLines = [];
    const program = this.options.sshProgram ?? 'ssh';
    const child = spawn(program, sshArguments(this.endpoint, this.localSocketPath, this.options), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      this.stderrLines = stderr.split('\n').filter((line) => line.trim() !== '').slice(-stderrLinesKept);
      // Only the tail is ever read; cap what accumulates over a long-lived tunnel.
      if (stderr.length > 64 * 1024) stderr = stderr.slice(-16 * 1024);
    });

    let failure: CriError | undefined;
    const ended = new Promise<void>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        failure = new CriError(
          'ssh',
          error.code === 'ENOENT'
            ? `the ssh client is not installed (no ${program} on PATH) — install OpenSSH's client to use ssh:// endpoints`
            : `could not start ${program}: ${error.message}`,
          undefined,
          { cause: error },
        );
        resolve();
      });
      child.once('exit', (code, signal) => {
        failure ??= this.closed
          ? new CriError('ssh', `the ssh tunnel to ${sshDestination(this.endpoint)} was closed`)
          : new CriError('ssh', explainSshFailure(this.endpoint, stderr, `exited (${signal ?? `code ${code}`})`));
        resolve();
      });
    });
    void ended.then(() => {
      if (this.child === child) this.child = undefined;
    });

    // A condition wait with a deadline: ssh gives no signal when the forward is ready, so the
    // local socket is probed until it accepts a connection, ssh exits, or time runs out.
    const readyTimeoutMs = this.options.readyTimeoutMs ?? defaultReadyTimeoutMs;
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (failure) throw failure;
      if (await acceptsConnections(this.localSocketPath)) return;
      if (Date.now() >= deadline) {
        await stopProcess(child);
        const said = this.stderrLines.length > 0 ? `: ${this.stderrLines.join(' ')}` : '';
        throw new CriError(
          'ssh',
          `ssh to ${sshDestination(this.endpoint)} did not open the forward within ${readyTimeoutMs / 1000} s${said}`,
        );
      }
      await Promise.race([delay(25), ended]);
    }
  }
}

function acceptsConnections(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
