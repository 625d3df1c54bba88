// Kubelet image GC planned as the kubelet carries it out (FACTS.md §4,
// pkg/kubelet/images/image_gc_manager.go). Every expected order below was worked out by hand from
// the kubelet's rules: candidates sorted by last use (never used first), ties by first detection;
// the age pass first; the space pass skipping images used since it began and images younger than
// MinAge, stopping once the bytes removed reach the target.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { planImageGc, type GcKeepReason, type GcPlan, type GcPlanInput, type GcPlanStatus } from '../../client/src/cri/gc/gcPlan';
import { DEFAULT_GC_POLICY, validateGcPolicy, type GcPolicy } from '../../client/src/cri/gc/gcPolicy';
import { formatBytes, formatDuration } from '../../client/src/cri/gc/humanUnits';
import type { ImageUsageRecord } from '../../client/src/cri/gc/imageHistory';

const NOW = Date.UTC(2025, 0, 6, 12, 0, 0);
const MINUTE = 60_000;
const GB = 1_000_000_000;

/** An image on the test node; times in whole minutes before NOW. */
interface TestImage {
  readonly id: string;
  readonly size: number;
  readonly firstSeen: number;
  /** Minutes ago; absent: never seen in use. Negative: after NOW. */
  readonly lastUsed?: number;
  readonly pinned?: boolean;
  /** Container ids that use it now. */
  readonly usedBy?: readonly string[];
}

interface TestNode {
  readonly images: readonly TestImage[];
  readonly capacity: number;
  readonly available: number;
  readonly policy?: Partial<GcPolicy>;
  /** Minutes since tracking began; default one day. Absent history: `tracked: 'none'`. */
  readonly tracked?: number | 'none';
}

function input(node: TestNode): GcPlanInput {
  const trackedMinutes = node.tracked === 'none' ? undefined : (node.tracked ?? 24 * 60);
  const records: ImageUsageRecord[] = node.images.map((image) => ({
    id: image.id,
    firstDetected: NOW - image.firstSeen * MINUTE,
    ...(image.lastUsed === undefined ? {} : { lastUsed: NOW - image.lastUsed * MINUTE }),
  }));
  return {
    images: node.images.map((image) => ({
      id: image.id,
      repoTags: [`registry.example/${image.id}:1`],
      repoDigests: [],
      size: image.size,
      pinned: image.pinned === true,
    })),
    containers: node.images.flatMap((image) => (image.usedBy ?? []).map((id) => ({ id, imageRef: image.id }))),
    filesystem: { capacityBytes: node.capacity, availableBytes: node.available },
    policy: { ...DEFAULT_GC_POLICY, ...node.policy },
    now: NOW,
    history: trackedMinutes === undefined ? undefined : { version: 1, trackingSince: NOW - trackedMinutes * MINUTE, images: records },
  };
}

interface Expected {
  readonly status: GcPlanStatus;
  /** Ids with their pass, in removal order. */
  readonly remove: readonly string[];
  readonly keep: Readonly<Record<string, GcKeepReason>>;
  readonly target: number;
  readonly freed: number;
  readonly usagePercent: number | undefined;
  readonly shortfall?: { readonly wanted: number; readonly eligible: number };
}

function check(plan: GcPlan, expected: Expected): void {
  assert.deepEqual(
    plan.remove.map((removal) => `${removal.id}:${removal.reason}`),
    expected.remove,
  );
  assert.deepEqual(Object.fromEntries(plan.keep.map((kept) => [kept.id, kept.reason])), expected.keep);
  assert.equal(plan.status, expected.status);
  assert.equal(plan.target.bytes, expected.target);
  assert.equal(plan.freed, expected.freed);
  assert.equal(plan.usagePercent, expected.usagePercent);
  if (expected.shortfall === undefined) {
    assert.equal(plan.shortfall, undefined);
  } else {
    assert.equal(plan.shortfall?.wantedBytes, expected.shortfall.wanted);
    assert.equal(plan.shortfall?.eligibleBytes, expected.shortfall.eligible);
    assert.equal(
      plan.shortfall?.message,
      `Failed to garbage collect required amount of images. Attempted to free ${expected.shortfall.wanted} bytes, but only found ${expected.shortfall.eligible} bytes eligible to free.`,
    );
  }
  for (const item of [...plan.remove, ...plan.keep]) assert.match(item.detail, /^[A-Z].*\.$/, `a sentence for ${item.id}`);
}

