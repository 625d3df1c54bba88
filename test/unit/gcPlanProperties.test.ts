// Properties of kubelet GC plans over thousands of seeded synthetic nodes (bench/gcPlan.ts makes
// them: every container-to-image form, pinned images, ties, missing history, odd filesystems,
// random valid policies). Each property is checked against facts computed here from the input
// alone, not from the planner's own intermediate results.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { syntheticNode } from '../../bench/gcPlan';
import { planImageGc, type GcPlan, type GcPlanInput } from '../../client/src/cri/gc/gcPlan';

const NODES = 3000;

interface Facts {
  readonly ids: ReadonlySet<string>;
  readonly size: ReadonlyMap<string, number>;
  readonly pinned: ReadonlySet<string>;
  readonly inUse: ReadonlySet<string>;
  readonly firstDetected: ReadonlyMap<string, number>;
  readonly lastUsed: ReadonlyMap<string, number | undefined>;
  readonly trackingSince: number;
}

/** What the kubelet would know, derived from the input by hand. */
function factsOf(input: GcPlanInput): Facts {
  const byName = new Map<string, string>();
  for (const image of input.images) for (const name of [image.id, ...image.repoDigests, ...image.repoTags]) byName.set(name, image.id);
  const inUse = new Set<string>();
  for (const container of input.containers) {
    for (const reference of [container.imageId, container.imageRef, container.image]) {
      const id = reference === undefined ? undefined : byName.get(reference);
      if (id !== undefined) inUse.add(id);
    }
  }
  const stored = new Map((input.history?.images ?? []).map((record) => [record.id, record]));
  const firstDetected = new Map<string, number>();
  const lastUsed = new Map<string, number | undefined>();
  for (const image of input.images) {
    const record = stored.get(image.id);
    firstDetected.set(image.id, record?.firstDetected ?? input.now);
    lastUsed.set(image.id, inUse.has(image.id) ? input.now : record?.lastUsed);
  }
  return {
    ids: new Set(input.images.map((image) => image.id)),
    size: new Map(input.images.map((image) => [image.id, image.size])),
    pinned: new Set(input.images.filter((image) => image.pinned).map((image) => image.id)),
    inUse,
    firstDetected,
    lastUsed,
    trackingSince: input.history?.trackingSince ?? input.now,
  };
}

/** The kubelet's order: last use (never used first), then first detection. */
function inEvictionOrder(facts: Facts, before: string, after: string): boolean {
  const usedBefore = facts.lastUsed.get(before) ?? Number.NEGATIVE_INFINITY;
  const usedAfter = facts.lastUsed.get(after) ?? Number.NEGATIVE_INFINITY;
  if (usedBefore !== usedAfter) return usedBefore < usedAfter;
  return (facts.firstDetected.get(before) ?? 0) <= (facts.firstDetected.get(after) ?? 0);
}

function usagePercent(available: number, capacity: number): number {
  const capped = available > capacity ? capacity : available;
  return 100 - Number((BigInt(capped) * 100n) / BigInt(capacity));
}

