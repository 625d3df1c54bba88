// Process, port and waiting helpers shared by the real-component harnesses, and the check
// that the system tools they start are installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { busyboxPath } from './ociImage';

/**
 * Polls `probe` until it returns a value other than `undefined`, failing after `timeoutMs`.
 * This is a bounded condition wait: the short pause between probes only keeps the loop from
 * spinning, it is never what the caller relies on.
 */
export async function waitUntil<T>(
  description: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; abandon?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    const reason = options.abandon?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${description}: ${reason}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${description}${cause}`);
    }
    await delay(options.intervalMs ?? 20);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the caller binds it next). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

/** Resolves when the child has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends SIGTERM, and SIGKILL if the child has not exited within `graceMs`. */
export async function terminate(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** Runs a program without a shell and returns its stdout; rejects with its stderr on failure. */
export function run(program: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // spawn's own `timeout` keeps its timer running after a failed spawn, holding the process open.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
      else {
        const detail = Buffer.concat(stderr).toString('utf8').trim();
        reject(new Error(`${program} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${detail}`));
      }
    });
  });
}

/** What a harness needs from the machine: programs on PATH or absolute paths, and maybe root. */
export interface SystemRequirements {
  readonly programs: readonly string[];
  readonly root?: boolean;
}

const installHint = 'run `sudo bash scripts/install-system-deps.sh` (CI does this in .ci/run)';

/**
 * Says why a real-component test cannot run here, or `undefined` when it can. Tests pass the
 * result as `skip`, so a developer without the system packages sees exactly what is missing.
 * Under CI the packages are always installed, so a missing one throws instead: a skipped
 * integration suite must never pass CI silently.
 */
export function missingRequirements(requirements: SystemRequirements): string | undefined {
  const missing = requirements.programs.filter((program) => !isExecutable(program));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}; ${installHint}`);
  if (requirements.root && process.getuid?.() !== 0) problems.push('needs root (a private containerd runs containers)');
  if (problems.length === 0) return undefined;
  const reason = problems.join('; ');
  if (process.env['CI']) throw new Error(`integration test requirements not met under CI: ${reason}`);
  return reason;
}

function isExecutable(program: string): boolean {
  const candidates = program.includes('/')
    ? [program]
    : (process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Programs and files the registry harness starts or reads. */
export const registryRequirements: SystemRequirements = {
  programs: ['docker-registry', 'htpasswd', 'openssl', 'skopeo'],
};

/** Programs and files the containerd harness starts or reads, on top of the registry's. */
export const containerdRequirements: SystemRequirements = {
  programs: ['containerd', 'containerd-shim-runc-v2', 'runc', 'ctr', 'umount', busyboxPath, ...registryRequirements.programs],
  root: true,
};
