// The node layer the explorer and the CLI share, on plain data and a fake runtime: endpoint
// settings, policy and size input, safe removal (refusals judged at removal time, failures
// carried past), pulls with credentials tried in turn, history storage, and GC plan notes.
import { describe, test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallOptions, CriContainer, CriImage, ImageStatus, RegistryAuth } from '../../client/src/cri/criClient';
import { CriError } from '../../client/src/cri/errors';
import { DEFAULT_GC_POLICY } from '../../client/src/cri/gc/gcPolicy';
import { emptyImageHistory } from '../../client/src/cri/gc/imageHistory';
import { defaultHistoryDirectory, FileHistoryStorage } from '../../client/src/nodes/fileHistoryStorage';
import { executeRemovalPlan } from '../../client/src/nodes/gcExecution';
import { gcPolicyFrom, parseByteSize, parseGoDuration } from '../../client/src/nodes/gcPolicyInput';
import { ImageHistoryStore, type HistoryStorage } from '../../client/src/nodes/imageHistoryStore';
import { pullImage, registryAuthOf, type PullCredential } from '../../client/src/nodes/imagePull';
import { describeRefusal, judgeRemovals, removeImageChecked } from '../../client/src/nodes/imageRemoval';
import { planNodeGc } from '../../client/src/nodes/nodeGcPlan';
import type { NodeConnection, NodeSnapshot } from '../../client/src/nodes/nodeSession';
import { detectedNodeTarget, nodeTarget, readEndpointSetting } from '../../client/src/nodes/nodeTargets';

const NOW = Date.UTC(2026, 10, 23, 12);
const MINUTE = 60_000;

function image(id: string, repoTags: string[] = [`example.com/${id}:1`], options: Partial<CriImage> = {}): CriImage {
  return { id, repoTags, repoDigests: [], size: 100, uid: undefined, username: '', pinned: false, ...options };
}

function container(id: string, imageRef: string, name = id): CriContainer {
  return { id, podSandboxId: 'p', name, attempt: 0, image: imageRef, imageRef, imageId: '', state: 'exited', createdAtMs: NOW, labels: {}, annotations: {} };
}

const target = nodeTarget({ kind: 'unix', socketPath: '/run/containerd/containerd.sock' }, 'node', 'test');

/** A runtime in memory: images and containers that tests change between calls, and a log of calls. */
class FakeRuntime implements NodeConnection {
  readonly target = target;
  images: NodeConnection['images'];
  runtime: NodeConnection['runtime'];
  held: CriImage[] = [];
  containers: CriContainer[] = [];
  readonly calls: string[] = [];
  /** Fails RemoveImage for these ids. */
  readonly failRemoval = new Set<string>();
  /** Runs before each ListContainers answer: a container may start between two calls. */
  beforeListContainers: (() => void) | undefined;
  pullAnswer: (reference: string, auth: RegistryAuth | undefined) => string = () => 'sha256:pulled';

  constructor() {
    const unused = (): never => {
      throw new Error('not used by these tests');
    };
    this.images = {
      listImages: async () => this.held,
      imageStatus: async (reference: string): Promise<ImageStatus> => {
        this.calls.push(`ImageStatus ${reference}`);
        return { image: this.held.find((candidate) => candidate.id === reference || candidate.repoTags.includes(reference)), info: {} };
      },
      pullImage: async (reference: string, auth?: RegistryAuth) => {
        this.calls.push(`PullImage ${reference} ${JSON.stringify(auth ?? null)}`);
        return this.pullAnswer(reference, auth);
      },
      removeImage: async (reference: string, options?: CallOptions) => {
        options?.signal?.throwIfAborted();
        this.calls.push(`RemoveImage ${reference}`);
        if (this.failRemoval.has(reference)) throw new CriError('runtime', `RemoveImage failed on the fake: ${reference} is busy`);
        this.held = this.held.filter((candidate) => candidate.id !== reference);
      },
      imageFsInfo: unused,
    };
    this.runtime = {
      version: unused,
      status: unused,
      listContainers: async () => {
        this.beforeListContainers?.();
        return this.containers;
      },
      listPodSandbox: unused,
    };
  }
}

