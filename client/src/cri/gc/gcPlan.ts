/**
 * Image garbage collection planned exactly as the kubelet would carry it out
 * (`GarbageCollect` in pkg/kubelet/images/image_gc_manager.go), but only planned: the caller shows
 * the plan, asks, and removes. Pure: images, containers, filesystem figures, policy, clock and
 * history in; removals and keeps, each with a reason, out.
 *
 * The kubelet's steps, in its order:
 * 1. Detect images at `now` (the history update) and list the candidates: every image that no
 *    container uses and the runtime has not pinned, sorted by last use, oldest first, ties by
 *    first detection (`byLastUsedAndDetected`). An image never seen in use sorts first.
 * 2. Age pass, when MaxAge > 0 and the kubelet has run for longer than MaxAge (for us: tracking
 *    began longer ago than MaxAge): remove every candidate unused for longer than MaxAge. MinAge
 *    does not apply here.
 * 3. Read the image filesystem. Capacity 0 is an error, reported after the age pass has run.
 *    usage% = 100 − ⌊available × 100 / capacity⌋ (available capped at capacity).
 * 4. Space pass, when usage% ≥ HighThresholdPercent: want ⌊capacity × (100 − Low) / 100⌋ −
 *    available bytes; walk the remaining candidates in order, skip any used at or after the pass
 *    began and any first detected less than MinAge ago, remove the rest one by one, and stop as
 *    soon as the bytes removed reach the target. Short of it: the kubelet's error, saying how
 *    much it wanted and how much it found eligible.
 *
 * Differences a reader should know about:
 * - The kubelet re-reads the filesystem after the age pass; we cannot, so we assume the age pass
 *   made its images' sizes available, which is how the kubelet counts freed bytes itself.
 * - Go's sort is not stable; where last use and first detection tie we order by image id so the
 *   same node always gives the same plan.
 * - With low == high, rounding can leave a target of 0 or less while usage is at the high
 *   threshold; the kubelet then still removes the first eligible image, and so do we.
 */
import { formatBytes, formatDuration } from './humanUnits';
import { isGcDisabled, validateGcPolicy, type GcPolicy } from './gcPolicy';
import { updateImageHistoryWithUse, type ImageHistory } from './imageHistory';
import { distinctImages, findImagesInUse, type NodeContainer, type NodeImage } from './imagesInUse';

/**
 * The image filesystem. The kubelet takes `usedBytes` from CRI `ImageFsInfo` and capacity and
 * available bytes from the host filesystem holding that mountpoint (CRI reports usage only).
 */
export interface ImageFilesystemStats {
  readonly capacityBytes: number;
  readonly availableBytes: number;
  /** What the runtime says the images occupy; shown to the user, not part of the decision. */
  readonly usedBytes?: number;
}

export interface GcPlanInput {
  readonly images: readonly NodeImage[];
  /** Every container, in every state. */
  readonly containers: readonly NodeContainer[];
  readonly filesystem: ImageFilesystemStats;
  readonly policy: GcPolicy;
  /** Milliseconds since the epoch: the moment the pass begins. */
  readonly now: number;
  /** The node's history as stored; undefined when none is, which starts tracking now. */
  readonly history: ImageHistory | undefined;
}

/** Why an image goes: the label the kubelet's `image_garbage_collected_total` metric uses. */
export type GcRemovalReason = 'age' | 'space';

export type GcKeepReason =
  /** A container (any state) uses it. */
  | 'in-use'
  /** The runtime pinned it (sandbox images, for example). */
  | 'pinned'
  /** First detected less than MinAge ago. */
  | 'too-young'
  /** Recorded in use at or after the moment the pass began. */
  | 'used-since-pass-began'
  /** Removable, but no pass needs it: below the high threshold, target already reached, or GC disabled. */
  | 'not-needed'
  /** The kubelet stopped before judging it: invalid policy or filesystem. */
  | 'not-evaluated';

interface PlannedImage {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly size: number;
  /** One sentence saying why, with the figures behind it; written when first read. */
  readonly detail: string;
}

export interface GcRemoval extends PlannedImage {
  readonly reason: GcRemovalReason;
}

