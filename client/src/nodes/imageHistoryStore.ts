// Per-node image history (first detected, last used) kept between sessions, because runtimes
// keep neither and the kubelet's own is in its memory only. Every listing of a node is an
// observation, like the kubelet's detectImages; the history is saved when images came or went,
// and otherwise at most every few minutes, since last-used times move on every listing.
import {
  readStoredImageHistory,
  updateImageHistory,
  type ImageHistory,
} from '../cri/gc/imageHistory';
import type { NodeSnapshot } from './nodeSession';

/**
 * A key-value store for the histories: VS Code's `globalState` (a `Memento` fits this shape) in
 * the extension, a folder of JSON files for the CLI.
 */
export interface HistoryStorage {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface ImageHistoryStoreOptions {
  /** How long an unchanged set of images may go unsaved; the kubelet detects images every 5 minutes. */
  readonly saveIntervalMs?: number;
}

interface Entry {
  history: ImageHistory;
  savedAt: number | undefined;
  savedIds: ReadonlySet<string>;
}

const STORAGE_KEY_PREFIX = 'kubeImages.imageHistory/';
const defaultSaveIntervalMs = 5 * 60_000;

export class ImageHistoryStore {
  private readonly entries = new Map<string, Entry>();
  private readonly saveIntervalMs: number;
  private readonly problems = new Map<string, string>();

  constructor(
    private readonly storage: HistoryStorage,
    options: ImageHistoryStoreOptions = {},
  ) {
    this.saveIntervalMs = options.saveIntervalMs ?? defaultSaveIntervalMs;
  }

  /** The node's history as known now; a new one starting at `now` when none was kept. */
  history(nodeKey: string, now: number): ImageHistory {
    return this.entry(nodeKey, now).history;
  }

  /** Why the stored history of this node could not be used, once read; undefined when it could. */
  problem(nodeKey: string): string | undefined {
    return this.problems.get(nodeKey);
  }

  /** Records what a listing of the node saw, saving when due. Returns the updated history. */
  async observe(nodeKey: string, snapshot: Pick<NodeSnapshot, 'images' | 'containers' | 'takenAt'>): Promise<ImageHistory> {
    const entry = this.entry(nodeKey, snapshot.takenAt);
    entry.history = updateImageHistory(entry.history, snapshot.images, snapshot.containers, snapshot.takenAt);
    const ids = new Set(entry.history.images.map((record) => record.id));
    const imagesChanged = ids.size !== entry.savedIds.size || [...ids].some((id) => !entry.savedIds.has(id));
    if (imagesChanged || entry.savedAt === undefined || snapshot.takenAt - entry.savedAt >= this.saveIntervalMs) {
      await this.save(nodeKey, entry, snapshot.takenAt, ids);
    }
    return entry.history;
  }

  /** Saves every history with observations not yet saved (on shutdown). */
  async flush(now: number): Promise<void> {
    await Promise.all(
      [...this.entries].map(([nodeKey, entry]) => this.save(nodeKey, entry, now, new Set(entry.history.images.map((record) => record.id)))),
    );
  }

  private entry(nodeKey: string, now: number): Entry {
    let entry = this.entries.get(nodeKey);
    if (entry === undefined) {
      const stored = readStoredImageHistory(this.storage.get(STORAGE_KEY_PREFIX + nodeKey), now);
      if (stored.problem !== undefined) this.problems.set(nodeKey, stored.problem);
      entry = { history: stored.history, savedAt: undefined, savedIds: new Set(stored.history.images.map((record) => record.id)) };
      this.entries.set(nodeKey, entry);
    }
    return entry;
  }

  private async save(nodeKey: string, entry: Entry, now: number, ids: ReadonlySet<string>): Promise<void> {
    await this.storage.update(STORAGE_KEY_PREFIX + nodeKey, entry.history);
    entry.savedAt = now;
    entry.savedIds = ids;
  }
}