describe('endpoint settings', () => {
  test('entries become targets; bad ones are reported and skipped', () => {
    const { targets, problems } = readEndpointSetting([
      { name: 'worker-1', endpoint: 'ssh://admin@worker-1/run/containerd/containerd.sock' },
      { endpoint: 'unix:///run/crio/crio.sock' },
      { name: 'tcp', endpoint: 'tcp://10.0.0.5:10010' },
      { name: 'again', endpoint: 'unix:///run/crio/crio.sock' },
      { name: 'bad', endpoint: 'http://x' },
      { name: 7, endpoint: '/x.sock' },
      'unix:///a.sock',
      { name: 'no endpoint' },
    ]);
    assert.deepEqual(
      targets.map(({ key, name, source }) => ({ key, name, source })),
      [
        { key: 'ssh://admin@worker-1/run/containerd/containerd.sock', name: 'worker-1', source: 'kubeImages.endpoints' },
        { key: 'unix:///run/crio/crio.sock', name: 'local (crio.sock)', source: 'kubeImages.endpoints' },
        { key: 'tcp://10.0.0.5:10010', name: 'tcp', source: 'kubeImages.endpoints' },
      ],
    );
    assert.deepEqual(problems, [
      'kubeImages.endpoints[3]: unix:///run/crio/crio.sock is already listed as "local (crio.sock)"; the entry is ignored',
      'kubeImages.endpoints[4] (bad): http://x: the scheme http:// is not supported; expected unix:///path/to.sock, tcp://host:port or ssh://[user@]host[:port]/path/to.sock',
      'kubeImages.endpoints[5]: "name" must be a string',
      'kubeImages.endpoints[6] is not an object with "name" and "endpoint"',
      'kubeImages.endpoints[7] has no "endpoint" string',
    ]);
    assert.deepEqual(readEndpointSetting({ endpoint: 'x' }).problems, ['kubeImages.endpoints must be a list of { "name", "endpoint" } entries']);
    assert.deepEqual(readEndpointSetting(undefined), { targets: [], problems: [] });
  });

  test('a detected runtime with a separate image endpoint keeps both', () => {
    const runtime = { endpoint: { kind: 'unix', socketPath: '/run/a.sock' }, source: 'CONTAINER_RUNTIME_ENDPOINT' } as const;
    const images = { endpoint: { kind: 'unix', socketPath: '/run/b.sock' }, source: 'IMAGE_SERVICE_ENDPOINT' } as const;
    const [separate] = detectedNodeTarget({ runtime, image: images, problems: [] }).targets;
    assert.deepEqual(separate, {
      key: 'unix:///run/a.sock images=unix:///run/b.sock',
      name: 'local (a.sock)',
      runtimeEndpoint: runtime.endpoint,
      imageEndpoint: images.endpoint,
      source: 'CONTAINER_RUNTIME_ENDPOINT, images from IMAGE_SERVICE_ENDPOINT',
    });
    assert.deepEqual(detectedNodeTarget({ runtime: undefined, image: undefined, problems: ['p'] }), { targets: [], problems: ['p'] });
  });
});