describe('the space pass: eviction order, skips and the stopping point', () => {
  const cases: readonly (readonly [name: string, node: TestNode, expected: Expected])[] = [
    [
      // 90 % used; want 100 × 20 % − 10 = 10 GB. Order: c (never used), b (60 m), a (30 m), d (10 m).
      'never-used first, then oldest last use; stops as soon as the target is reached',
      {
        capacity: 100 * GB,
        available: 10 * GB,
        images: [
          { id: 'a', size: 4 * GB, firstSeen: 600, lastUsed: 30 },
          { id: 'b', size: 5 * GB, firstSeen: 600, lastUsed: 60 },
          { id: 'c', size: 3 * GB, firstSeen: 300 },
          { id: 'd', size: 6 * GB, firstSeen: 600, lastUsed: 10 },
          { id: 'e', size: 2 * GB, firstSeen: 600, lastUsed: 5, usedBy: ['ctr-e'] },
        ],
      },
      {
        status: 'target-reached',
        remove: ['c:space', 'b:space', 'a:space'],
        keep: { d: 'not-needed', e: 'in-use' },
        target: 10 * GB,
        freed: 12 * GB,
        usagePercent: 90,
      },
    ],
    [
      // Same last use: earlier first detection goes first (z 300 m, y 200 m, x 100 m ago).
      'ties in last use go to the image detected first',
      {
        capacity: 100 * GB,
        available: 10 * GB,
        images: [
          { id: 'x', size: 6 * GB, firstSeen: 100, lastUsed: 20 },
          { id: 'y', size: 6 * GB, firstSeen: 200, lastUsed: 20 },
          { id: 'z', size: 6 * GB, firstSeen: 300, lastUsed: 20 },
        ],
      },
      { status: 'target-reached', remove: ['z:space', 'y:space'], keep: { x: 'not-needed' }, target: 10 * GB, freed: 12 * GB, usagePercent: 90 },
    ],
    [
      // n is first in order (never used) but was first seen 1 m ago, under MinAge 2 m: skipped, and the walk goes on.
      'an image younger than MinAge is skipped and the walk continues until the target is exactly met',
      {
        capacity: 100 * GB,
        available: 10 * GB,
        images: [
          { id: 'n', size: 8 * GB, firstSeen: 1 },
          { id: 'o', size: 5 * GB, firstSeen: 100, lastUsed: 50 },
          { id: 'p', size: 5 * GB, firstSeen: 100, lastUsed: 40 },
          { id: 'q', size: 5 * GB, firstSeen: 100, lastUsed: 30 },
        ],
      },
      // o + p is exactly the 10 GB wanted: reached, so q stays.
      {
        status: 'target-reached',
        remove: ['o:space', 'p:space'],
        keep: { n: 'too-young', q: 'not-needed' },
        target: 10 * GB,
        freed: 10 * GB,
        usagePercent: 90,
      },
    ],
    [
      'an image exactly MinAge old is old enough',
      {
        capacity: 100 * GB,
        available: 10 * GB,
        images: [
          { id: 'n', size: 8 * GB, firstSeen: 2 },
          { id: 'o', size: 5 * GB, firstSeen: 100, lastUsed: 50 },
        ],
      },
      { status: 'target-reached', remove: ['n:space', 'o:space'], keep: {}, target: 10 * GB, freed: 13 * GB, usagePercent: 90 },
    ],
    [
      // Only f is a candidate: 3 GB of the 10 GB wanted.
      'pinned and in-use images never go, even when that leaves a shortfall',
      {
        capacity: 100 * GB,
        available: 10 * GB,
        images: [
          { id: 'pinned', size: 20 * GB, firstSeen: 600, pinned: true },
          { id: 'used', size: 20 * GB, firstSeen: 600, usedBy: ['ctr-1', 'ctr-2'] },
          { id: 'f', size: 3 * GB, firstSeen: 600, lastUsed: 100 },
        ],
      },
      {
        status: 'shortfall',
        remove: ['f:space'],
        keep: { pinned: 'pinned', used: 'in-use' },
        target: 10 * GB,
        freed: 3 * GB,
        usagePercent: 90,
        shortfall: { wanted: 10 * GB, eligible: 3 * GB },
      },
    ],
    [
      // History says t and u were used at or after the pass began (a clock ahead, or a container
      // gone since): they sort last and are skipped, so only v's 2 GB of the 10 GB is eligible.
      'an image recorded in use at or after the moment the pass began is skipped',
      {
        capacity: 100 * GB,
        available: 10 * GB,
        images: [
          { id: 't', size: 20 * GB, firstSeen: 600, lastUsed: 0 },
          { id: 'u', size: 20 * GB, firstSeen: 600, lastUsed: -1 },
          { id: 'v', size: 2 * GB, firstSeen: 600, lastUsed: 1 },
        ],
      },
      {
        status: 'shortfall',
        remove: ['v:space'],
        keep: { t: 'used-since-pass-began', u: 'used-since-pass-began' },
        target: 10 * GB,
        freed: 2 * GB,
        usagePercent: 90,
        shortfall: { wanted: 10 * GB, eligible: 2 * GB },
      },
    ],
  ];
  for (const [name, node, expected] of cases) {
    test(name, () => check(planImageGc(input(node)), expected));
  }
});

