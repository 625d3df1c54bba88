// The per-host concurrency limiter: at most N running, the rest in arrival order, abortable waits.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ConcurrencyLimiter } from '../../server/src/registry/concurrencyLimiter';

/** A task the test finishes by hand, recording when it started. */
function controllableTask(started: string[], name: string): { run: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

/** Lets every settled promise's callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimiter', () => {
  test('runs at most `limit` tasks per key and starts the others in arrival order as slots free', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((name) => controllableTask(started, name));
    const results = tasks.map((task) => limiter.run('registry', task.run));
    await settle();
    assert.deepEqual(started, ['a', 'b']);
    assert.equal(limiter.active('registry'), 2);

    tasks[1]!.finish();
    await settle();
    assert.deepEqual(started, ['a', 'b', 'c']);
    assert.equal(limiter.active('registry'), 2);

    tasks[0]!.finish();
    tasks[2]!.finish();
    await settle();
    assert.deepEqual(started, ['a', 'b', 'c', 'd', 'e']);

    tasks[3]!.finish();
    tasks[4]!.finish();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(limiter.active('registry'), 0);
  });

  test('keys are independent', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const started: string[] = [];
    const first = controllableTask(started, 'one.example');
    const second = controllableTask(started, 'two.example');
    const results = [limiter.run('one.example', first.run), limiter.run('two.example', second.run)];
    await settle();
    assert.deepEqual(started, ['one.example', 'two.example']);
    first.finish();
    second.finish();
    await Promise.all(results);
  });

  test('a failing task frees its slot', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await assert.rejects(limiter.run('registry', () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(limiter.active('registry'), 0);
    assert.equal(await limiter.run('registry', async () => 'next'), 'next');
  });

  test('a waiter whose signal aborts leaves the queue and never runs', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const started: string[] = [];
    const running = controllableTask(started, 'running');
    const abandoned = controllableTask(started, 'abandoned');
    const last = controllableTask(started, 'last');
    const controller = new AbortController();
    const runningResult = limiter.run('registry', running.run);
    const abandonedResult = limiter.run('registry', abandoned.run, controller.signal);
    const lastResult = limiter.run('registry', last.run);
    controller.abort(new Error('gave up'));
    await assert.rejects(abandonedResult, /gave up/);
    running.finish();
    await settle();
    assert.deepEqual(started, ['running', 'last']);
    last.finish();
    await Promise.all([runningResult, lastResult]);
    assert.equal(limiter.active('registry'), 0);
  });

  test('an already aborted signal rejects at once', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await assert.rejects(limiter.run('registry', async () => 'ran', AbortSignal.abort(new Error('already'))), /already/);
    assert.equal(limiter.active('registry'), 0);
  });

  test('the limit must be a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) assert.throws(() => new ConcurrencyLimiter(limit), RangeError);
  });
});