export interface GcKeep extends PlannedImage {
  readonly reason: GcKeepReason;
  /** The containers using it, for `in-use`. */
  readonly inUseBy?: readonly string[];
}

export interface GcShortfall {
  /** What the space pass set out to free. */
  readonly wantedBytes: number;
  /** What it found eligible and would free: every eligible candidate's size. */
  readonly eligibleBytes: number;
  /** The kubelet's own error text for this case. */
  readonly message: string;
  /** What stood in the way, in words. */
  readonly detail: string;
}

export type GcPlanStatus =
  | 'invalid-policy'
  | 'invalid-filesystem'
  | 'disabled'
  | 'below-threshold'
  | 'target-reached'
  | 'shortfall';

export type GcAgePass =
  /** MaxAge is 0. */
  | 'off'
  /** The kubelet stopped before it: the policy is invalid. */
  | 'not-run'
  /** MaxAge is set, but tracking began MaxAge ago or less, so last use is not yet known well enough. */
  | 'waiting-for-history'
  | 'ran';

export interface GcPlan {
  readonly status: GcPlanStatus;
  /** One or two sentences for the preview's header. */
  readonly summary: string;
  /** Set for the `invalid-*` statuses: what the kubelet would report. */
  readonly error?: { readonly message: string };
  /** Bytes the space pass wants to free; 0 when it does not run. */
  readonly target: { readonly bytes: number };
  /** In the order the kubelet would remove them: the age pass, then the space pass. */
  readonly remove: readonly GcRemoval[];
  /** Every other image once: judged candidates in eviction order, then in-use and pinned images in listed order. */
  readonly keep: readonly GcKeep[];
  /** Bytes all removals free together. */
  readonly freed: number;
  readonly shortfall?: GcShortfall;
  /** Tracking began less than MinAge ago, so every image is still too young to go for space. */
  readonly historyShorterThanMinAge: boolean;
  readonly agePass: GcAgePass;
  /** Image filesystem usage as measured, in the kubelet's whole percent; undefined when the capacity is invalid. */
  readonly usagePercent: number | undefined;
  /** The history after this pass's detection at `now`; store it. */
  readonly history: ImageHistory;
}

interface Candidate {
  readonly image: NodeImage;
  readonly size: number;
  /** From the history. Never seen in use is -Infinity, which sorts first, like Go's zero time. */
  readonly lastUsed: number;
  readonly firstDetected: number;
}

