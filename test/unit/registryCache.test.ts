// The client's caches: entries that expire on an injected clock, and in-flight deduplication
// with per-caller cancellation.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { SharedRequests } from '../../server/src/registry/sharedRequests';
import { TtlCache } from '../../server/src/registry/ttlCache';

describe('TtlCache', () => {
  test('an entry lives exactly its TTL on the injected clock', () => {
    let now = 1_000;
    const cache = new TtlCache<string>(() => now);
    cache.set('a', 'value', 500);
    now = 1_499;
    assert.equal(cache.get('a'), 'value');
    now = 1_500;
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0);
  });

  test('set replaces an entry and restarts its TTL; delete and clear remove', () => {
    let now = 0;
    const cache = new TtlCache<string>(() => now);
    cache.set('a', 'old', 100);
    now = 90;
    cache.set('a', 'new', 100);
    now = 150;
    assert.equal(cache.get('a'), 'new');
    cache.delete('a');
    assert.equal(cache.get('a'), undefined);
    cache.set('b', 'b', 100);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  test('when full, expired entries go first, then the oldest', () => {
    let now = 0;
    const cache = new TtlCache<number>(() => now, 3);
    cache.set('short', 1, 10);
    cache.set('old', 2, 1_000);
    cache.set('newer', 3, 1_000);
    now = 20;
    cache.set('newest', 4, 1_000);
    assert.deepEqual(['short', 'old', 'newer', 'newest'].map((key) => cache.get(key)), [undefined, 2, 3, 4]);
    cache.set('fifth', 5, 1_000);
    assert.deepEqual(['old', 'newer', 'newest', 'fifth'].map((key) => cache.get(key)), [undefined, 3, 4, 5]);
    assert.equal(cache.size, 3);
  });
});

/** Work the test settles by hand, recording the signal it was given. */
function controllableWork<T>(): { start: (signal: AbortSignal) => Promise<T>; resolve: (value: T) => void; starts: AbortSignal[] } {
  const starts: AbortSignal[] = [];
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return {
    start: (signal) => {
      starts.push(signal);
      return new Promise<T>((settle, reject) => {
        promise.then(settle, reject);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    },
    resolve: (value) => resolve(value),
    starts,
  };
}

describe('SharedRequests', () => {
  test('callers of the same key share one request; other keys get their own', async () => {
    const shared = new SharedRequests<string>();
    const work = controllableWork<string>();
    const other = controllableWork<string>();
    const first = shared.run('a', work.start);
    const second = shared.run('a', work.start);
    const third = shared.run('b', other.start);
    assert.equal(work.starts.length, 1);
    assert.equal(other.starts.length, 1);
    work.resolve('A');
    other.resolve('B');
    assert.deepEqual(await Promise.all([first, second, third]), ['A', 'A', 'B']);
  });

  test('after the request settles, the next caller starts a new one', async () => {
    const shared = new SharedRequests<string>();
    const work = controllableWork<string>();
    const first = shared.run('a', work.start);
    work.resolve('A');
    await first;
    const again = controllableWork<string>();
    const second = shared.run('a', again.start);
    assert.equal(again.starts.length, 1);
    again.resolve('A2');
    assert.equal(await second, 'A2');
  });

  test('one caller cancelling rejects only its own promise; the work goes on for the others', async () => {
    const shared = new SharedRequests<string>();
    const work = controllableWork<string>();
    const controller = new AbortController();
    const leaving = shared.run('a', work.start, controller.signal);
    const staying = shared.run('a', work.start);
    controller.abort(new Error('left'));
    await assert.rejects(leaving, /left/);
    assert.equal(work.starts[0]!.aborted, false);
    work.resolve('A');
    assert.equal(await staying, 'A');
  });

  test('when every caller has cancelled, the work is aborted and the next caller starts afresh', async () => {
    const shared = new SharedRequests<string>();
    const work = controllableWork<string>();
    const controllers = [new AbortController(), new AbortController()];
    const callers = controllers.map((controller) => shared.run('a', work.start, controller.signal));
    for (const controller of controllers) controller.abort(new Error('left'));
    for (const caller of callers) await assert.rejects(caller, /left/);
    assert.equal(work.starts[0]!.aborted, true);

    const fresh = controllableWork<string>();
    const next = shared.run('a', fresh.start);
    assert.equal(fresh.starts.length, 1);
    fresh.resolve('again');
    assert.equal(await next, 'again');
  });

  test('a failure reaches every caller', async () => {
    const shared = new SharedRequests<string>();
    let calls = 0;
    const failing = async (): Promise<string> => {
      calls += 1;
      throw new Error('registry said no');
    };
    const results = await Promise.allSettled([shared.run('a', failing), shared.run('a', failing)]);
    assert.equal(calls, 1);
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'rejected']);
  });

  test('abortAll aborts the work of every key', async () => {
    const shared = new SharedRequests<string>();
    const work = controllableWork<string>();
    const caller = shared.run('a', work.start);
    shared.abortAll(new Error('disposed'));
    await assert.rejects(caller, /disposed/);
    assert.equal(work.starts[0]!.aborted, true);
  });

  test('an already aborted signal rejects without starting anything', async () => {
    const shared = new SharedRequests<string>();
    const work = controllableWork<string>();
    await assert.rejects(async () => shared.run('a', work.start, AbortSignal.abort(new Error('already'))), /already/);
    assert.equal(work.starts.length, 0);
  });
});