function checkNode(seed: number): void {
  const input = syntheticNode({ seed, images: seed % 7 === 0 ? 0 : 1 + (seed % 60) });
  const facts = factsOf(input);
  const { policy, now } = input;
  let plan: GcPlan;
  try {
    plan = planImageGc(input);
  } catch (error) {
    assert.fail(`seed ${seed}: planImageGc threw ${String(error)}`);
  }
  const where = `seed ${seed} (${plan.status})`;

  // Every image is accounted for exactly once.
  const listed = [...plan.remove.map((item) => item.id), ...plan.keep.map((item) => item.id)];
  assert.equal(listed.length, facts.ids.size, `${where}: every image once`);
  assert.deepEqual(new Set(listed), facts.ids, `${where}: the same images`);

  // Never an image in use or pinned, and those are always reported as such.
  for (const removal of plan.remove) {
    assert.ok(!facts.inUse.has(removal.id), `${where}: removes ${removal.id}, which a container uses`);
    assert.ok(!facts.pinned.has(removal.id), `${where}: removes pinned ${removal.id}`);
  }
  for (const kept of plan.keep) {
    if (facts.inUse.has(kept.id)) assert.equal(kept.reason, 'in-use', `${where}: ${kept.id} is in use`);
    else if (facts.pinned.has(kept.id)) assert.equal(kept.reason, 'pinned', `${where}: ${kept.id} is pinned`);
  }

  // Freed is what the removals add up to.
  const freed = plan.remove.reduce((total, removal) => total + (facts.size.get(removal.id) ?? 0), 0);
  assert.equal(plan.freed, freed, `${where}: freed`);

  // Age removals first, then space removals, each pass in eviction order.
  const age = plan.remove.filter((removal) => removal.reason === 'age');
  const space = plan.remove.filter((removal) => removal.reason === 'space');
  assert.deepEqual(plan.remove, [...age, ...space], `${where}: the age pass comes first`);
  for (const pass of [age, space]) {
    for (let index = 1; index < pass.length; index++) {
      assert.ok(inEvictionOrder(facts, pass[index - 1].id, pass[index].id), `${where}: ${pass[index - 1].id} before ${pass[index].id}`);
    }
  }

  // The age pass: only when MaxAge is on and tracking is longer than MaxAge; it takes every
  // candidate unused for longer than MaxAge (never used counts) and nothing else.
  const ageEligible = (id: string): boolean => {
    const lastUsed = facts.lastUsed.get(id);
    return lastUsed === undefined || now - lastUsed > policy.maxAgeMs;
  };
  const ageRan = plan.agePass === 'ran';
  assert.equal(ageRan, plan.status !== 'invalid-policy' && policy.maxAgeMs > 0 && now - facts.trackingSince > policy.maxAgeMs, `${where}: age pass`);
  for (const removal of age) assert.ok(ageEligible(removal.id), `${where}: ${removal.id} is not old enough for the age pass`);
  if (ageRan) {
    for (const kept of plan.keep) {
      if (kept.reason !== 'in-use' && kept.reason !== 'pinned') assert.ok(!ageEligible(kept.id), `${where}: the age pass misses ${kept.id}`);
    }
  }

  // MinAge and "used since the pass began" hold for every space removal.
  for (const removal of space) {
    assert.ok(now - (facts.firstDetected.get(removal.id) ?? now) >= policy.minAgeMs, `${where}: ${removal.id} is younger than MinAge`);
    const lastUsed = facts.lastUsed.get(removal.id);
    assert.ok(lastUsed === undefined || lastUsed < now, `${where}: ${removal.id} was used since the pass began`);
  }
  for (const kept of plan.keep) {
    if (kept.reason === 'too-young') assert.ok(now - (facts.firstDetected.get(kept.id) ?? now) < policy.minAgeMs, `${where}: ${kept.id} is not young`);
  }

  // The space pass runs exactly when usage (after the age pass) reaches the high threshold.
  const { capacityBytes, availableBytes } = input.filesystem;
  if (plan.status === 'invalid-policy' || plan.status === 'disabled' || capacityBytes === 0) {
    assert.equal(space.length, 0, `${where}: no space pass`);
    if (capacityBytes === 0 && plan.status !== 'invalid-policy' && plan.status !== 'disabled') {
      assert.equal(plan.status, 'invalid-filesystem', `${where}: capacity 0`);
    }
    return;
  }
  const ageFreed = age.reduce((total, removal) => total + (facts.size.get(removal.id) ?? 0), 0);
  const availableAfterAge = Math.min(capacityBytes, Math.min(availableBytes, capacityBytes) + ageFreed);
  const triggered = usagePercent(availableAfterAge, capacityBytes) >= policy.highThresholdPercent;
  assert.equal(plan.usagePercent, usagePercent(availableBytes, capacityBytes), `${where}: usage`);
  if (!triggered) {
    assert.equal(plan.status, 'below-threshold', `${where}: below the threshold`);
    assert.equal(space.length, 0, `${where}: nothing for space below the threshold`);
    return;
  }
  const wanted = Math.floor((capacityBytes * (100 - policy.lowThresholdPercent)) / 100) - availableAfterAge;
  assert.equal(plan.target.bytes, Math.max(0, wanted), `${where}: target`);

  // Stops once the target is reached: before the last removal it had not been.
  let running = 0;
  for (const removal of space.slice(0, -1)) {
    running += facts.size.get(removal.id) ?? 0;
    assert.ok(running < wanted, `${where}: went on after reaching the target`);
  }
  const spaceFreed = plan.freed - ageFreed;
  if (plan.shortfall === undefined) {
    assert.equal(plan.status, 'target-reached', `${where}: status`);
    assert.ok(spaceFreed >= wanted, `${where}: freed ${spaceFreed} < target ${wanted} without a shortfall`);
  } else {
    assert.equal(plan.status, 'shortfall', `${where}: status`);
    assert.ok(spaceFreed < wanted, `${where}: a shortfall although the target is reached`);
    assert.equal(plan.shortfall.wantedBytes, wanted, `${where}: wanted`);
    assert.equal(plan.shortfall.eligibleBytes, spaceFreed, `${where}: eligible`);
    // Short of the target, every candidate that may go has gone.
    for (const kept of plan.keep) assert.notEqual(kept.reason, 'not-needed', `${where}: ${kept.id} could have gone`);
  }
  // Candidates left as not needed all come after the last space removal in eviction order.
  const last = space.at(-1);
  for (const kept of plan.keep) {
    if (kept.reason === 'not-needed' && last !== undefined) {
      assert.ok(inEvictionOrder(facts, last.id, kept.id), `${where}: ${kept.id} skipped before the stopping point`);
    }
  }
}

test(`${NODES} synthetic nodes: the plan keeps every invariant`, () => {
  const statuses = new Map<string, number>();
  for (let seed = 1; seed <= NODES; seed++) {
    checkNode(seed);
    const status = planImageGc(syntheticNode({ seed, images: seed % 7 === 0 ? 0 : 1 + (seed % 60) })).status;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  // The generator must reach every outcome, or the properties above prove less than they claim.
  for (const status of ['invalid-filesystem', 'disabled', 'below-threshold', 'target-reached', 'shortfall']) {
    assert.ok((statuses.get(status) ?? 0) >= 20, `only ${statuses.get(status) ?? 0} nodes end ${status}`);
  }
});

test('the same node always gives the same plan, whatever order the runtime lists its images in', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const input = syntheticNode({ seed, images: 40 });
    const plan = planImageGc(input);
    assert.deepEqual(planImageGc(input), plan, `seed ${seed}: deterministic`);
    const reversed = planImageGc({ ...input, images: [...input.images].reverse() });
    assert.deepEqual(
      reversed.remove.map((removal) => removal.id),
      plan.remove.map((removal) => removal.id),
      `seed ${seed}: removal order does not depend on listing order`,
    );
  }
});

test('the plan leaves its input untouched', () => {
  for (let seed = 1; seed <= 100; seed++) {
    const input = syntheticNode({ seed, images: 30 });
    const before = JSON.stringify(input);
    planImageGc(input);
    assert.equal(JSON.stringify(input), before, `seed ${seed}`);
  }
});
