// The explorer's filter: words that must all match. A plain word matches part of a tag, a
// repository digest or the image id, ignoring case; `is:in-use`, `is:unused`, `is:pinned`,
// `is:dangling` match the image's state.
import type { ImageEntry } from './imageEntries';

const STATES: Readonly<Record<string, (entry: ImageEntry) => boolean>> = {
  'is:in-use': (entry) => entry.users.length > 0,
  'is:unused': (entry) => entry.users.length === 0,
  'is:pinned': (entry) => entry.image.pinned,
  'is:dangling': (entry) => entry.dangling,
};

export const FILTER_STATE_WORDS = Object.keys(STATES);

/** A predicate for the filter text; undefined when the text filters nothing. */
export function imageFilter(text: string): ((entry: ImageEntry) => boolean) | undefined {
  const words = text.trim().toLowerCase().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return undefined;
  const tests = words.map((word) => STATES[word] ?? ((entry: ImageEntry) => mentions(entry, word)));
  return (entry) => tests.every((matches) => matches(entry));
}

function mentions(entry: ImageEntry, word: string): boolean {
  const { image } = entry;
  return (
    image.id.toLowerCase().includes(word) ||
    image.repoTags.some((tag) => tag.toLowerCase().includes(word)) ||
    image.repoDigests.some((digest) => digest.toLowerCase().includes(word))
  );
}
