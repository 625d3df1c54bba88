/**
 * Text helpers for protocol tests, written independently of the server's own conversions so a
 * test can check them: positions are LSP positions (0-based lines split at LF, CRLF or CR;
 * characters in UTF-16 code units).
 */
import type { Position, Range, TextDocumentContentChangeEvent, TextEdit } from 'vscode-languageserver-protocol';

function lineStarts(text: string): number[] {
  const starts = [0];
  for (const match of text.matchAll(/\r\n|\r|\n/g)) starts.push(match.index + match[0].length);
  return starts;
}

export function positionAt(text: string, offset: number): Position {
  const starts = lineStarts(text);
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line += 1;
  return { line, character: offset - starts[line] };
}

export function offsetAt(text: string, position: Position): number {
  const starts = lineStarts(text);
  return starts[position.line] + position.character;
}

/** The range of the `occurrence`-th (0-based) appearance of `needle` at or after `from`. */
export function rangeOf(text: string, needle: string, { occurrence = 0, from = 0 }: { occurrence?: number; from?: number } = {}): Range {
  let start = text.indexOf(needle, from);
  for (let i = 0; i < occurrence && start >= 0; i++) start = text.indexOf(needle, start + 1);
  if (start < 0) throw new Error(`${JSON.stringify(needle)} not found`);
  return { start: positionAt(text, start), end: positionAt(text, start + needle.length) };
}

export function textIn(text: string, range: Range): string {
  return text.slice(offsetAt(text, range.start), offsetAt(text, range.end));
}

/** Applies non-overlapping edits, as an editor applies a WorkspaceEdit for one document. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const located = edits
    .map((edit, index) => ({ start: offsetAt(text, edit.range.start), end: offsetAt(text, edit.range.end), newText: edit.newText, index }))
    .sort((a, b) => a.start - b.start || a.index - b.index);
  let result = '';
  let cursor = 0;
  for (const edit of located) {
    if (edit.start < cursor) throw new Error('overlapping edits');
    result += text.slice(cursor, edit.start) + edit.newText;
    cursor = edit.end;
  }
  return result + text.slice(cursor);
}

/** Applies the changes of one `didChange` notification in order, each on the text the previous one left. */
export function applyChanges(text: string, changes: readonly TextDocumentContentChangeEvent[]): string {
  return changes.reduce((current, change) => ('range' in change ? applyEdits(current, [{ range: change.range, newText: change.text }]) : change.text), text);
}
