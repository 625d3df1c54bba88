// Helpers for tests that check spans and edits against YAML text.

/** Start/end offsets, as the core's spans and edits carry them. */
export interface OffsetSpan {
  readonly start: number;
  readonly end: number;
}

/** Applies non-overlapping edits given in the coordinates of the original text. */
export function applyEdits(text: string, edits: readonly (OffsetSpan & { readonly newText: string })[]): string {
  const ordered = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const edit of ordered) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

/** The characters a span covers. */
export function covered(text: string, span: OffsetSpan): string {
  return text.slice(span.start, span.end);
}

const OPEN = '«';
const CLOSE = '»';

/**
 * Text with one span marked `«like this»` (YAML uses `|`, so it cannot be the marker): the text
 * without the markers, and the marked span in it.
 */
export function markedText(marked: string): { text: string; span: OffsetSpan } {
  const start = marked.indexOf(OPEN);
  const close = marked.indexOf(CLOSE);
  if (start < 0 || close < start || marked.indexOf(OPEN, start + 1) >= 0 || marked.indexOf(CLOSE, close + 1) >= 0) {
    throw new Error(`expected exactly one «…» span in: ${marked}`);
  }
  const text = marked.slice(0, start) + marked.slice(start + 1, close) + marked.slice(close + 1);
  return { text, span: { start, end: close - 1 } };
}
