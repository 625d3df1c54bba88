/**
 * Splits a YAML stream into its documents by looking at line starts only, without parsing YAML.
 *
 * A `---` or `...` at the start of a line, followed by white space or the end of the line, is a
 * document marker wherever it appears: YAML forbids such a line inside any node (c-forbidden), so
 * even an unterminated quoted or block scalar ends there. The rules:
 * - a `---` line starts a new document, unless it is the first line of the current one;
 * - a `...` line ends the current document (it stays with the document it ends);
 * - `%` directive lines (with comments or blank lines between them) that lead up to a `---` line
 *   belong to the document that `---` starts.
 *
 * The result covers the text without gaps: each document runs to where the next begins.
 * `documentEnd` depends only on the text from its `start` onwards, which is what lets the file
 * layer re-split just the region an edit touched.
 */

/**
 * Read access to a text, as the splitter and the file layer use it. A `string` is one; the
 * language server passes large open files that it keeps in pieces, so that an edit never has to
 * copy the whole text.
 */
export type FileText = Pick<string, 'length' | 'charCodeAt' | 'indexOf' | 'slice'>;

export interface DocumentSlice {
  /** Offset of the document's first character in the text. */
  readonly offset: number;
  readonly length: number;
}

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const PERCENT = 37;
const DASH = 45;
const DOT = 46;

/** Offset where the document that starts at `start` (a line start) ends: the next document's start, or the text's length. */
export function documentEnd(text: FileText, start: number): number {
  const length = text.length;
  // Line starts up to `ownHeader` cannot start another document: they are this document's own directives and `---`.
  let ownHeader = start;
  if (text.charCodeAt(start) === PERCENT) {
    const afterDirectives = directiveRunEnd(text, start);
    if (isMarker(text, afterDirectives, DASH)) ownHeader = afterDirectives;
  }
  let lineStart = start;
  while (lineStart < length) {
    const first = text.charCodeAt(lineStart);
    if (first === DOT && isMarker(text, lineStart, DOT)) return lineEndAfter(text, lineStart);
    if (lineStart > ownHeader) {
      if (first === DASH && isMarker(text, lineStart, DASH)) return lineStart;
      if (first === PERCENT) {
        const afterDirectives = directiveRunEnd(text, lineStart);
        if (isMarker(text, afterDirectives, DASH)) return lineStart;
        // None of the lines in between can lead to a `---` either: continue after them.
        if (afterDirectives >= length) return length;
        lineStart = afterDirectives;
        continue;
      }
    }
    lineStart = lineEndAfter(text, lineStart);
  }
  return length;
}

/** Every document of `text`, in order, covering it without gaps. Empty text has no documents. */
export function splitDocuments(text: string): DocumentSlice[] {
  const slices: DocumentSlice[] = [];
  let start = 0;
  while (start < text.length) {
    const end = documentEnd(text, start);
    slices.push({ offset: start, length: end - start });
    start = end;
  }
  return slices;
}

/** Whether a `---` (`marker` = DASH) or `...` (DOT) marker line starts at `lineStart`. */
function isMarker(text: FileText, lineStart: number, marker: number): boolean {
  return (
    text.charCodeAt(lineStart) === marker &&
    text.charCodeAt(lineStart + 1) === marker &&
    text.charCodeAt(lineStart + 2) === marker &&
    isBlankOrEnd(text, lineStart + 3)
  );
}

function isBlankOrEnd(text: FileText, offset: number): boolean {
  if (offset >= text.length) return true;
  const code = text.charCodeAt(offset);
  return code === SPACE || code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN;
}

/** Start of the first line from `lineStart` on that is neither a directive, a comment nor blank (or the text's length). */
function directiveRunEnd(text: FileText, lineStart: number): number {
  let line = lineStart;
  while (line < text.length) {
    if (text.charCodeAt(line) !== PERCENT && !isCommentOrBlankLine(text, line)) return line;
    line = lineEndAfter(text, line);
  }
  return text.length;
}

function isCommentOrBlankLine(text: FileText, lineStart: number): boolean {
  let offset = lineStart;
  let code = text.charCodeAt(offset);
  while (code === SPACE || code === TAB) code = text.charCodeAt(++offset);
  return offset >= text.length || code === HASH || code === LINE_FEED || (code === CARRIAGE_RETURN && text.charCodeAt(offset + 1) === LINE_FEED);
}

function lineEndAfter(text: FileText, lineStart: number): number {
  const newline = text.indexOf('\n', lineStart);
  return newline < 0 ? text.length : newline + 1;
}