describe('policy and size input', () => {
  const durations: readonly [string, number | undefined][] = [
    ['0', 0],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['300ms', 300],
    ['1m0.5s', 60_500],
    ['-1s', -1000],
    ['2', undefined],
    ['2 m', undefined],
    ['', undefined],
    ['1d', undefined],
  ];
  for (const [text, expected] of durations) {
    test(`duration "${text}"`, () => {
      const parsed = parseGoDuration(text);
      assert.deepEqual(parsed.ok ? parsed.value : undefined, expected);
    });
  }

  const sizes: readonly [string, number | undefined][] = [
    ['250000000', 250_000_000],
    ['100GB', 100e9],
    ['100G', 100e9],
    ['1.5 kB', 1500],
    ['50GiB', 50 * 2 ** 30],
    ['50Gi', 50 * 2 ** 30],
    ['10 MiB', 10 * 2 ** 20],
    ['12 parsecs', undefined],
    ['-5GB', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of sizes) {
    test(`size "${text}"`, () => {
      const parsed = parseByteSize(text);
      assert.deepEqual(parsed.ok ? parsed.value : undefined, expected);
    });
  }

  test('a policy defaults what is not given and reports everything the kubelet would refuse', () => {
    assert.deepEqual(gcPolicyFrom({}), { ok: true, value: DEFAULT_GC_POLICY });
    assert.deepEqual(gcPolicyFrom({ highThresholdPercent: '90', lowThresholdPercent: 70, minAge: '5m', maxAge: '24h' }), {
      ok: true,
      value: { highThresholdPercent: 90, lowThresholdPercent: 70, minAgeMs: 300_000, maxAgeMs: 86_400_000 },
    });
    assert.deepEqual(gcPolicyFrom({ highThresholdPercent: 'many', minAge: 'soon' }), {
      ok: false,
      message: 'the high threshold "many" is not a number; "soon" is not a duration: write it as Go does, e.g. 2m, 90s, 1h30m or 0',
    });
    assert.deepEqual(gcPolicyFrom({ highThresholdPercent: 70, lowThresholdPercent: 80 }), {
      ok: false,
      message: 'LowThresholdPercent 80 can not be higher than HighThresholdPercent 70',
    });
  });
});

describe('safe removal', () => {
  test('judged on a listing: in use (any state) and pinned images are refused, naming the containers', () => {
    const images = [image('a'), image('b', ['example.com/b:1'], { pinned: true }), image('c')];
    const candidates = judgeRemovals(images, [container('x', 'a', 'api')], ['a', 'b', 'c', 'gone']);
    assert.deepEqual(
      candidates.map(({ image: { id }, refusal }) => [id, refusal === undefined ? 'removable' : describeRefusal(refusal)]),
      [
        ['a', 'it is in use by container api (exited); the runtime would delete it from under them'],
        ['b', 'it is pinned by the runtime (like the pod sandbox image); the kubelet never removes a pinned image'],
        ['c', 'removable'],
      ],
    );
  });

  test('judged again at removal time: a container that started since is seen, and the image stays', async () => {
    const runtime = new FakeRuntime();
    runtime.held = [image('a')];
    runtime.beforeListContainers = () => (runtime.containers = [container('late', 'a')]);
    const result = await removeImageChecked(runtime, 'a');
    assert.equal(result.outcome, 'refused');
    assert.deepEqual(runtime.calls, ['ImageStatus a']);
    assert.equal(runtime.held.length, 1);

    const forced = await removeImageChecked(runtime, 'a', { force: true });
    assert.ok(forced.outcome === 'removed' && forced.overridden?.reason === 'in-use');
    assert.deepEqual(runtime.held, []);
  });

  test('a plan is carried out past refusals, failures and images already gone, and the report adds up', async () => {
    const runtime = new FakeRuntime();
    runtime.held = [image('a', [], { size: 10 }), image('b', [], { size: 20, pinned: true }), image('c', [], { size: 40 }), image('d', [], { size: 80 })];
    runtime.failRemoval.add('c');
    const run = await executeRemovalPlan(runtime, { remove: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'gone' }, { id: 'd' }], target: { bytes: 100 } });
    assert.deepEqual(
      run.results.map((result) => result.outcome),
      ['removed', 'refused', 'failed', 'gone', 'removed'],
    );
    assert.deepEqual([run.freed, run.keptSincePlan, run.failed], [90, 1, 1]);
    assert.equal(
      run.summary,
      'Freed 90 B of the 100 B wanted — short of the target, removing 2 images. 1 image was kept because it came into use or became pinned after the plan. 1 image had already gone from the node. 1 removal failed.',
    );
    const failure = run.results[2];
    assert.ok(failure.outcome === 'failed' && failure.error.message === 'RemoveImage failed on the fake: c is busy');
  });

  test('cancellation stops the run instead of becoming a failure', async () => {
    const runtime = new FakeRuntime();
    runtime.held = [image('a'), image('b')];
    const controller = new AbortController();
    runtime.beforeListContainers = () => controller.abort();
    await assert.rejects(executeRemovalPlan(runtime, { remove: [{ id: 'a' }, { id: 'b' }], target: { bytes: 0 } }, { signal: controller.signal }), { name: 'AbortError' });
    assert.equal(runtime.held.length, 2);
  });
});