describe('thresholds: when the space pass runs and how much it wants', () => {
  const two = (sizeA: number, sizeB: number): readonly TestImage[] => [
    { id: 'a', size: sizeA, firstSeen: 600, lastUsed: 30 },
    { id: 'b', size: sizeB, firstSeen: 600, lastUsed: 20 },
  ];
  const cases: readonly (readonly [name: string, node: TestNode, expected: Expected])[] = [
    [
      '84 % used is below the high threshold of 85 %: nothing goes',
      { capacity: 100 * GB, available: 16 * GB, images: two(3 * GB, 3 * GB) },
      { status: 'below-threshold', remove: [], keep: { a: 'not-needed', b: 'not-needed' }, target: 0, freed: 0, usagePercent: 84 },
    ],
    [
      // 85 % used; want 20 GB − 15 GB = 5 GB: a (3) is not enough, b brings it to 6.
      'usage exactly at the high threshold starts the space pass',
      { capacity: 100 * GB, available: 15 * GB, images: two(3 * GB, 3 * GB) },
      { status: 'target-reached', remove: ['a:space', 'b:space'], keep: {}, target: 5 * GB, freed: 6 * GB, usagePercent: 85 },
    ],
    [
      // 15.9 % available rounds down to 15, so 85 % used; want 200 − 159 = 41 bytes.
      'usage is 100 − ⌊available %⌋: 15.9 % available counts as 85 % used',
      { capacity: 1000, available: 159, images: two(30, 30) },
      { status: 'target-reached', remove: ['a:space', 'b:space'], keep: {}, target: 41, freed: 60, usagePercent: 85 },
    ],
    [
      '16.0 % available is 84 % used',
      { capacity: 1000, available: 160, images: two(30, 30) },
      { status: 'below-threshold', remove: [], keep: { a: 'not-needed', b: 'not-needed' }, target: 0, freed: 0, usagePercent: 84 },
    ],
    [
      // low = high = 85 %, 85 % used: want 150 − 150 = 0, and the kubelet removes one image before checking.
      'low = high: a target of 0 still removes the first eligible image',
      { capacity: 1000, available: 150, policy: { highThresholdPercent: 85, lowThresholdPercent: 85 }, images: two(30, 30) },
      { status: 'target-reached', remove: ['a:space'], keep: { b: 'not-needed' }, target: 0, freed: 30, usagePercent: 85 },
    ],
    [
      // 85 % used after rounding, want 150 − 159 = −9: again exactly one removal.
      'low = high: a negative target after rounding still removes the first eligible image',
      { capacity: 1000, available: 159, policy: { highThresholdPercent: 85, lowThresholdPercent: 85 }, images: two(30, 30) },
      { status: 'target-reached', remove: ['a:space'], keep: { b: 'not-needed' }, target: 0, freed: 30, usagePercent: 85 },
    ],
    [
      // 0 % used is at the high threshold 0 %; want 1000 − 1000 = 0: one removal on an empty disk.
      'high 0 % and low 0 %: the space pass runs even on an empty disk',
      { capacity: 1000, available: 1000, policy: { highThresholdPercent: 0, lowThresholdPercent: 0 }, images: two(30, 30) },
      { status: 'target-reached', remove: ['a:space'], keep: { b: 'not-needed' }, target: 0, freed: 30, usagePercent: 0 },
    ],
    [
      'high 0 % and low 0 %: frees everything it may and reports the rest as a shortfall',
      { capacity: 1000, available: 500, policy: { highThresholdPercent: 0, lowThresholdPercent: 0 }, images: two(100, 100) },
      {
        status: 'shortfall',
        remove: ['a:space', 'b:space'],
        keep: {},
        target: 500,
        freed: 200,
        usagePercent: 50,
        shortfall: { wanted: 500, eligible: 200 },
      },
    ],
    [
      'high 100 % with MaxAge 0: the kubelet does not run image GC at all',
      { capacity: 1000, available: 0, policy: { highThresholdPercent: 100, lowThresholdPercent: 90 }, images: two(30, 30) },
      { status: 'disabled', remove: [], keep: { a: 'not-needed', b: 'not-needed' }, target: 0, freed: 0, usagePercent: 100 },
    ],
    [
      // MaxAge 10 days keeps GC running; tracked one day, so the age pass waits. 0.9 % available is 100 % used;
      // want 1000 × 10 % − 9 = 91.
      'high 100 % with MaxAge set: the space pass runs once usage reaches 100 %',
      {
        capacity: 1000,
        available: 9,
        policy: { highThresholdPercent: 100, lowThresholdPercent: 90, maxAgeMs: 10 * 24 * 60 * MINUTE },
        images: two(50, 50),
      },
      { status: 'target-reached', remove: ['a:space', 'b:space'], keep: {}, target: 91, freed: 100, usagePercent: 100 },
    ],
    [
      'high 100 %: 1 % available is 99 % used, below the threshold',
      {
        capacity: 1000,
        available: 10,
        policy: { highThresholdPercent: 100, lowThresholdPercent: 90, maxAgeMs: 10 * 24 * 60 * MINUTE },
        images: two(50, 50),
      },
      { status: 'below-threshold', remove: [], keep: { a: 'not-needed', b: 'not-needed' }, target: 0, freed: 0, usagePercent: 99 },
    ],
    [
      'more available than capacity is capped at capacity: 0 % used',
      { capacity: 100 * GB, available: 120 * GB, images: two(3 * GB, 3 * GB) },
      { status: 'below-threshold', remove: [], keep: { a: 'not-needed', b: 'not-needed' }, target: 0, freed: 0, usagePercent: 0 },
    ],
    [
      'capacity 0 is an error result, not an exception',
      { capacity: 0, available: 0, images: two(3 * GB, 3 * GB) },
      { status: 'invalid-filesystem', remove: [], keep: { a: 'not-evaluated', b: 'not-evaluated' }, target: 0, freed: 0, usagePercent: undefined },
    ],
    [
      'a capacity that is not a byte count is an error result too',
      { capacity: Number.NaN, available: 0, images: two(3 * GB, 3 * GB) },
      { status: 'invalid-filesystem', remove: [], keep: { a: 'not-evaluated', b: 'not-evaluated' }, target: 0, freed: 0, usagePercent: undefined },
    ],
  ];
  for (const [name, node, expected] of cases) {
    test(name, () => check(planImageGc(input(node)), expected));
  }

  test('petabyte filesystems: products past 2^53 are computed as the kubelet\'s int64 arithmetic does', () => {
    // 9 PB capacity, 1 byte short of 15 % available: ⌊(1.35e15 − 1) × 100 / 9e15⌋ = 14, so 86 % used.
    const capacity = 9_000_000_000_000_000;
    const available = 1_350_000_000_000_000 - 1;
    const plan = planImageGc(input({ capacity, available, images: [{ id: 'a', size: GB, firstSeen: 600 }] }));
    assert.equal(plan.usagePercent, 86);
    // Want ⌊9e15 × 20 / 100⌋ − available = 1.8e15 − 1.35e15 + 1.
    assert.equal(plan.shortfall?.wantedBytes, 450_000_000_000_001);
  });

  test('capacity 0 reports the kubelet\'s own message', () => {
    const plan = planImageGc(input({ capacity: 0, available: 0, images: [] }));
    assert.equal(plan.error?.message, 'invalid capacity 0 on image filesystem');
  });
});