export function planImageGc(input: GcPlanInput): GcPlan {
  const { policy, now } = input;
  const { images, ids } = distinctImages(input.images);
  const inUse = findImagesInUse(images, input.containers, ids);
  const history = updateImageHistoryWithUse(input.history, images, inUse, now);
  const trackedFor = now - history.trackingSince;
  const historyShorterThanMinAge = trackedFor < policy.minAgeMs;
  const context: SentenceContext = { now, trackingSince: history.trackingSince, policy, wantedBytes: 0 };

  const excluded: GcKeep[] = [];
  const candidates: Candidate[] = [];
  for (let index = 0; index < images.length; index++) {
    const image = images[index];
    const users = inUse.get(image.id);
    if (users !== undefined) {
      excluded.push(PlannedImageEntry.inUse(image, users));
    } else if (image.pinned) {
      excluded.push(keep(image, 'pinned', 'Pinned by the runtime; the kubelet never garbage-collects a pinned image.'));
    } else {
      // The updated history holds one record per image, in the order of `images`.
      const record = history.images[index];
      candidates.push({
        image,
        size: sizeOf(image),
        lastUsed: record.lastUsed ?? Number.NEGATIVE_INFINITY,
        firstDetected: record.firstDetected,
      });
    }
  }
  candidates.sort(byLastUsedAndDetected);

  const base = { historyShorterThanMinAge, history };
  const problems = validateGcPolicy(policy);
  if (problems.length > 0) {
    const message = `The GC policy is invalid: ${problems.join('; ')}.`;
    const notEvaluated = candidates.map(({ image }) =>
      keep(image, 'not-evaluated', 'Not judged: the kubelet refuses to start image garbage collection with an invalid policy.'),
    );
    return {
      ...base,
      status: 'invalid-policy',
      summary: message,
      error: { message },
      target: { bytes: 0 },
      remove: [],
      keep: [...notEvaluated, ...excluded],
      freed: 0,
      agePass: 'not-run',
      usagePercent: measuredUsagePercent(input.filesystem),
    };
  }

  if (isGcDisabled(policy)) {
    const reason = 'The kubelet does not run image garbage collection at all when the high threshold is 100 % and MaxAge is 0.';
    return {
      ...base,
      status: 'disabled',
      summary: reason,
      target: { bytes: 0 },
      remove: [],
      keep: [...candidates.map(({ image }) => keep(image, 'not-needed', reason)), ...excluded],
      freed: 0,
      agePass: 'off',
      usagePercent: measuredUsagePercent(input.filesystem),
    };
  }

  const { agePass, removed: ageRemovals, remaining } = runAgePass(candidates, context, trackedFor);
  const ageFreed = sum(ageRemovals.map((removal) => removal.size));
  const ageSentence = describeAgePass(agePass, ageRemovals.length, ageFreed, policy, trackedFor);

  const filesystem = readFilesystem(input.filesystem);
  if (!filesystem.ok) {
    const notEvaluated = remaining.map(({ image }) =>
      keep(image, 'not-evaluated', 'Not judged for space: the kubelet stops at the invalid image filesystem capacity.'),
    );
    return {
      ...base,
      status: 'invalid-filesystem',
      summary: joinSentences(ageSentence, `The image filesystem cannot be judged: ${filesystem.message}.`),
      error: { message: filesystem.message },
      target: { bytes: 0 },
      remove: ageRemovals,
      keep: [...notEvaluated, ...excluded],
      freed: ageFreed,
      agePass,
      usagePercent: undefined,
    };
  }

  const { capacity, available } = filesystem;
  const usagePercent = usagePercentOf(available, capacity);
  // The kubelet reads the filesystem after the age pass; the bytes it removed count as available.
  const afterAgePass = available + BigInt(ageFreed);
  const availableAtSpacePass = afterAgePass > capacity ? capacity : afterAgePass;
  const usageAtSpacePass = usagePercentOf(availableAtSpacePass, capacity);
  const usageWords = ageFreed > 0 ? `${usageAtSpacePass} % after the age pass (${usagePercent} % now)` : `${usagePercent} %`;

  if (usageAtSpacePass < policy.highThresholdPercent) {
    const reason = `Image filesystem usage is ${usageWords}, below the high threshold of ${policy.highThresholdPercent} %, so the kubelet frees no space.`;
    return {
      ...base,
      status: 'below-threshold',
      summary: joinSentences(ageSentence, reason),
      target: { bytes: 0 },
      remove: ageRemovals,
      keep: [...remaining.map(({ image }) => keep(image, 'not-needed', reason)), ...excluded],
      freed: ageFreed,
      agePass,
      usagePercent,
    };
  }

  const wanted = Number((capacity * BigInt(100 - policy.lowThresholdPercent)) / 100n - availableAtSpacePass);
  const space = runSpacePass(remaining, { ...context, wantedBytes: wanted });
  const freed = ageFreed + space.freed;
  const targetBytes = Math.max(0, wanted);
  const aim =
    wanted > 0
      ? `Image filesystem usage is ${usageWords}, at or above the high threshold of ${policy.highThresholdPercent} %; the kubelet frees ${formatBytes(wanted)} to get down to ${policy.lowThresholdPercent} %.`
      : `Image filesystem usage is ${usageWords}, at the high threshold of ${policy.highThresholdPercent} % but, after rounding, already at the low threshold of ${policy.lowThresholdPercent} %; the kubelet still removes the first eligible image.`;
  const keepAll = [...space.kept, ...excluded];

  if (space.freed < wanted) {
    const message = `Failed to garbage collect required amount of images. Attempted to free ${wanted} bytes, but only found ${space.freed} bytes eligible to free.`;
    const detail = describeShortfall(keepAll, historyShorterThanMinAge, policy);
    return {
      ...base,
      status: 'shortfall',
      summary: joinSentences(ageSentence, aim, `Only ${formatBytes(space.freed)} is eligible. ${detail}`),
      target: { bytes: targetBytes },
      remove: [...ageRemovals, ...space.removed],
      keep: keepAll,
      freed,
      shortfall: { wantedBytes: wanted, eligibleBytes: space.freed, message, detail },
      agePass,
      usagePercent,
    };
  }
  const count = space.removed.length;
  return {
    ...base,
    status: 'target-reached',
    summary: joinSentences(ageSentence, aim, `Removing ${count} image${count === 1 ? '' : 's'} frees ${formatBytes(space.freed)}.`),
    target: { bytes: targetBytes },
    remove: [...ageRemovals, ...space.removed],
    keep: keepAll,
    freed,
    agePass,
    usagePercent,
  };
}

