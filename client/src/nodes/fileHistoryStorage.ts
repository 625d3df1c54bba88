// Image histories for the command line, one small JSON file per node under
// `$XDG_STATE_HOME/kube-images/image-history/` (`~/.local/state/…` by default), so that MinAge
// and last use mean for `kube-images gc` what they mean for the kubelet once the CLI has seen
// the node before.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HistoryStorage } from './imageHistoryStore';

/** The folder the XDG Base Directory specification gives for state, with ours inside. */
export function defaultHistoryDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env['XDG_STATE_HOME'];
  // The specification says a relative path is invalid and must be ignored.
  const base = stateHome !== undefined && stateHome.startsWith('/') ? stateHome : join(env['HOME'] || homedir(), '.local', 'state');
  return join(base, 'kube-images', 'image-history');
}

interface StoredFile {
  readonly key: string;
  readonly value: unknown;
}

export class FileHistoryStorage implements HistoryStorage {
  constructor(readonly directory: string) {}

  /** The file of a key: a hash, because keys are endpoints full of `/` and `:`. */
  pathOf(key: string): string {
    return join(this.directory, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  /**
   * The stored value, or undefined when there is none. A file that is not ours (or not JSON) is
   * handed on as its text, so the history reader says what is wrong with it and starts over.
   */
  get(key: string): unknown {
    let text: string;
    try {
      text = readFileSync(this.pathOf(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const stored = JSON.parse(text) as Partial<StoredFile>;
      return stored.key === key ? stored.value : text;
    } catch {
      return text;
    }
  }

  /** Written under a temporary name and renamed, so a concurrent run never reads half a file. */
  async update(key: string, value: unknown): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const path = this.pathOf(key);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ key, value } satisfies StoredFile), { mode: 0o600 });
    await rename(temporary, path);
  }
}
