// The explorer's tree model, built from plain listings: labels, descriptions, context values,
// stable ids, sorting, grouping, filtering, and what the view says when nothing answers.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ContainerState, CriContainer, CriImage } from '../../client/src/cri/criClient';
import type { ImageHistory } from '../../client/src/cri/gc/imageHistory';
import { DEFAULT_EXPLORER_OPTIONS, readExplorerOptions, type ExplorerOptions } from '../../client/src/explorer/model/explorerOptions';
import { buildExplorerTree, type ExplorerItem, type ExplorerNode, type ExplorerTree, type ImageItem } from '../../client/src/explorer/model/explorerTree';
import { escapeMarkdown, tooltipOf } from '../../client/src/explorer/model/explorerTooltips';
import { splitReference } from '../../client/src/explorer/model/imageEntries';
import type { NodeSnapshot } from '../../client/src/nodes/nodeSession';
import { nodeTarget } from '../../client/src/nodes/nodeTargets';

const NOW = Date.UTC(2026, 10, 23, 12);
const MINUTE = 60_000;

function image(id: string, repoTags: string[], options: Partial<CriImage> = {}): CriImage {
  return { id: `sha256:${id.padEnd(64, '0')}`, repoTags, repoDigests: [], size: 1000, uid: undefined, username: '', pinned: false, ...options };
}

function container(id: string, imageId: string, state: ContainerState = 'running', name = `c-${id}`): CriContainer {
  return {
    id,
    podSandboxId: 'pod-1',
    name,
    attempt: 0,
    image: imageId,
    imageRef: imageId,
    imageId: '',
    state,
    createdAtMs: NOW - MINUTE,
    labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'default' },
    annotations: {},
  };
}

function snapshot(images: CriImage[], containers: CriContainer[] = [], overrides: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    takenAt: NOW,
    version: { runtimeApiVersion: 'v1', runtimeName: 'containerd', runtimeVersion: '1.6.20', version: '0.1.0' },
    conditions: [
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni config uninitialized' },
    ],
    imageFilesystems: [{ timestampMs: NOW, mountpoint: '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs', usedBytes: 2_500_000, inodesUsed: 10 }],
    images,
    containers,
    podSandboxes: [],
    ...overrides,
  };
}

const target = nodeTarget({ kind: 'unix', socketPath: '/run/containerd/containerd.sock' }, 'worker-1', 'kubeImages.endpoints');

function listed(nodeSnapshot: NodeSnapshot, history?: ImageHistory): ExplorerNode {
  return { target, state: { kind: 'listed', snapshot: nodeSnapshot, history } };
}

function build(node: ExplorerNode, options: Partial<ExplorerOptions> = {}): ExplorerTree {
  return buildExplorerTree({ nodes: [node], problems: [], options: { ...DEFAULT_EXPLORER_OPTIONS, ...options } });
}

function images(tree: ExplorerTree): ImageItem[] {
  return tree.roots.flatMap((root) => root.children).flatMap((item) => (item.kind === 'image' ? [item] : item.children.filter((child): child is ImageItem => child.kind === 'image')));
}

function allItems(items: readonly ExplorerItem[]): ExplorerItem[] {
  return items.flatMap((item) => [item, ...allItems(item.children)]);
}

const app = image('a', ['registry.example.com/team/app:2', 'registry.example.com/team/app:1'], { size: 5_000_000, repoDigests: [`registry.example.com/team/app@sha256:${'d'.repeat(64)}`] });
const nginx = image('b', ['docker.io/library/nginx:1.25'], { size: 2_000_000 });
const pause = image('c', ['registry.k8s.io/pause:3.9'], { size: 300_000, pinned: true });
const dangling = image('d', [], { size: 9_000_000, repoDigests: [`docker.io/library/nginx@sha256:${'e'.repeat(64)}`] });

