// A GC plan for a real node: the pure planner fed with a listing, the node's history and its
// image filesystem, plus the notes a user needs to trust it — where capacity came from, and
// whether the history is long enough for MinAge to mean what it means on the kubelet.
import { planImageGc, type GcPlan } from '../cri/gc/gcPlan';
import type { GcPolicy } from '../cri/gc/gcPolicy';
import { formatBytes, formatDuration } from '../cri/gc/humanUnits';
import type { ImageHistory } from '../cri/gc/imageHistory';
import type { NodeSnapshot } from './nodeSession';

/** Where the image filesystem's size comes from. */
export type GcFilesystem =
  /** Measured on this machine, as the kubelet does. */
  | { readonly kind: 'measured'; readonly capacityBytes: number; readonly availableBytes: number; readonly mountpoint: string }
  /** Entered by the user for a node whose filesystem cannot be measured from here. */
  | { readonly kind: 'entered'; readonly capacityBytes: number }
  /** Unknown, and the user chose to skip the space pass. */
  | { readonly kind: 'unknown'; readonly reason: string };

export interface NodeGcPlanInput {
  readonly snapshot: Pick<NodeSnapshot, 'images' | 'containers' | 'imageFilesystems' | 'takenAt'>;
  readonly history: ImageHistory;
  readonly policy: GcPolicy;
  readonly filesystem: GcFilesystem;
  /** Where the history is kept, for the note about it: "this editor's storage", a file path. */
  readonly historyLocation: string;
}

export interface NodeGcPlan {
  readonly plan: GcPlan;
  /** Sentences that qualify the plan: capacity source, skipped passes, history. */
  readonly notes: readonly string[];
}

export function planNodeGc(input: NodeGcPlanInput): NodeGcPlan {
  const { snapshot, policy, filesystem } = input;
  const usedBytes = snapshot.imageFilesystems[0]?.usedBytes;
  const notes: string[] = [];
  let capacityBytes = 0;
  let availableBytes = 0;
  switch (filesystem.kind) {
    case 'measured':
      ({ capacityBytes, availableBytes } = filesystem);
      notes.push(
        `Capacity ${formatBytes(capacityBytes)} and ${formatBytes(availableBytes)} available, measured on the filesystem holding ${filesystem.mountpoint} as the kubelet measures it.`,
      );
      break;
    case 'entered':
      capacityBytes = filesystem.capacityBytes;
      // Only what the runtime says images use is known to take space, so the rest counts as free:
      // other files on that filesystem would make the kubelet free more than this plan does.
      availableBytes = Math.max(0, capacityBytes - (usedBytes ?? 0));
      notes.push(
        `Capacity ${formatBytes(capacityBytes)} as entered (the high threshold of ${policy.highThresholdPercent} % is ${formatBytes(Math.floor((capacityBytes * policy.highThresholdPercent) / 100))}, ` +
          `the low one of ${policy.lowThresholdPercent} % ${formatBytes(Math.floor((capacityBytes * policy.lowThresholdPercent) / 100))}); ` +
          `available is taken as capacity minus the ${formatBytes(usedBytes ?? 0)} the runtime reports images use, so other files on that filesystem are not counted.`,
      );
      break;
    case 'unknown':
      notes.push(`The space pass is skipped: ${filesystem.reason}.${policy.maxAgeMs === 0 ? ' With MaxAge 0 the age pass is off too, so nothing is removed.' : ''}`);
      break;
  }
  const planned = planImageGc({
    images: snapshot.images,
    containers: snapshot.containers,
    filesystem: { capacityBytes, availableBytes, ...(usedBytes === undefined ? {} : { usedBytes }) },
    policy,
    now: snapshot.takenAt,
    history: input.history,
  });
  const plan = filesystem.kind === 'unknown' ? withSpacePassSkipped(planned) : planned;

  const trackedFor = snapshot.takenAt - input.history.trackingSince;
  if (planned.historyShorterThanMinAge) {
    notes.push(
      `Images on this node have been tracked for ${formatDuration(trackedFor)} (history kept in ${input.historyLocation}), less than MinAge (${formatDuration(policy.minAgeMs)}): ` +
        `like a kubelet that has just started, every image still counts as first seen too recently to be removed for space.`,
    );
  } else {
    notes.push(`First detection and last use are judged from ${formatDuration(trackedFor)} of history kept in ${input.historyLocation}; use before that is unknown.`);
  }
  return { plan, notes };
}

/** The planner stops at a capacity of 0 as the kubelet does; say instead why the space pass did not run. */
function withSpacePassSkipped(plan: GcPlan): GcPlan {
  const ageRemovals = plan.remove.length;
  const summary =
    plan.agePass === 'ran'
      ? `The age pass removes ${ageRemovals} image${ageRemovals === 1 ? '' : 's'}; the space pass is skipped.`
      : 'The space pass is skipped; the age pass does not run.';
  return {
    ...plan,
    summary,
    error: undefined,
    usagePercent: undefined,
    keep: plan.keep.map((image) =>
      image.reason === 'not-evaluated' ? { ...image, reason: 'not-needed', detail: 'Not judged for space: the space pass is skipped.' } : image,
    ),
  };
}