function runAgePass(
  candidates: readonly Candidate[],
  context: SentenceContext,
  trackedFor: number,
): { agePass: GcAgePass; removed: GcRemoval[]; remaining: readonly Candidate[] } {
  const { policy, now } = context;
  if (policy.maxAgeMs === 0) return { agePass: 'off', removed: [], remaining: candidates };
  // The kubelet waits until it has run for longer than MaxAge, or it would judge last use it never saw.
  if (trackedFor <= policy.maxAgeMs) return { agePass: 'waiting-for-history', removed: [], remaining: candidates };
  const removed: GcRemoval[] = [];
  const remaining: Candidate[] = [];
  for (const candidate of candidates) {
    // Never seen in use is Go's zero time: unused for longer than any MaxAge.
    if (now - candidate.lastUsed > policy.maxAgeMs) {
      removed.push(PlannedImageEntry.judged(candidate, 'age', context));
    } else {
      remaining.push(candidate);
    }
  }
  return { agePass: 'ran', removed, remaining };
}

function runSpacePass(candidates: readonly Candidate[], context: SentenceContext): { removed: GcRemoval[]; kept: GcKeep[]; freed: number } {
  const { policy, now, wantedBytes: wanted } = context;
  const removed: GcRemoval[] = [];
  const kept: GcKeep[] = [];
  let freed = 0;
  let index = 0;
  for (; index < candidates.length; index++) {
    const candidate = candidates[index];
    const { image, size } = candidate;
    if (candidate.lastUsed >= now) {
      kept.push(keep(image, 'used-since-pass-began', 'Recorded in use at or after the moment this pass began; the kubelet skips it.'));
      continue;
    }
    if (now - candidate.firstDetected < policy.minAgeMs) {
      kept.push(PlannedImageEntry.judged(candidate, 'too-young', context));
      continue;
    }
    freed += size;
    removed.push(PlannedImageEntry.judged(candidate, 'space', context, freed));
    if (freed >= wanted) {
      index++;
      break;
    }
  }
  for (; index < candidates.length; index++) {
    kept.push(keep(candidates[index].image, 'not-needed', 'The target is reached before the kubelet gets to this image.'));
  }
  return { removed, kept, freed };
}

type FilesystemReading =
  | { readonly ok: true; readonly capacity: bigint; readonly available: bigint }
  | { readonly ok: false; readonly message: string };

function readFilesystem(stats: ImageFilesystemStats): FilesystemReading {
  const { capacityBytes, availableBytes } = stats;
  if (!isByteCount(capacityBytes)) return { ok: false, message: `invalid capacity ${capacityBytes} on image filesystem` };
  if (!isByteCount(availableBytes)) return { ok: false, message: `invalid available bytes ${availableBytes} on image filesystem` };
  // The kubelet's own message for this case.
  if (capacityBytes === 0) return { ok: false, message: 'invalid capacity 0 on image filesystem' };
  const capacity = BigInt(capacityBytes);
  const available = BigInt(availableBytes);
  // The kubelet logs this and carries on with available = capacity.
  return { ok: true, capacity, available: available > capacity ? capacity : available };
}

function measuredUsagePercent(stats: ImageFilesystemStats): number | undefined {
  const filesystem = readFilesystem(stats);
  return filesystem.ok ? usagePercentOf(filesystem.available, filesystem.capacity) : undefined;
}