describe('pulls', () => {
  const basic: PullCredential = { kind: 'basic', username: 'puller', password: 'secret' };
  const identity: PullCredential = { kind: 'identityToken', token: 'refresh' };

  test('credentials become CRI AuthConfig as the kubelet fills it in', () => {
    assert.deepEqual(registryAuthOf(basic), { username: 'puller', password: 'secret' });
    assert.deepEqual(registryAuthOf(identity), { identityToken: 'refresh' });
    assert.deepEqual(registryAuthOf({ kind: 'registryToken', token: 't' }), { registryToken: 't' });
  });

  test('anonymous without credentials; the reference normalized and defaulted to :latest', async () => {
    const runtime = new FakeRuntime();
    const outcome = await pullImage(runtime, 'nginx', { lookup: async () => ({ credentials: [], warnings: ['helper missing'] }) });
    assert.deepEqual(outcome, { reference: 'docker.io/library/nginx:latest', imageRef: 'sha256:pulled', authentication: 'anonymously', warnings: ['helper missing'] });
    assert.deepEqual(runtime.calls, ['PullImage docker.io/library/nginx:latest null']);
  });

  test('each credential in turn until the registry accepts one; not past a lost connection', async () => {
    const runtime = new FakeRuntime();
    const lookedUp: string[] = [];
    const lookup = { lookup: async (registry: string, repository: string) => (lookedUp.push(`${registry} ${repository}`), { credentials: [basic, identity], warnings: [] }) };
    runtime.pullAnswer = (_reference, auth) => {
      if (auth?.username === 'puller') throw new CriError('runtime', 'PullImage failed: 401 Unauthorized');
      return 'sha256:private';
    };
    const outcome = await pullImage(runtime, 'ghcr.io/team/app:1', lookup);
    assert.deepEqual([outcome.authentication, outcome.imageRef, lookedUp], ['with an identity token', 'sha256:private', ['ghcr.io team/app']]);

    runtime.pullAnswer = () => {
      throw new CriError('runtime', 'PullImage failed: 401 Unauthorized');
    };
    await assert.rejects(pullImage(runtime, 'ghcr.io/team/app:1', lookup), {
      name: 'CriError',
      kind: 'runtime',
      message: 'PullImage failed: 401 Unauthorized (tried each of the 2 credentials found for ghcr.io)',
    });

    const before = runtime.calls.length;
    runtime.pullAnswer = () => {
      throw new CriError('socket-missing', 'no container runtime at /x');
    };
    await assert.rejects(pullImage(runtime, 'ghcr.io/team/app:1', lookup), { kind: 'socket-missing' });
    assert.equal(runtime.calls.length - before, 1, 'a lost connection is not retried with the next credential');
  });

  test('a reference the kubelet would reject is refused before the runtime is asked', async () => {
    const runtime = new FakeRuntime();
    await assert.rejects(pullImage(runtime, 'Foo/Bar', undefined), /^Error: Foo\/Bar: .*lowercase/);
    assert.deepEqual(runtime.calls, []);
  });
});