describe('labels, descriptions and context values', () => {
  const tree = build(
    listed(snapshot([app, nginx, pause, dangling], [container('c1', app.id, 'running', 'api'), container('c2', app.id, 'exited'), container('c3', app.id, 'created'), container('c4', app.id, 'unknown')])),
  );
  const byId = new Map(images(tree).map((item) => [item.entry.image.id, item]));

  const cases: readonly { image: CriImage; label: string; description: string; contextValue: string; icon: string }[] = [
    {
      image: app,
      label: 'registry.example.com/team/app:1, registry.example.com/team/app:2',
      description: 'a00000000000 · 5 MB · in use (4)',
      contextValue: 'image inUse tagged digest',
      icon: 'package',
    },
    { image: nginx, label: 'docker.io/library/nginx:1.25', description: 'b00000000000 · 2 MB', contextValue: 'image unused tagged', icon: 'package' },
    { image: pause, label: 'registry.k8s.io/pause:3.9', description: 'c00000000000 · 300 kB · pinned', contextValue: 'image unused pinned tagged', icon: 'pinned' },
    { image: dangling, label: '<none>', description: 'd00000000000 · 9 MB · dangling', contextValue: 'image unused dangling digest', icon: 'package' },
  ];
  for (const expected of cases) {
    test(expected.label, () => {
      const item = byId.get(expected.image.id);
      assert.ok(item);
      assert.deepEqual(
        { image: expected.image, label: item.label, description: item.description, contextValue: item.contextValue, icon: item.icon.id },
        expected,
      );
    });
  }

  test('an image in use lists its containers in every state, with pod and state', () => {
    const item = byId.get(app.id);
    assert.deepEqual(
      item?.children.map((child) => [child.label, child.description, child.contextValue]),
      [
        ['api', 'pod default/web-0 · running', 'container running'],
        ['c-c2', 'pod default/web-0 · exited', 'container exited'],
        ['c-c3', 'pod default/web-0 · created', 'container created'],
        ['c-c4', 'pod default/web-0 · unknown', 'container unknown'],
      ],
    );
  });

  test('the node says runtime, version, image count and image filesystem usage', () => {
    const [root] = tree.roots;
    assert.deepEqual([root.label, root.description, root.contextValue, root.icon.id], ['worker-1', 'containerd 1.6.20 · 4 images · 2.5 MB', 'node listed ready', 'server']);
    const notReady = build(listed(snapshot([], [], { conditions: [{ type: 'RuntimeReady', status: false, reason: 'Down', message: '' }] }))).roots[0];
    assert.deepEqual([notReady.description, notReady.contextValue, notReady.icon.id], ['not ready · containerd 1.6.20 · 0 images · 2.5 MB', 'node listed', 'warning']);
    assert.deepEqual(notReady.children.map((child) => child.label), ['No images on this node']);
  });
});