describe('the age pass (MaxAge > 0)', () => {
  const hour = 60;
  const cases: readonly (readonly [name: string, node: TestNode, expected: Expected])[] = [
    [
      // p was never seen in use (Go's zero time) and goes even though it is younger than MinAge;
      // q is unused for 61 m > 60 m; r for exactly 60 m, which is not longer than MaxAge.
      'removes every candidate unused for longer than MaxAge, MinAge notwithstanding, in eviction order',
      {
        capacity: 100 * GB,
        available: 50 * GB,
        policy: { maxAgeMs: hour * MINUTE },
        images: [
          { id: 'r', size: 3 * GB, firstSeen: 600, lastUsed: 60 },
          { id: 'q', size: 2 * GB, firstSeen: 600, lastUsed: 61 },
          { id: 'p', size: 1 * GB, firstSeen: 1 },
          { id: 's', size: 4 * GB, firstSeen: 600, lastUsed: 0, usedBy: ['ctr-s'] },
          { id: 'k', size: 4 * GB, firstSeen: 600, pinned: true },
        ],
      },
      {
        status: 'below-threshold',
        remove: ['p:age', 'q:age'],
        keep: { r: 'not-needed', s: 'in-use', k: 'pinned' },
        target: 0,
        freed: 3 * GB,
        usagePercent: 50,
      },
    ],
    [
      'waits while tracking is not longer than MaxAge',
      {
        capacity: 100 * GB,
        available: 50 * GB,
        policy: { maxAgeMs: hour * MINUTE },
        tracked: hour,
        images: [{ id: 'q', size: 2 * GB, firstSeen: 60, lastUsed: 60 }, { id: 'p', size: 1 * GB, firstSeen: 30 }],
      },
      { status: 'below-threshold', remove: [], keep: { p: 'not-needed', q: 'not-needed' }, target: 0, freed: 0, usagePercent: 50 },
    ],
    [
      // 86 % used now; the age pass frees 3 GB, so 17 % is available when the space pass looks: 83 %.
      'space freed by the age pass counts before the space pass decides',
      {
        capacity: 100 * GB,
        available: 14 * GB,
        policy: { maxAgeMs: hour * MINUTE },
        images: [
          { id: 'p', size: 1 * GB, firstSeen: 600 },
          { id: 'q', size: 2 * GB, firstSeen: 600, lastUsed: 61 },
          { id: 'r', size: 5 * GB, firstSeen: 600, lastUsed: 30 },
        ],
      },
      { status: 'below-threshold', remove: ['p:age', 'q:age'], keep: { r: 'not-needed' }, target: 0, freed: 3 * GB, usagePercent: 86 },
    ],
    [
      // 90 % used; the age pass frees p (1 GB): 11 GB available, 89 % used; want 20 − 11 = 9 GB: r then s.
      'the age pass first, then the space pass on what remains',
      {
        capacity: 100 * GB,
        available: 10 * GB,
        policy: { maxAgeMs: hour * MINUTE },
        images: [
          { id: 's', size: 5 * GB, firstSeen: 600, lastUsed: 20 },
          { id: 'r', size: 5 * GB, firstSeen: 600, lastUsed: 30 },
          { id: 'p', size: 1 * GB, firstSeen: 600 },
          { id: 'y', size: 5 * GB, firstSeen: 600, lastUsed: 10 },
        ],
      },
      {
        status: 'target-reached',
        remove: ['p:age', 'r:space', 's:space'],
        keep: { y: 'not-needed' },
        target: 9 * GB,
        freed: 11 * GB,
        usagePercent: 90,
      },
    ],
    [
      // The kubelet runs the age pass before it reads the filesystem, so its removals stand.
      'an invalid capacity after the age pass keeps the age pass\'s removals',
      {
        capacity: 0,
        available: 0,
        policy: { maxAgeMs: hour * MINUTE },
        images: [
          { id: 'old', size: 2 * GB, firstSeen: 600, lastUsed: 120 },
          { id: 'new', size: 2 * GB, firstSeen: 600, lastUsed: 10 },
        ],
      },
      { status: 'invalid-filesystem', remove: ['old:age'], keep: { new: 'not-evaluated' }, target: 0, freed: 2 * GB, usagePercent: undefined },
    ],
  ];
  for (const [name, node, expected] of cases) {
    test(name, () => check(planImageGc(input(node)), expected));
  }

  test('reports whether the age pass ran, waited or is off', () => {
    const images: readonly TestImage[] = [{ id: 'a', size: GB, firstSeen: 600 }];
    const base = { capacity: 100 * GB, available: 50 * GB, images };
    assert.equal(planImageGc(input(base)).agePass, 'off');
    assert.equal(planImageGc(input({ ...base, policy: { maxAgeMs: 60 * MINUTE }, tracked: 60 })).agePass, 'waiting-for-history');
    assert.equal(planImageGc(input({ ...base, policy: { maxAgeMs: 60 * MINUTE }, tracked: 61 })).agePass, 'ran');
    assert.equal(planImageGc(input({ ...base, policy: { maxAgeMs: -1 } })).agePass, 'not-run');
  });
});

