// The words of the modal confirmations before anything is removed. A removal takes every tag of
// an image (CRI RemoveImage works on whole images), so each confirmation names them all.
import type { GcPlan } from '../../cri/gc/gcPlan';
import { formatBytes } from '../../cri/gc/humanUnits';
import type { PrunePlan } from '../../cri/gc/prunePlan';
import { describeRefusal, type RemovalCandidate } from '../../nodes/imageRemoval';
import { shortImageId } from '../../nodes/nodeNames';

export interface Confirmation {
  readonly message: string;
  /** The modal's smaller text: the full list. */
  readonly detail: string;
  /** The button that goes ahead. */
  readonly action: string;
}

/** Detail lists stop here; a modal taller than the screen hides its buttons. */
const MAX_LISTED = 25;

export interface RemovalConfirmation {
  /** Undefined when every image is refused: there is nothing to confirm. */
  readonly confirmation: Confirmation | undefined;
  /** One sentence per refused image. */
  readonly refusals: readonly string[];
}

export function removalConfirmation(nodeName: string, candidates: readonly RemovalCandidate[]): RemovalConfirmation {
  const refusals = candidates.flatMap(({ image, refusal }) => (refusal === undefined ? [] : [`${nameOf(image)} is kept: ${describeRefusal(refusal)}.`]));
  const removable = candidates.filter((candidate) => candidate.refusal === undefined).map((candidate) => candidate.image);
  if (removable.length === 0) return { confirmation: undefined, refusals };
  const bytes = removable.reduce((total, image) => total + image.size, 0);
  const detail = [
    removable.some((image) => image.repoTags.length > 1) ? 'An image goes with every one of its tags:' : 'These go:',
    ...listed(removable.map((image) => `• ${describeImage(image)}`)),
    ...(refusals.length === 0 ? [] : ['', 'Not removed:', ...listed(refusals.map((refusal) => `• ${refusal}`))]),
  ].join('\n');
  return {
    confirmation: {
      message: `Remove ${plural(removable.length, 'image')} (${formatBytes(bytes)}) from ${nodeName}?`,
      detail,
      action: 'Remove',
    },
    refusals,
  };
}

export function pruneConfirmation(nodeName: string, plan: PrunePlan): Confirmation | undefined {
  if (plan.remove.length === 0) return undefined;
  return {
    message: `Prune ${plural(plan.remove.length, 'unused image')} (${formatBytes(plan.freed)}) from ${nodeName}?`,
    detail: [
      'Images no container uses, in any state, and the runtime has not pinned — as crictl rmi --prune. Each goes with every tag:',
      ...listed(plan.remove.map((image) => `• ${describeImage(image)}`)),
      '',
      `${plural(plan.keep.length, 'image')} stay${plan.keep.length === 1 ? 's' : ''} (in use or pinned). Each image is checked again just before its removal.`,
    ].join('\n'),
    action: 'Prune',
  };
}

export function gcConfirmation(nodeName: string, plan: GcPlan): Confirmation | undefined {
  if (plan.remove.length === 0) return undefined;
  return {
    message: `Garbage-collect ${plural(plan.remove.length, 'image')} (${formatBytes(plan.freed)}) on ${nodeName}, as the plan shows?`,
    detail: [
      plan.summary,
      plan.target.bytes > 0 ? `Target ${formatBytes(plan.target.bytes)}; the plan frees ${formatBytes(plan.freed)}.` : `The plan frees ${formatBytes(plan.freed)}.`,
      'Each image is checked again just before its removal: one a container has started using since the plan stays.',
    ].join('\n'),
    action: 'Garbage Collect',
  };
}

function describeImage(image: { readonly id: string; readonly repoTags: readonly string[]; readonly size: number }): string {
  const tags = image.repoTags.length === 0 ? 'no tags' : image.repoTags.join(', ');
  return `${shortImageId(image.id)} (${formatBytes(image.size)}): ${tags}`;
}

function nameOf(image: { readonly id: string; readonly repoTags: readonly string[] }): string {
  return image.repoTags.length === 0 ? `Image ${shortImageId(image.id)}` : image.repoTags.join(', ');
}

function listed(lines: readonly string[]): string[] {
  return lines.length <= MAX_LISTED ? [...lines] : [...lines.slice(0, MAX_LISTED - 1), `… and ${lines.length - MAX_LISTED + 1} more`];
}

function plural(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}
