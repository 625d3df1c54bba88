// Carrying out a confirmed GC or prune plan. The plan was made on an earlier listing, so each
// image is checked again just before its removal (a container may have started using it since),
// failures do not stop the run, and the report sets what was freed against what was wanted.
import { formatBytes } from '../cri/gc/humanUnits';
import { freedBytes, removeImagesChecked, type RemovalProgress, type RemovalResult } from './imageRemoval';
import type { NodeConnection } from './nodeSession';

export interface PlannedRemovals {
  readonly remove: readonly { readonly id: string }[];
  /** Bytes the plan set out to free; 0 when it has no space target (prune, the age pass alone). */
  readonly target: { readonly bytes: number };
}

export interface RemovalRun {
  readonly results: readonly RemovalResult[];
  readonly freed: number;
  readonly targetBytes: number;
  /** Every planned image that had to stay because it became in use or pinned since the plan. */
  readonly keptSincePlan: number;
  readonly failed: number;
  /** One or two sentences: freed against target, and what stood in the way. */
  readonly summary: string;
}

export async function executeRemovalPlan(
  connection: NodeConnection,
  plan: PlannedRemovals,
  options: { readonly signal?: AbortSignal; readonly onProgress?: (progress: RemovalProgress) => void } = {},
): Promise<RemovalRun> {
  const results = await removeImagesChecked(
    connection,
    plan.remove.map((image) => image.id),
    options,
  );
  return summarizeRemovalRun(results, plan.target.bytes);
}

export function summarizeRemovalRun(results: readonly RemovalResult[], targetBytes: number): RemovalRun {
  const freed = freedBytes(results);
  const count = (outcome: RemovalResult['outcome']): number => results.filter((result) => result.outcome === outcome).length;
  const removed = count('removed');
  const keptSincePlan = count('refused');
  const failed = count('failed');
  const gone = count('gone');
  const sentences = [
    targetBytes > 0
      ? `Freed ${formatBytes(freed)} of the ${formatBytes(targetBytes)} wanted${freed >= targetBytes ? '' : ' — short of the target'}, removing ${plural(removed, 'image')}.`
      : `Freed ${formatBytes(freed)}, removing ${plural(removed, 'image')}.`,
  ];
  if (keptSincePlan > 0) {
    sentences.push(`${plural(keptSincePlan, 'image')} ${keptSincePlan === 1 ? 'was' : 'were'} kept because ${keptSincePlan === 1 ? 'it' : 'they'} came into use or became pinned after the plan.`);
  }
  if (gone > 0) sentences.push(`${plural(gone, 'image')} had already gone from the node.`);
  if (failed > 0) sentences.push(`${plural(failed, 'removal')} failed.`);
  return { results, freed, targetBytes, keptSincePlan, failed, summary: sentences.join(' ') };
}

function plural(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}
