/**
 * Prune as `crictl rmi --prune` does it (cmd/crictl/image.go in kubernetes-sigs/cri-tools): every
 * image that no container uses, in any state, and that the runtime has not pinned. No thresholds,
 * no ages, no order of preference: all of them, in the order the runtime listed them.
 */
import { formatBytes } from './humanUnits';
import { distinctImages, findImagesInUse, type NodeContainer, type NodeImage } from './imagesInUse';

export interface PruneRemoval {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly size: number;
  readonly detail: string;
}

export interface PruneKeep {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly size: number;
  readonly reason: 'in-use' | 'pinned';
  readonly detail: string;
  /** The containers using it, for `in-use`. */
  readonly inUseBy?: readonly string[];
}

export interface PrunePlan {
  readonly remove: readonly PruneRemoval[];
  readonly keep: readonly PruneKeep[];
  /** Bytes the removals free, as the runtime reports image sizes. */
  readonly freed: number;
  readonly summary: string;
}

export function planPrune(listed: readonly NodeImage[], containers: readonly NodeContainer[]): PrunePlan {
  const { images, ids } = distinctImages(listed);
  const inUse = findImagesInUse(images, containers, ids);
  const remove: PruneRemoval[] = [];
  const keep: PruneKeep[] = [];
  let freed = 0;
  for (const image of images) {
    const { id, repoTags } = image;
    const size = Number.isFinite(image.size) && image.size > 0 ? image.size : 0;
    const users = inUse.get(id);
    if (users !== undefined) {
      const count = `${users.length} container${users.length === 1 ? '' : 's'}`;
      keep.push({ id, repoTags, size, reason: 'in-use', detail: `Used by ${count} (any state).`, inUseBy: users });
    } else if (image.pinned) {
      keep.push({ id, repoTags, size, reason: 'pinned', detail: 'Pinned by the runtime; prune never removes a pinned image.' });
    } else {
      freed += size;
      remove.push({ id, repoTags, size, detail: 'No container uses it, in any state, and it is not pinned.' });
    }
  }
  const summary =
    remove.length === 0
      ? 'Every image is in use or pinned; nothing to prune.'
      : `Pruning removes ${remove.length} unused image${remove.length === 1 ? '' : 's'}, ${formatBytes(freed)}; ${keep.length} stay${keep.length === 1 ? 's' : ''} (in use or pinned).`;
  return { remove, keep, freed, summary };
}
