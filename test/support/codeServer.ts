// A real VS Code for tests: code-server 4.100.3 (VS Code 1.100) on loopback, hermetic (its own
// user data, extensions and XDG folders in a temp dir), driven by Debian's Chromium through
// playwright-core. Installed by scripts/install-code-server.sh; recipe in ENVIRONMENT.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, waitUntil } from './system';

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM = '/usr/bin/chromium';

/** Flags the probe of these machines found necessary: the closed network refuses Chromium's background connections. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function codeServerDirectory(): string {
  return process.env.KUBE_IMAGES_CODE_SERVER_DIR ?? join(homedir(), '.cache', 'kube-images', `code-server-${CODE_SERVER_VERSION}`);
}

export function codeServerBinary(): string {
  return join(codeServerDirectory(), 'node_modules', '.bin', 'code-server');
}

/** Why the real VS Code cannot run here, or undefined when it can. */
export function missingCodeServer(): string | undefined {
  if (!existsSync(codeServerBinary())) return `code-server ${CODE_SERVER_VERSION} is not installed at ${codeServerDirectory()} (run: bash scripts/install-code-server.sh)`;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (run: bash scripts/install-code-server.sh)`;
  return undefined;
}

export interface CodeServerOptions {
  /** The folder VS Code opens. */
  readonly workspace: string;
  /** False: the workspace opens in restricted mode (untrusted). */
  readonly trusted: boolean;
  /** Extra environment for code-server; it reaches the extension host. */
  readonly env?: NodeJS.ProcessEnv;
  /** User settings written before start. */
  readonly settings?: Record<string, unknown>;
  /** VSIX files installed before start. */
  readonly extensions?: readonly string[];
  /** The loopback port to serve on; a free one by default. */
  readonly port?: number;
}

export interface RunningCodeServer {
  readonly url: string;
  readonly port: number;
  readonly directory: string;
  /** code-server's own output, for failure reports. */
  output(): string;
  stop(): Promise<void>;
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const directory = mkdtempSync(join(tmpdir(), 'kube-images-code-server-'));
  const userData = join(directory, 'user-data');
  const extensions = join(directory, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  const settings = { 'security.workspace.trust.enabled': options.trusted ? false : true, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', ...options.settings };
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // code-server writes a heartbeat and logs under the XDG folders whatever --user-data-dir says.
  const xdg = Object.fromEntries(['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'].map((name) => {
    const folder = join(directory, name.toLowerCase());
    mkdirSync(folder, { recursive: true });
    return [name, folder];
  }));
  const env = { ...process.env, ...xdg, ...options.env };
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check'];
  for (const vsix of options.extensions ?? []) await runToCompletion(codeServerBinary(), [...common, '--install-extension', vsix], env);

  const port = options.port ?? (await freeLoopbackPort());
  const args = [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...(options.trusted ? ['--disable-workspace-trust'] : []), options.workspace];
  // Its own process group: code-server runs its server, extension hosts and their language servers
  // as children, and stopping means stopping all of them before their folder is removed.
  const child = spawn(codeServerBinary(), args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil('code-server to answer /healthz', async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      abandon: () => (child.exitCode !== null ? `code-server exited with ${child.exitCode}: ${log.slice(-2000)}` : undefined),
    });
  } catch (error) {
    await stop(child, directory);
    throw error;
  }
  return { url, port, directory, output: () => log, stop: () => stop(child, directory) };
}

async function stop(child: ChildProcess, directory: string): Promise<void> {
  await terminateGroup(child);
  rmSync(directory, { recursive: true, force: true });
}

/** SIGTERM to the child's process group, SIGKILL to what remains after a grace period; resolves when the group is empty. */
async function terminateGroup(child: ChildProcess): Promise<void> {
  const group = child.pid;
  if (group === undefined) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-group, signal);
    } catch {
      // ESRCH: no process of the group is left.
    }
  };
  const emptied = (description: string): Promise<true> =>
    waitUntil(description, () => (liveGroupMembers(group) === 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
  signalGroup('SIGTERM');
  try {
    await emptied('code-server and its children to exit');
  } catch {
    signalGroup('SIGKILL');
    await emptied('code-server and its children to be killed');
  }
}

/** Processes of a process group that have not exited (zombies have: they only await reaping). */
function liveGroupMembers(group: number): number {
  let members = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the parenthesised command name (which may hold spaces): state, ppid, pgrp, …
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === group && state !== 'Z') members++;
    } catch {
      // The process exited while we looked.
    }
  }
  return members;
}

function runToCompletion(program: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${program} ${args.join(' ')} exited with ${code}: ${stderr}`))));
  });
}

/** The URL that makes the workbench load an extension under development and run its test suite in the extension host. */
export function extensionTestUrl(server: RunningCodeServer, workspace: string, extensionPath: string, testsEntry: string): string {
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://remote${extensionPath}`],
    ['extensionTestsPath', `vscode-remote://remote${testsEntry}`],
  ];
  return `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