/** 100 − ⌊available × 100 / capacity⌋, in exact integers as the kubelet's int64 arithmetic. */
function usagePercentOf(available: bigint, capacity: bigint): number {
  return 100 - Number((available * 100n) / capacity);
}

function isByteCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function byLastUsedAndDetected(a: Candidate, b: Candidate): number {
  if (a.lastUsed !== b.lastUsed) return a.lastUsed < b.lastUsed ? -1 : 1;
  if (a.firstDetected !== b.firstDetected) return a.firstDetected < b.firstDetected ? -1 : 1;
  return a.image.id < b.image.id ? -1 : a.image.id > b.image.id ? 1 : 0;
}

/** A size the runtime reported as garbage frees nothing we can count on. */
function sizeOf(image: NodeImage): number {
  return Number.isFinite(image.size) && image.size > 0 ? image.size : 0;
}

/** What the sentences of one plan share. */
interface SentenceContext {
  readonly now: number;
  readonly trackingSince: number;
  readonly policy: GcPolicy;
  /** The space pass's target; 0 outside it. */
  readonly wantedBytes: number;
}

/**
 * One image in a plan. Its sentence is written when first read rather than when planned: a plan
 * of 10,000 images is mostly read by its counts and its first screen, and writing every sentence
 * up front was most of the plan's allocation and of its slowest runs (see bench/README.md).
 */
class PlannedImageEntry<Reason extends GcRemovalReason | GcKeepReason> {
  readonly id: string;
  readonly repoTags: readonly string[];
  /** Set only on in-use entries, so other entries have no such key at all. */
  declare readonly inUseBy?: readonly string[];
  // Private fields stay out of JSON, spreads and deep comparisons: the entry reads as plain data.
  #detail: string | undefined;
  readonly #context: SentenceContext | undefined;
  readonly #candidate: Candidate | undefined;
  readonly #freedSoFar: number;

  /** An entry whose sentence is already written, usually one shared by many images. */
  static written<Reason extends GcKeepReason>(image: NodeImage, reason: Reason, detail: string): PlannedImageEntry<Reason> {
    return new PlannedImageEntry(image, sizeOf(image), reason, detail, undefined, undefined, 0);
  }

  static inUse(image: NodeImage, users: readonly string[]): PlannedImageEntry<'in-use'> {
    const entry = new PlannedImageEntry(image, sizeOf(image), 'in-use', undefined, undefined, undefined, 0);
    (entry as { inUseBy?: readonly string[] }).inUseBy = users;
    return entry;
  }

  /** A candidate judged by a pass; `freedSoFar` is the space pass's running total including it. */
  static judged<Reason extends 'age' | 'space' | 'too-young'>(
    candidate: Candidate,
    reason: Reason,
    context: SentenceContext,
    freedSoFar = 0,
  ): PlannedImageEntry<Reason> {
    return new PlannedImageEntry(candidate.image, candidate.size, reason, undefined, context, candidate, freedSoFar);
  }

  private constructor(
    image: NodeImage,
    readonly size: number,
    readonly reason: Reason,
    detail: string | undefined,
    context: SentenceContext | undefined,
    candidate: Candidate | undefined,
    freedSoFar: number,
  ) {
    this.id = image.id;
    this.repoTags = image.repoTags;
    this.#detail = detail;
    this.#context = context;
    this.#candidate = candidate;
    this.#freedSoFar = freedSoFar;
  }

  get detail(): string {
    this.#detail ??= this.#write();
    return this.#detail;
  }

  /** The entry as plain data, sentence included, for anything that serialises a plan. */
  toJSON(): GcRemoval | GcKeep {
    const { id, repoTags, size, reason, detail, inUseBy } = this;
    return (inUseBy === undefined ? { id, repoTags, size, reason, detail } : { id, repoTags, size, reason, detail, inUseBy }) as GcRemoval | GcKeep;
  }