describe('history shorter than MinAge', () => {
  const images: readonly TestImage[] = [
    { id: 'a', size: 5 * GB, firstSeen: 0 },
    { id: 'b', size: 5 * GB, firstSeen: 0 },
  ];

  test('no stored history: every image is first seen now, too young, and the plan says why', () => {
    const plan = planImageGc(input({ capacity: 100 * GB, available: 10 * GB, images, tracked: 'none' }));
    check(plan, {
      status: 'shortfall',
      remove: [],
      keep: { a: 'too-young', b: 'too-young' },
      target: 10 * GB,
      freed: 0,
      usagePercent: 90,
      shortfall: { wanted: 10 * GB, eligible: 0 },
    });
    assert.equal(plan.historyShorterThanMinAge, true);
    assert.equal(plan.history.trackingSince, NOW);
    assert.match(plan.shortfall?.detail ?? '', /2 younger than MinAge \(2m\) \(10 GB\)\. Tracking began less than MinAge ago/);
  });

  test('tracking for exactly MinAge is long enough', () => {
    const plan = planImageGc(input({ capacity: 100 * GB, available: 10 * GB, images: [], tracked: 2 }));
    assert.equal(plan.historyShorterThanMinAge, false);
  });

  test('tracking for less than MinAge is flagged even when nothing needs freeing', () => {
    const plan = planImageGc(input({ capacity: 100 * GB, available: 90 * GB, images: [], tracked: 1 }));
    assert.equal(plan.historyShorterThanMinAge, true);
  });

  test('MinAge 0: a fresh history blocks nothing', () => {
    const plan = planImageGc(input({ capacity: 100 * GB, available: 10 * GB, images, tracked: 'none', policy: { minAgeMs: 0 } }));
    assert.equal(plan.historyShorterThanMinAge, false);
    assert.deepEqual(plan.remove.map((removal) => removal.id), ['a', 'b']);
  });
});

