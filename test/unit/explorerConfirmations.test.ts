// What the user reads before anything is removed: the modal confirmations (every tag named,
// refusals said) and the GC plan's Markdown preview.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CriContainer, CriImage } from '../../client/src/cri/criClient';
import { DEFAULT_GC_POLICY } from '../../client/src/cri/gc/gcPolicy';
import { planPrune } from '../../client/src/cri/gc/prunePlan';
import { gcConfirmation, pruneConfirmation, removalConfirmation } from '../../client/src/explorer/model/confirmations';
import { gcPreviewMarkdown } from '../../client/src/explorer/model/gcPreview';
import { judgeRemovals } from '../../client/src/nodes/imageRemoval';
import { planNodeGc } from '../../client/src/nodes/nodeGcPlan';

const NOW = Date.UTC(2026, 10, 23, 12);

function image(letter: string, repoTags: string[], options: Partial<CriImage> = {}): CriImage {
  return { id: `sha256:${letter.repeat(64)}`, repoTags, repoDigests: [], size: 2_000_000, uid: undefined, username: '', pinned: false, ...options };
}

function container(id: string, imageId: string, name: string): CriContainer {
  return {
    id,
    podSandboxId: 'p',
    name,
    attempt: 0,
    image: imageId,
    imageRef: imageId,
    imageId: '',
    state: 'running',
    createdAtMs: NOW,
    labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop' },
    annotations: {},
  };
}

const twoTags = image('a', ['example.com/app:1', 'example.com/app:latest']);
const oneTag = image('b', ['example.com/tool:2'], { size: 500 });
const used = image('c', ['example.com/api:3']);
const pinned = image('d', ['registry.k8s.io/pause:3.9'], { pinned: true });
const containers = [container('x', used.id, 'api')];

describe('Remove', () => {
  test('names every tag that goes, and says which images stay and why', () => {
    const { confirmation, refusals } = removalConfirmation('worker-1', judgeRemovals([twoTags, oneTag, used, pinned], containers, [twoTags.id, oneTag.id, used.id, pinned.id]));
    assert.deepEqual(refusals, [
      'example.com/api:3 is kept: it is in use by container api (pod shop/web-0, running); the runtime would delete it from under them.',
      'registry.k8s.io/pause:3.9 is kept: it is pinned by the runtime (like the pod sandbox image); the kubelet never removes a pinned image.',
    ]);
    assert.deepEqual(confirmation, {
      message: 'Remove 2 images (2 MB) from worker-1?',
      detail: [
        'An image goes with every one of its tags:',
        '• aaaaaaaaaaaa (2 MB): example.com/app:1, example.com/app:latest',
        '• bbbbbbbbbbbb (500 B): example.com/tool:2',
        '',
        'Not removed:',
        `• ${refusals[0]}`,
        `• ${refusals[1]}`,
      ].join('\n'),
      action: 'Remove',
    });
  });

  test('nothing to confirm when every image is refused', () => {
    const { confirmation, refusals } = removalConfirmation('worker-1', judgeRemovals([used], containers, [used.id]));
    assert.equal(confirmation, undefined);
    assert.equal(refusals.length, 1);
  });

  test('a dangling image is named by its id', () => {
    const dangling = image('e', []);
    assert.equal(removalConfirmation('n', judgeRemovals([dangling], [], [dangling.id])).confirmation?.detail, 'These go:\n• eeeeeeeeeeee (2 MB): no tags');
  });
});

describe('Prune', () => {
  test('lists what goes with every tag and counts what stays', () => {
    const confirmation = pruneConfirmation('worker-1', planPrune([twoTags, used, pinned], containers));
    assert.deepEqual(confirmation, {
      message: 'Prune 1 unused image (2 MB) from worker-1?',
      detail: [
        'Images no container uses, in any state, and the runtime has not pinned — as crictl rmi --prune. Each goes with every tag:',
        '• aaaaaaaaaaaa (2 MB): example.com/app:1, example.com/app:latest',
        '',
        '2 images stay (in use or pinned). Each image is checked again just before its removal.',
      ].join('\n'),
      action: 'Prune',
    });
    assert.equal(pruneConfirmation('worker-1', planPrune([used], containers)), undefined);
  });

  test('a long list is cut so the dialog keeps its buttons on screen', () => {
    const many = Array.from({ length: 40 }, (_, index) => image(index.toString(16).padStart(2, '0'), [`example.com/app:${index}`]));
    const lines = pruneConfirmation('n', planPrune(many, []))?.detail.split('\n') ?? [];
    assert.equal(lines.filter((line) => line.startsWith('•')).length, 24);
    assert.ok(lines.includes('… and 16 more'));
  });
});

describe('Garbage collection', () => {
  const history = { version: 1 as const, trackingSince: NOW - 3_600_000, images: [twoTags, oneTag, used].map(({ id }) => ({ id, firstDetected: NOW - 3_600_000 })) };
  const planned = planNodeGc({
    snapshot: { takenAt: NOW, images: [twoTags, oneTag, used], containers, imageFilesystems: [] },
    history,
    policy: { ...DEFAULT_GC_POLICY, highThresholdPercent: 50, lowThresholdPercent: 40 },
    filesystem: { kind: 'measured', capacityBytes: 10_000_000, availableBytes: 5_000_000, mountpoint: '/var/lib/containerd' },
    historyLocation: "this editor's storage",
  });

  test('the preview shows target and freed, each removal and keep with its reason, and the notes', () => {
    const markdown = gcPreviewMarkdown('worker_1', planned, { ...DEFAULT_GC_POLICY, highThresholdPercent: 50, lowThresholdPercent: 40 });
    const lines = markdown.split('\n');
    assert.equal(lines[0], '# Image garbage collection on worker\\_1');
    assert.ok(lines.includes('| 1 MB | 2 MB | 50 % | 50 % / 40 % | 2m | off |'), markdown);
    assert.ok(lines.some((line) => line.startsWith('> Capacity 10 MB and 5 MB available, measured on the filesystem holding /var/lib/containerd')), markdown);
    assert.ok(lines.includes('## Remove (1, 2 MB)'), markdown);
    assert.ok(lines.some((line) => line.startsWith('| `aaaaaaaaaaaa` | `example.com/app:1`, `example.com/app:latest` | 2 MB | space | Never seen in use')), markdown);
    assert.ok(lines.includes('## Keep (2)'), markdown);
    assert.ok(lines.some((line) => line.startsWith('| `cccccccccccc` | `example.com/api:3` | 2 MB | in use | Used by 1 container')), markdown);
    assert.ok(lines.some((line) => line.startsWith('| `bbbbbbbbbbbb` | `example.com/tool:2` | 500 B | not needed |')), markdown);
    assert.ok(!markdown.includes('Short of the target'), markdown);
  });

  test('the confirmation repeats the plan’s summary and figures', () => {
    assert.deepEqual(gcConfirmation('worker-1', planned.plan), {
      message: 'Garbage-collect 1 image (2 MB) on worker-1, as the plan shows?',
      detail: [planned.plan.summary, 'Target 1 MB; the plan frees 2 MB.', 'Each image is checked again just before its removal: one a container has started using since the plan stays.'].join('\n'),
      action: 'Garbage Collect',
    });
  });
});
