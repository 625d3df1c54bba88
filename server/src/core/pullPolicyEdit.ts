/**
 * The text edit that writes an omitted pull policy into a container (or image volume) in the
 * style the surrounding YAML already uses, so accepting an inlay hint never reformats anything.
 */
import type { TextEdit } from './types';
import type { YMap, YPair, YScalar } from './yaml/node';

/**
 * Edit that adds `<key>: <policy>` to `map`, next to `imagePair` when that pair is written inside
 * the map (it may come from a merge key or an anchor elsewhere). Undefined when no place keeps
 * the document's meaning and style.
 */
export function pullPolicyInsertion(text: string, map: YMap, imagePair: YPair, key: string, policy: string): TextEdit | undefined {
  const entry = `${key}: ${policy}`;
  const ownPair = isWrittenInside(imagePair, map) ? imagePair : map.pairs.find((pair) => isWrittenInside(pair, map));
  if (map.style === 'flow') {
    if (ownPair === imagePair) return insertAt(valueSourceEnd(text, imagePair), `, ${entry}`);
    return flowMapAppend(text, map, entry);
  }
  // A merged pair lives in the anchored map: writing there would change every map merging it.
  // Anchor on a pair written in this map instead, and give up when the map holds only merge keys.
  if (ownPair === undefined) return undefined;
  const indent = ' '.repeat(columnOf(text, ownPair.key.start));
  const lineBreak = lineBreakOf(text);
  const end = valueSourceEnd(text, ownPair);
  // Block collections and block scalars end after their last line break: insert at the next line.
  if (end > 0 && text[end - 1] === '\n') return insertAt(end, `${indent}${entry}${lineBreak}`);
  return insertAt(lineContentEnd(text, end), `${lineBreak}${indent}${entry}`);
}

/** Edit that fills a policy field that is present but empty (`imagePullPolicy:`, `~`, `""`), which Kubernetes treats as omitted. */
export function fillEmptyPolicy(text: string, value: YScalar, policy: string): TextEdit {
  if (value.start < value.end) return { start: value.start, end: value.end, newText: policy };
  // An empty plain scalar sits after the colon and any spaces, possibly right before a comment.
  const before = value.start > 0 ? text[value.start - 1] : '';
  const separator = before === ' ' || before === '\t' ? '' : ' ';
  const after = text[value.start] === '#' ? ' ' : '';
  return insertAt(value.start, `${separator}${policy}${after}`);
}

/** The line break the document uses: CRLF when any line ends so, else LF. */
export function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Offset of the end of the line holding `offset`, before its line break. */
export function lineContentEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  if (newline < 0) return text.length;
  return newline > offset && text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** Zero-based column of `offset` in its line. */
export function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** Whether the pair's key is written inside the map's own text (not brought in by a merge key). */
function isWrittenInside(pair: YPair, map: YMap): boolean {
  return pair.key.start >= map.start && pair.key.end <= map.end;
}

/**
 * Where the pair's value ends as written. An alias (`image: *img`) shares the anchored node, whose
 * offsets point at the anchor, so the alias token after the key is measured instead. Anchors
 * always precede their aliases, which is what tells the two apart.
 */
function valueSourceEnd(text: string, pair: YPair): number {
  if (pair.value.start >= pair.key.end) return pair.value.end;
  const alias = /^[\s:]*\*[^\s,\]}]+/.exec(text.slice(pair.key.end, pair.key.end + 1024));
  return alias === null ? pair.key.end : pair.key.end + alias[0].length;
}

/** Appends an entry before the closing brace of a flow map. */
function flowMapAppend(text: string, map: YMap, entry: string): TextEdit | undefined {
  const close = map.end - 1;
  if (text[close] !== '}') return undefined;
  let last = close - 1;
  while (last > map.start && /\s/.test(text[last] ?? '')) last -= 1;
  return insertAt(last + 1, text[last] === ',' ? ` ${entry}` : `, ${entry}`);
}

function insertAt(offset: number, newText: string): TextEdit {
  return { start: offset, end: offset, newText };
}