  #write(): string {
    if (this.inUseBy !== undefined) return describeUsers(this.inUseBy);
    const context = this.#context;
    const candidate = this.#candidate;
    // Every other entry is made with its sentence or with both of these.
    if (context === undefined || candidate === undefined) return '';
    const { now, policy } = context;
    switch (this.reason) {
      case 'age': {
        const unused =
          candidate.lastUsed === Number.NEGATIVE_INFINITY
            ? `Not seen in use by any container since tracking began ${formatDuration(now - context.trackingSince)} ago`
            : `Unused for ${formatDuration(now - candidate.lastUsed)}`;
        return `${unused}, longer than MaxAge (${formatDuration(policy.maxAgeMs)}).`;
      }
      case 'too-young':
        return `First seen ${formatDuration(now - candidate.firstDetected)} ago, less than MinAge (${formatDuration(policy.minAgeMs)}); the kubelet keeps new images because a container may be about to use them.`;
      default:
        return `${describeLastUse(candidate, now)}; removing it brings the space freed to ${formatBytes(this.#freedSoFar)} of ${formatBytes(Math.max(0, context.wantedBytes))}.`;
    }
  }
}

/** A keep whose sentence is known at once (often the same for many images). */
function keep(image: NodeImage, reason: GcKeepReason, detail: string): GcKeep {
  return PlannedImageEntry.written(image, reason, detail);
}

function describeUsers(users: readonly string[]): string {
  const shown = users.slice(0, 3).map((id) => id.slice(0, 13)).join(', ');
  const more = users.length > 3 ? ` and ${users.length - 3} more` : '';
  return `Used by ${users.length} container${users.length === 1 ? '' : 's'} (${shown}${more}); the kubelet counts containers in every state, exited ones too.`;
}

function describeLastUse(candidate: Candidate, now: number): string {
  const firstSeen = `first seen ${formatDuration(now - candidate.firstDetected)} ago`;
  return candidate.lastUsed === Number.NEGATIVE_INFINITY
    ? `Never seen in use, ${firstSeen}`
    : `Last used ${formatDuration(now - candidate.lastUsed)} ago, ${firstSeen}`;
}

function describeAgePass(agePass: GcAgePass, count: number, bytes: number, policy: GcPolicy, trackedFor: number): string {
  switch (agePass) {
    case 'off':
    case 'not-run':
      return '';
    case 'waiting-for-history':
      return `The age pass waits until images have been tracked for longer than MaxAge (${formatDuration(policy.maxAgeMs)}; tracked for ${formatDuration(trackedFor)}).`;
    case 'ran':
      return count === 0
        ? `No image has been unused for longer than MaxAge (${formatDuration(policy.maxAgeMs)}).`
        : `The age pass removes ${count} image${count === 1 ? '' : 's'} unused for longer than MaxAge (${formatDuration(policy.maxAgeMs)}), ${formatBytes(bytes)}.`;
  }
}

function describeShortfall(kept: readonly GcKeep[], historyShorterThanMinAge: boolean, policy: GcPolicy): string {
  const totals = new Map<GcKeepReason, { count: number; bytes: number }>();
  for (const image of kept) {
    const total = totals.get(image.reason);
    if (total === undefined) {
      totals.set(image.reason, { count: 1, bytes: image.size });
    } else {
      total.count++;
      total.bytes += image.size;
    }
  }
  const labels: readonly (readonly [GcKeepReason, string])[] = [
    ['in-use', 'in use'],
    ['pinned', 'pinned'],
    ['too-young', `younger than MinAge (${formatDuration(policy.minAgeMs)})`],
    ['used-since-pass-began', 'used since the pass began'],
  ];
  const parts = labels.flatMap(([reason, label]) => {
    const total = totals.get(reason);
    return total === undefined ? [] : [`${total.count} ${label} (${formatBytes(total.bytes)})`];
  });
  const held = parts.length === 0 ? 'No other image is on the node.' : `Kept: ${parts.join(', ')}.`;
  return historyShorterThanMinAge
    ? `${held} Tracking began less than MinAge ago, so every image still counts as new.`
    : held;
}

function joinSentences(...sentences: readonly string[]): string {
  return sentences.filter((sentence) => sentence !== '').join(' ');
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