describe('the plan updates the history as the kubelet\'s detection does', () => {
  test('images in use get lastUsed = now, new images firstDetected = now, vanished images are dropped', () => {
    const node = input({
      capacity: 100 * GB,
      available: 50 * GB,
      images: [
        { id: 'used', size: GB, firstSeen: 600, lastUsed: 300, usedBy: ['ctr'] },
        { id: 'idle', size: GB, firstSeen: 600, lastUsed: 300 },
      ],
    });
    const previous = node.history;
    assert.ok(previous !== undefined);
    const withExtra = {
      ...node,
      images: [...node.images, { id: 'new', repoTags: [], repoDigests: [], size: GB, pinned: false }],
      history: { ...previous, images: [...previous.images, { id: 'gone', firstDetected: NOW - MINUTE }] },
    };
    const plan = planImageGc(withExtra);
    assert.deepEqual(plan.history.images, [
      { id: 'used', firstDetected: NOW - 600 * MINUTE, lastUsed: NOW },
      { id: 'idle', firstDetected: NOW - 600 * MINUTE, lastUsed: NOW - 300 * MINUTE },
      { id: 'new', firstDetected: NOW },
    ]);
    assert.equal(plan.history.trackingSince, previous.trackingSince);
  });
});

describe('odd listings', () => {
  test('an image id listed twice is planned once, as first listed', () => {
    const node = input({
      capacity: 100 * GB,
      available: 10 * GB,
      images: [
        { id: 'a', size: 4 * GB, firstSeen: 600, lastUsed: 30 },
        { id: 'b', size: 20 * GB, firstSeen: 600, lastUsed: 20 },
      ],
    });
    const plan = planImageGc({ ...node, images: [node.images[0], node.images[1], { ...node.images[0], size: 99 * GB }] });
    assert.deepEqual(plan.remove.map((removal) => [removal.id, removal.size]), [['a', 4 * GB], ['b', 20 * GB]]);
    assert.deepEqual(plan.keep, []);
    assert.deepEqual(plan.history.images.map((record) => record.id), ['a', 'b']);
  });

  test('a negative or non-numeric image size counts as 0 bytes freed', () => {
    const node = input({ capacity: 100 * GB, available: 10 * GB, images: [{ id: 'a', size: -5, firstSeen: 600 }, { id: 'b', size: Number.NaN, firstSeen: 600 }] });
    const plan = planImageGc(node);
    assert.deepEqual(plan.remove.map((removal) => [removal.id, removal.size]), [['a', 0], ['b', 0]]);
    assert.equal(plan.freed, 0);
    assert.equal(plan.status, 'shortfall');
  });
});

