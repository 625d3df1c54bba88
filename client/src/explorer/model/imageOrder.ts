// Sort orders of the explorer's images. Every order ends in the image id, so equal keys never
// swap places between refreshes.
import type { ImageEntry } from './imageEntries';
import type { SortOrder } from './explorerOptions';

type Comparator = (a: ImageEntry, b: ImageEntry) => number;

/** By first tag; dangling images (no tag) after every tagged one. */
const byName: Comparator = (a, b) => {
  const aName = a.tags[0];
  const bName = b.tags[0];
  if (aName !== bName) {
    if (aName === undefined) return 1;
    if (bName === undefined) return -1;
    return aName < bName ? -1 : 1;
  }
  return a.image.id < b.image.id ? -1 : a.image.id > b.image.id ? 1 : 0;
};

/** Largest first. */
const bySize: Comparator = (a, b) => b.image.size - a.image.size || byName(a, b);

/** Most recently used first (images in use count as used now); never used last. */
const byLastUsed: Comparator = (a, b) => {
  if (a.lastUsed !== b.lastUsed) {
    if (a.lastUsed === undefined) return 1;
    if (b.lastUsed === undefined) return -1;
    return b.lastUsed - a.lastUsed;
  }
  return byName(a, b);
};

const COMPARATORS: Readonly<Record<SortOrder, Comparator>> = { name: byName, size: bySize, lastUsed: byLastUsed };

export function sortImages(entries: readonly ImageEntry[], order: SortOrder): ImageEntry[] {
  return [...entries].sort(COMPARATORS[order]);
}