describe('ids', () => {
  test('are unique and the same whatever order the runtime lists images in', () => {
    const first = build(listed(snapshot([app, nginx, pause, dangling], [container('c1', app.id)])), { groupBy: 'repository' });
    const second = build(listed(snapshot([dangling, pause, nginx, app], [container('c1', app.id)])), { groupBy: 'repository' });
    const ids = allItems(first.roots).map((item) => item.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(new Set(allItems(second.roots).map((item) => item.id)), new Set(ids));
  });

  test('name the node by its endpoint, so renaming it keeps selection and history', () => {
    const renamed: ExplorerNode = { target: { ...target, name: 'renamed' }, state: { kind: 'loading' } };
    assert.equal(build(renamed).roots[0].id, build(listed(snapshot([]))).roots[0].id);
    assert.equal(build(renamed).roots[0].id, 'node:unix:///run/containerd/containerd.sock');
  });
});

describe('sorting', () => {
  const history: ImageHistory = {
    version: 1,
    trackingSince: NOW - 60 * MINUTE,
    images: [
      { id: nginx.id, firstDetected: NOW - 60 * MINUTE, lastUsed: NOW - 5 * MINUTE },
      { id: pause.id, firstDetected: NOW - 60 * MINUTE, lastUsed: NOW - 30 * MINUTE },
      { id: dangling.id, firstDetected: NOW - 60 * MINUTE },
    ],
  };
  const node = listed(snapshot([dangling, pause, nginx, app], [container('c1', app.id)]), history);
  const cases: readonly [ExplorerOptions['sortBy'], string[]][] = [
    // Dangling images last.
    ['name', ['docker.io/library/nginx:1.25', 'registry.example.com/team/app:1, registry.example.com/team/app:2', 'registry.k8s.io/pause:3.9', '<none>']],
    ['size', ['<none>', 'registry.example.com/team/app:1, registry.example.com/team/app:2', 'docker.io/library/nginx:1.25', 'registry.k8s.io/pause:3.9']],
    // In use counts as used now; never seen in use goes last.
    ['lastUsed', ['registry.example.com/team/app:1, registry.example.com/team/app:2', 'docker.io/library/nginx:1.25', 'registry.k8s.io/pause:3.9', '<none>']],
  ];
  for (const [sortBy, expected] of cases) {
    test(`by ${sortBy}`, () => assert.deepEqual(images(build(node, { sortBy })).map((item) => item.label), expected));
  }

  test('images equal in every key are in id order', () => {
    const twins = [image('f', [], { size: 5 }), image('e', [], { size: 5 })];
    assert.deepEqual(images(build(listed(snapshot(twins)), { sortBy: 'size' })).map((item) => item.entry.image.id), [twins[1].id, twins[0].id]);
  });
});

describe('grouping', () => {
  const multi = image('g', ['docker.io/library/nginx:mainline', 'registry.example.com/mirror/nginx:mainline']);
  const node = listed(snapshot([app, nginx, dangling, multi, image('h', [])]));

  test('by registry: every registry the image has a name in, with those names', () => {
    const tree = build(node, { groupBy: 'registry' });
    const groups = tree.roots[0].children;
    assert.deepEqual(
      groups.map((group) => [group.label, group.description, group.children.map((child) => child.label)]),
      [
        ['docker.io', '3 images · 11 MB', ['docker.io/library/nginx:1.25', 'docker.io/library/nginx:mainline', '<none>']],
        ['registry.example.com', '2 images · 5 MB', ['registry.example.com/mirror/nginx:mainline', 'registry.example.com/team/app:1, registry.example.com/team/app:2']],
        ['<none>', '1 image · 1 kB', ['<none>']],
      ],
    );
    assert.ok(groups.every((group) => group.contextValue === 'group registry'));
  });

  test('by repository: labelled with the tags in that repository; a dangling image under the repository it was pulled from', () => {
    const groups = build(node, { groupBy: 'repository' }).roots[0].children;
    assert.deepEqual(
      groups.map((group) => [group.label, group.children.map((child) => child.label)]),
      [
        ['docker.io/library/nginx', ['1.25', 'mainline', '<none>']],
        ['registry.example.com/mirror/nginx', ['mainline']],
        ['registry.example.com/team/app', ['1, 2']],
        ['<none>', ['<none>']],
      ],
    );
  });

  const splits: readonly [string, ReturnType<typeof splitReference>][] = [
    ['docker.io/library/nginx:1.25', { registry: 'docker.io', repository: 'docker.io/library/nginx', version: '1.25' }],
    ['127.0.0.1:5000/app:1', { registry: '127.0.0.1:5000', repository: '127.0.0.1:5000/app', version: '1' }],
    [`ghcr.io/o/app@sha256:${'a'.repeat(64)}`, { registry: 'ghcr.io', repository: 'ghcr.io/o/app', version: `sha256:${'a'.repeat(64)}` }],
    ['localhost/app', { registry: 'localhost', repository: 'localhost/app', version: '' }],
    ['library/busybox:1', { registry: 'docker.io', repository: 'library/busybox', version: '1' }],
  ];
  for (const [reference, expected] of splits) {
    test(`splits ${reference}`, () => assert.deepEqual(splitReference(reference), expected));
  }
});

describe('filtering', () => {
  const node = listed(snapshot([app, nginx, pause, dangling], [container('c1', nginx.id)]));
  const cases: readonly [string, string[]][] = [
    ['NGINX', ['docker.io/library/nginx:1.25', '<none>']],
    ['team app', ['registry.example.com/team/app:1, registry.example.com/team/app:2']],
    ['is:in-use', ['docker.io/library/nginx:1.25']],
    ['is:unused nginx', ['<none>']],
    ['is:pinned', ['registry.k8s.io/pause:3.9']],
    ['is:dangling', ['<none>']],
    // The id and digests match too.
    ['c0000', ['registry.k8s.io/pause:3.9']],
    ['dddddd', ['registry.example.com/team/app:1, registry.example.com/team/app:2']],
    ['   ', ['docker.io/library/nginx:1.25', 'registry.example.com/team/app:1, registry.example.com/team/app:2', 'registry.k8s.io/pause:3.9', '<none>']],
  ];
  for (const [filter, expected] of cases) {
    test(`"${filter}"`, () => assert.deepEqual(images(build(node, { filter })).map((item) => item.label), expected));
  }

  test('the view message shows the filter and the count; no match leaves a message under the node', () => {
    assert.equal(build(node, { filter: ' nginx ' }).message, 'Filter “nginx”: 2 of 4 images');
    const none = build(node, { filter: 'redis' });
    assert.equal(none.message, 'Filter “redis”: 0 of 4 images');
    assert.deepEqual(none.roots[0].children.map((child) => [child.kind, child.label]), [['message', 'No image matches “redis”']]);
    assert.equal(build(node, { sortBy: 'size', groupBy: 'registry' }).message, 'Sorted by size (largest first) · Grouped by registry');
    assert.equal(build(node).message, undefined);
  });
});

describe('nodes that do not answer', () => {
  const failed = (name: string, message: string): ExplorerNode => ({
    target: { ...target, key: name, name },
    state: { kind: 'failed', errorKind: 'permission-denied', message },
  });

  test('nothing configured or found: the welcome view, with the setting problems as the message', () => {
    const tree = buildExplorerTree({ nodes: [], problems: ['kubeImages.endpoints[0]: bad'], options: DEFAULT_EXPLORER_OPTIONS });
    assert.deepEqual([tree.roots, tree.welcome, tree.message], [[], 'no-endpoint', 'kubeImages.endpoints[0]: bad']);
  });

  test('none answers: the welcome view, the message says why for each', () => {
    const tree = buildExplorerTree({ nodes: [failed('a', 'permission denied on /x'), failed('b', 'no container runtime at /y')], problems: [], options: { ...DEFAULT_EXPLORER_OPTIONS, filter: 'x' } });
    assert.deepEqual([tree.roots, tree.welcome, tree.message], [[], 'unreachable', 'No runtime answered: a: permission denied on /x · b: no container runtime at /y']);
  });

  test('one answers: every node is listed, the failed one with its error under it', () => {
    const tree = buildExplorerTree({ nodes: [failed('a', 'permission denied on /x\nsecond line'), listed(snapshot([nginx]))], problems: [], options: DEFAULT_EXPLORER_OPTIONS });
    assert.equal(tree.welcome, undefined);
    const [broken] = tree.roots;
    assert.deepEqual([broken.description, broken.contextValue, broken.icon], ['permission denied', 'node failed', { id: 'error', color: 'errorForeground' }]);
    assert.deepEqual(broken.children.map((child) => [child.kind, child.label]), [['message', 'permission denied on /x']]);
    assert.equal(tooltipOf(broken.children[0]), escapeMarkdown('permission denied on /x\nsecond line'));
  });

  test('a node still listing shows a spinner and no welcome view', () => {
    const tree = build({ target, state: { kind: 'loading' } });
    assert.deepEqual([tree.welcome, tree.roots[0].icon.id, tree.roots[0].description], [undefined, 'loading~spin', 'listing…']);
  });
});

describe('tooltips', () => {
  test('an image: every tag, id, digest, size, pinned, first seen and last used, and its containers', () => {
    const history: ImageHistory = { version: 1, trackingSince: NOW - 90 * MINUTE, images: [{ id: app.id, firstDetected: NOW - 90 * MINUTE }] };
    const item = images(build(listed(snapshot([app], [container('c1', app.id, 'exited', 'api_v2')]), history)))[0];
    assert.equal(
      tooltipOf(item),
      [
        '**Tags**: `registry.example.com/team/app:1`, `registry.example.com/team/app:2`  ',
        `**Id**: \`${app.id}\`  `,
        `**Digest**: \`${app.repoDigests[0]}\`  `,
        '**Size**: 5 MB (5000000 bytes)  ',
        '**First seen**: 1h 30m ago · **Last used**: now',
        '',
        '**In use by** (every state counts, as for the kubelet; Remove refuses it):',
        '',
        '- api\\_v2 \\(pod default/web\\-0, exited\\)',
      ].join('\n'),
    );
  });

  test('a node: endpoint, source, runtime, conditions and image filesystem', () => {
    const text = tooltipOf(build(listed(snapshot([nginx]))).roots[0]);
    assert.ok(text.startsWith('**worker\\-1**  \n`unix:///run/containerd/containerd.sock` (from kubeImages\\.endpoints)\n\ncontainerd 1\\.6\\.20 · CRI v1'), text);
    assert.ok(text.includes('| NetworkReady | $(x) false | NetworkPluginNotReady: cni config uninitialized |'), text);
    assert.ok(text.includes('Image filesystem `/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs`: 2.5 MB used'), text);
  });
});

test('stored options: unknown values fall back to the defaults', () => {
  assert.deepEqual(readExplorerOptions({ sortBy: 'size', groupBy: 'registry', filter: 'x' }), { sortBy: 'size', groupBy: 'registry', filter: 'x' });
  assert.deepEqual(readExplorerOptions({ sortBy: 'colour', groupBy: 7 }), DEFAULT_EXPLORER_OPTIONS);
  assert.deepEqual(readExplorerOptions(undefined), DEFAULT_EXPLORER_OPTIONS);
});