describe('validateGcPolicy: the kubelet\'s checks', () => {
  const policy = (change: Partial<GcPolicy>): GcPolicy => ({ ...DEFAULT_GC_POLICY, ...change });
  const cases: readonly (readonly [change: Partial<GcPolicy>, problems: readonly string[]])[] = [
    [{}, []],
    [{ highThresholdPercent: 85, lowThresholdPercent: 85 }, []],
    [{ highThresholdPercent: 0, lowThresholdPercent: 0 }, []],
    [{ highThresholdPercent: 100, lowThresholdPercent: 100 }, []],
    [{ highThresholdPercent: 100, lowThresholdPercent: 0 }, []],
    [{ maxAgeMs: 120_001 }, []],
    [{ highThresholdPercent: 101 }, ['invalid HighThresholdPercent 101, must be in range [0-100]']],
    [{ highThresholdPercent: -1, lowThresholdPercent: -5 }, [
      'invalid HighThresholdPercent -1, must be in range [0-100]',
      'invalid LowThresholdPercent -5, must be in range [0-100]',
    ]],
    [{ lowThresholdPercent: 101 }, ['invalid LowThresholdPercent 101, must be in range [0-100]']],
    [{ highThresholdPercent: 80, lowThresholdPercent: 90 }, ['LowThresholdPercent 90 can not be higher than HighThresholdPercent 80']],
    [{ highThresholdPercent: 85.5 }, ['invalid HighThresholdPercent 85.5, must be a whole number']],
    [{ lowThresholdPercent: Number.NaN }, ['invalid LowThresholdPercent NaN, must be a whole number']],
    [{ minAgeMs: -1000 }, ['MinAge -1s must not be negative']],
    [{ maxAgeMs: -60_000 }, ['MaxAge -1m must not be negative']],
    [{ maxAgeMs: Number.POSITIVE_INFINITY }, ['invalid MaxAge Infinity, must be a duration']],
    [{ maxAgeMs: 120_000 }, ['MaxAge 2m must be greater than MinAge 2m (or 0 to turn it off)']],
    [{ maxAgeMs: 60_000 }, ['MaxAge 1m must be greater than MinAge 2m (or 0 to turn it off)']],
  ];
  for (const [change, problems] of cases) {
    test(`${JSON.stringify(change)} → ${problems.length === 0 ? 'valid' : problems.join('; ')}`, () => {
      assert.deepEqual(validateGcPolicy(policy(change)), problems);
    });
  }

  test('an invalid policy is an error result that judges no image', () => {
    const plan = planImageGc(
      input({
        capacity: 100 * GB,
        available: 10 * GB,
        policy: { highThresholdPercent: 80, lowThresholdPercent: 90 },
        images: [
          { id: 'a', size: GB, firstSeen: 600 },
          { id: 'b', size: GB, firstSeen: 600, usedBy: ['ctr'] },
        ],
      }),
    );
    assert.equal(plan.status, 'invalid-policy');
    assert.equal(plan.error?.message, 'The GC policy is invalid: LowThresholdPercent 90 can not be higher than HighThresholdPercent 80.');
    assert.deepEqual(plan.remove, []);
    assert.deepEqual(plan.keep.map((kept) => [kept.id, kept.reason]), [['a', 'not-evaluated'], ['b', 'in-use']]);
  });
});