describe('image history storage', () => {
  class MemoryStorage implements HistoryStorage {
    readonly values = new Map<string, unknown>();
    writes = 0;
    get(key: string): unknown {
      return this.values.get(key);
    }
    async update(key: string, value: unknown): Promise<void> {
      this.writes++;
      this.values.set(key, JSON.parse(JSON.stringify(value)) as unknown);
    }
  }
  const listing = (images: CriImage[], takenAt: number, containers: CriContainer[] = []): Pick<NodeSnapshot, 'images' | 'containers' | 'takenAt'> => ({ images, containers, takenAt });

  test('saves when images come or go, and otherwise at most once per interval', async () => {
    const storage = new MemoryStorage();
    const store = new ImageHistoryStore(storage, { saveIntervalMs: 5 * MINUTE });
    await store.observe('n', listing([image('a')], NOW));
    await store.observe('n', listing([image('a')], NOW + MINUTE, [container('x', 'a')]));
    assert.equal(storage.writes, 1, 'last use moved, but the images did not: not saved yet');
    await store.observe('n', listing([image('a'), image('b')], NOW + 2 * MINUTE));
    assert.equal(storage.writes, 2);
    await store.observe('n', listing([image('a'), image('b')], NOW + 7 * MINUTE));
    assert.equal(storage.writes, 3);
    assert.deepEqual(storage.values.get('kubeImages.imageHistory/n'), {
      version: 1,
      trackingSince: NOW,
      images: [
        { id: 'a', firstDetected: NOW, lastUsed: NOW + MINUTE },
        { id: 'b', firstDetected: NOW + 2 * MINUTE },
      ],
    });

    // A new session reads it back and goes on from there.
    const later = new ImageHistoryStore(storage);
    assert.equal(later.history('n', NOW + 60 * MINUTE).trackingSince, NOW);
  });

  test('an unreadable stored history starts over and says why', () => {
    const storage = new MemoryStorage();
    storage.values.set('kubeImages.imageHistory/n', '{not json');
    const store = new ImageHistoryStore(storage);
    assert.deepEqual(store.history('n', NOW), emptyImageHistory(NOW));
    assert.match(store.problem('n') ?? '', /^The stored image history could not be used because it is not valid JSON/);
  });

  test('the CLI keeps one file per node under XDG_STATE_HOME, and hands a foreign file on as text', async (t: TestContext) => {
    const directory = mkdtempSync(join(tmpdir(), 'kube-images-history-'));
    t.after(() => rmSync(directory, { recursive: true, force: true }));
    assert.equal(defaultHistoryDirectory({ XDG_STATE_HOME: '/state', HOME: '/home/u' }), '/state/kube-images/image-history');
    assert.equal(defaultHistoryDirectory({ XDG_STATE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.local/state/kube-images/image-history');
    const storage = new FileHistoryStorage(join(directory, 'h'));
    assert.equal(storage.get('unix:///a.sock'), undefined);
    await storage.update('unix:///a.sock', { version: 1 });
    assert.deepEqual(storage.get('unix:///a.sock'), { version: 1 });
    assert.equal(storage.get('unix:///b.sock'), undefined);
    mkdirSync(join(directory, 'h'), { recursive: true });
    writeFileSync(storage.pathOf('unix:///b.sock'), 'garbage');
    assert.equal(storage.get('unix:///b.sock'), 'garbage');
  });
});

describe('GC plans for a node', () => {
  const snapshot = {
    takenAt: NOW,
    images: [image('a', [], { size: 600 }), image('b', [], { size: 300 })],
    containers: [],
    imageFilesystems: [{ timestampMs: NOW, mountpoint: '/var/lib/containerd', usedBytes: 900, inodesUsed: undefined }],
  };
  const policy = { ...DEFAULT_GC_POLICY, highThresholdPercent: 50, lowThresholdPercent: 40 };
  const oldHistory = { version: 1 as const, trackingSince: NOW - 60 * MINUTE, images: [{ id: 'a', firstDetected: NOW - 60 * MINUTE }, { id: 'b', firstDetected: NOW - 60 * MINUTE }] };

  test('capacity entered by hand: available is capacity minus what images use, and the note says so', () => {
    const { plan, notes } = planNodeGc({ snapshot, history: oldHistory, policy, filesystem: { kind: 'entered', capacityBytes: 1000 }, historyLocation: 'this editor' });
    // 90 % used; down to 40 % means freeing 500 bytes: the oldest-detected candidate (a, by id) is enough.
    assert.deepEqual([plan.target.bytes, plan.remove.map((removal) => removal.id), plan.freed], [500, ['a'], 600]);
    assert.equal(
      notes[0],
      'Capacity 1 kB as entered (the high threshold of 50 % is 500 B, the low one of 40 % 400 B); available is taken as capacity minus the 900 B the runtime reports images use, so other files on that filesystem are not counted.',
    );
    assert.equal(notes[1], 'First detection and last use are judged from 1h of history kept in this editor; use before that is unknown.');
  });

  test('capacity unknown: the space pass is skipped and the plan says so instead of a capacity error', () => {
    const { plan, notes } = planNodeGc({ snapshot, history: oldHistory, policy, filesystem: { kind: 'unknown', reason: 'ssh://n/x.sock is another machine' }, historyLocation: 'x' });
    assert.deepEqual([plan.remove, plan.error, plan.summary], [[], undefined, 'The space pass is skipped; the age pass does not run.']);
    assert.deepEqual(plan.keep.map((keep) => [keep.reason, keep.detail]), [
      ['not-needed', 'Not judged for space: the space pass is skipped.'],
      ['not-needed', 'Not judged for space: the space pass is skipped.'],
    ]);
    assert.equal(notes[0], 'The space pass is skipped: ssh://n/x.sock is another machine. With MaxAge 0 the age pass is off too, so nothing is removed.');
  });

  test('history shorter than MinAge: the note explains why nothing goes for space', () => {
    const { plan, notes } = planNodeGc({
      snapshot,
      history: emptyImageHistory(NOW - 30_000),
      policy,
      filesystem: { kind: 'measured', capacityBytes: 1000, availableBytes: 100, mountpoint: '/var/lib/containerd' },
      historyLocation: '/state/x.json',
    });
    assert.deepEqual(plan.remove, []);
    assert.equal(
      notes[1],
      'Images on this node have been tracked for 30s (history kept in /state/x.json), less than MinAge (2m): like a kubelet that has just started, every image still counts as first seen too recently to be removed for space.',
    );
  });
});
