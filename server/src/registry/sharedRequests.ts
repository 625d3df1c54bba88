/**
 * In-flight deduplication: callers asking for the same key while a request for it runs share
 * that request. Each caller keeps its own cancellation: one caller giving up rejects only its own
 * promise, and the shared work is aborted only when every caller has given up.
 */
export class SharedRequests<T> {
  private readonly pending = new Map<string, { promise: Promise<T>; controller: AbortController; callers: number }>();

  /**
   * Joins the request for `key`, or starts it with `start`. Rejects with the caller's signal's
   * reason when that signal aborts first.
   */
  run(key: string, start: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    let shared = this.pending.get(key);
    if (shared === undefined) {
      const controller = new AbortController();
      const entry = { promise: start(controller.signal), controller, callers: 0 };
      const forget = (): void => {
        if (this.pending.get(key) === entry) this.pending.delete(key);
      };
      entry.promise.then(forget, forget);
      this.pending.set(key, entry);
      shared = entry;
    }
    const joined = shared;
    joined.callers += 1;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const leave = (): boolean => {
        if (settled) return false;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        joined.callers -= 1;
        return true;
      };
      const onAbort = (): void => {
        if (!leave()) return;
        if (joined.callers === 0) {
          // Nobody waits any more: stop the work, and let the next caller start afresh.
          if (this.pending.get(key) === joined) this.pending.delete(key);
          joined.controller.abort(signal!.reason);
        }
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => {
          if (leave()) resolve(value);
        },
        (error: unknown) => {
          if (leave()) reject(error);
        },
      );
    });
  }

  /** Aborts every request in flight (their callers see the work's rejection). */
  abortAll(reason: unknown): void {
    for (const entry of this.pending.values()) entry.controller.abort(reason);
    this.pending.clear();
  }
}
