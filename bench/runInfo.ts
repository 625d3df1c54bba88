/**
 * What every benchmark writes next to its figures: the machine it ran on and the commit it
 * measured, so results from different runs can be told apart.
 */
import { execFileSync } from 'node:child_process';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { resolve } from 'node:path';

const REPOSITORY_ROOT = resolve(__dirname, '..', '..');

export function machineDescription(): Record<string, string | number> {
  const processors = cpus();
  return {
    cpu: processors[0]?.model ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  };
}

/** The short hash of the checked-out commit; `unknown` outside a git checkout. */
export function currentCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
