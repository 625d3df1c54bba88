/**
 * At most `limit` tasks at a time per key (a registry host), the rest waiting in arrival order.
 * A waiter whose signal aborts leaves the queue without ever running.
 */
export class ConcurrencyLimiter {
  private readonly lanes = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  }

  /** Runs `task` once a slot for `key` is free; rejects with the signal's reason if it aborts first. */
  async run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(key, signal);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  /** Tasks running for `key` now. */
  active(key: string): number {
    return this.lanes.get(key)?.active ?? 0;
  }

  private acquire(key: string, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { active: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.active < this.limit) {
      lane.active += 1;
      return Promise.resolve();
    }
    const queue = lane.waiting;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const position = queue.indexOf(grant);
        if (position >= 0) queue.splice(position, 1);
        reject(signal!.reason);
      };
      // `release` hands its slot over directly, so `active` never drops while others wait.
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      queue.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(key: string): void {
    const lane = this.lanes.get(key);
    if (lane === undefined) return;
    const next = lane.waiting.shift();
    if (next !== undefined) {
      next();
      return;
    }
    lane.active -= 1;
    if (lane.active === 0) this.lanes.delete(key);
  }
}