describe('plan details name the figures behind each decision', () => {
  test('sentences for removals and keeps', () => {
    const plan = planImageGc(
      input({
        capacity: 100 * GB,
        available: 10 * GB,
        policy: { maxAgeMs: 6 * 60 * MINUTE },
        images: [
          { id: 'aged', size: GB, firstSeen: 900, lastUsed: 400 },
          { id: 'spaced', size: 12 * GB, firstSeen: 300, lastUsed: 90 },
          { id: 'young', size: GB, firstSeen: 1 },
          { id: 'used', size: GB, firstSeen: 600, usedBy: ['0123456789abcdef'] },
          { id: 'pin', size: GB, firstSeen: 600, pinned: true },
        ],
      }),
    );
    const detail = (id: string): string =>
      [...plan.remove, ...plan.keep].find((item) => item.id === id)?.detail ?? 'missing';
    assert.equal(detail('aged'), 'Unused for 6h 40m, longer than MaxAge (6h).');
    // The age pass frees 2 GB: 12 GB available, 88 % used, want 20 − 12 = 8 GB.
    assert.equal(detail('spaced'), 'Last used 1h 30m ago, first seen 5h ago; removing it brings the space freed to 12 GB of 8 GB.');
    assert.match(detail('young'), /^Not seen in use by any container since tracking began 1d ago, longer than MaxAge \(6h\)\.$/);
    assert.equal(detail('used'), 'Used by 1 container (0123456789abc); the kubelet counts containers in every state, exited ones too.');
    assert.equal(detail('pin'), 'Pinned by the runtime; the kubelet never garbage-collects a pinned image.');
    assert.match(plan.summary, /usage is 88 % after the age pass \(90 % now\), at or above the high threshold of 85 %; the kubelet frees 8 GB to get down to 80 %/);
  });

  test('a sentence is written when read and says the same every time', () => {
    const plan = planImageGc(
      input({
        capacity: 100 * GB,
        available: 5 * GB,
        policy: { minAgeMs: 30 * MINUTE },
        images: [
          { id: 'first', size: 4 * GB, firstSeen: 300 },
          { id: 'second', size: 6 * GB, firstSeen: 200, lastUsed: 45 },
          { id: 'fresh', size: GB, firstSeen: 10 },
        ],
      }),
    );
    const [first, second] = plan.remove;
    // Each removal carries the running total at its own step, not the plan's final one.
    assert.equal(first.detail, 'Never seen in use, first seen 5h ago; removing it brings the space freed to 4 GB of 15 GB.');
    assert.equal(second.detail, 'Last used 45m ago, first seen 3h 20m ago; removing it brings the space freed to 10 GB of 15 GB.');
    const fresh = plan.keep.find((item) => item.id === 'fresh');
    assert.equal(fresh?.detail, 'First seen 10m ago, less than MinAge (30m); the kubelet keeps new images because a container may be about to use them.');
    assert.equal(fresh?.detail, fresh?.detail);
    // Serialised, an entry is its public fields with the sentence, nothing internal.
    assert.deepEqual(JSON.parse(JSON.stringify(fresh)), {
      id: 'fresh',
      repoTags: ['registry.example/fresh:1'],
      size: GB,
      reason: 'too-young',
      detail: 'First seen 10m ago, less than MinAge (30m); the kubelet keeps new images because a container may be about to use them.',
    });
    assert.deepEqual(Object.keys({ ...first }).sort(), ['id', 'reason', 'repoTags', 'size']);
  });
});

describe('human units', () => {
  const bytes: readonly (readonly [number, string])[] = [
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1500, '1.5 kB'],
    [999_949, '1 MB'],
    [123_456_789, '123 MB'],
    [1_234_567_890, '1.23 GB'],
    [-2000, '-2 kB'],
  ];
  for (const [value, text] of bytes) test(`formatBytes(${value}) = ${text}`, () => assert.equal(formatBytes(value), text));
  const durations: readonly (readonly [number, string])[] = [
    [0, '0s'],
    [250, '250ms'],
    [45_000, '45s'],
    [120_000, '2m'],
    [3_900_000, '1h 5m'],
    [2 * 86_400_000, '2d'],
    [3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '3d 4h'],
    [-60_000, '-1m'],
  ];
  for (const [value, text] of durations) test(`formatDuration(${value}) = ${text}`, () => assert.equal(formatDuration(value), text));
});
