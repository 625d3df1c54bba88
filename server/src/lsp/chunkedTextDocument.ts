/**
 * An open document's text, kept in chunks of a few kilobytes so that an edit copies the chunk it
 * lands in instead of the whole text.
 *
 * `vscode-languageserver-textdocument` keeps the text as one string, and V8 copies all of a string
 * the first time the result of an edit is read. In a file of 8 MB that copy took ~10 ms per
 * keystroke and left 8 MB of garbage behind, more than all the analysis the keystroke needed.
 * The line offsets are still one array, as there: shifting it costs well under a millisecond even
 * at 300,000 lines.
 *
 * Positions, offsets, ranges and edits behave exactly as in `TextDocument` (a test compares the
 * two over random edits), and the text reads like a string (`FileText`) for the analyzer.
 */
import { TextDocumentContentChangeEvent, type Position, type Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileText } from '../core/yaml/split';

/** Big enough that an 8 MB file has a few hundred chunks, small enough that copying one is cheap. */
export const DEFAULT_CHUNK_SIZE = 16 * 1024;

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

export class ChunkedTextDocument implements TextDocument, FileText {
  /** Never empty strings, so every offset below the length lies in exactly one chunk. */
  private chunks: string[] = [];
  /** Offset of each chunk's first character. */
  private chunkStarts: number[] = [];
  private textLength = 0;
  /** Offset of each line's first character; undefined until needed after an edit that made a CRLF pair. */
  private lineOffsets: number[] | undefined;
  /** The whole text as one string, from when it was last asked for until the next edit. */
  private wholeText: string | undefined;
  /** The chunk the last read came from: reads mostly move forward through the text. */
  private lastChunk = 0;
  private currentVersion: number;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    version: number,
    text: string,
    /** Tests use tiny chunks, to make every edit cross chunk boundaries. */
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
  ) {
    this.currentVersion = version;
    this.replaceAll(text);
  }

  get version(): number {
    return this.currentVersion;
  }

  get length(): number {
    return this.textLength;
  }

  get lineCount(): number {
    return this.getLineOffsets().length;
  }

  /** Applies one notification's changes in order, as `TextDocument.update` does. */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (TextDocumentContentChangeEvent.isIncremental(change)) this.applyIncremental(change.range, change.text);
      else if (TextDocumentContentChangeEvent.isFull(change)) this.replaceAll(change.text);
      else throw new Error('Unknown change event received');
    }
    this.currentVersion = version;
  }

  getText(range?: Range): string {
    if (range !== undefined) {
      const start = this.offsetAt(range.start);
      const end = this.offsetAt(range.end);
      return this.slice(Math.min(start, end), Math.max(start, end));
    }
    this.wholeText ??= this.chunks.join('');
    return this.wholeText;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(Math.min(offset, this.textLength), 0);
    const lineOffsets = this.getLineOffsets();
    // The last line starting at or before the offset.
    let low = 0;
    let high = lineOffsets.length;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (lineOffsets[middle]! > clamped) high = middle;
      else low = middle + 1;
    }
    const line = low - 1;
    const lineStart = lineOffsets[line]!;
    return { line, character: this.ensureBeforeEndOfLine(clamped, lineStart) - lineStart };
  }

  /**
   * `positionAt` for a caller walking forward through the text: the search starts from `fromLine`,
   * a line at or before the offset's, and widens step by step, so positions of ascending offsets
   * (one per document of a large file) cost a few nearby reads each instead of a search of every
   * line. A `fromLine` after the offset's line only costs the full search.
   */
  positionAtFrom(offset: number, fromLine: number): Position {
    const clamped = Math.max(Math.min(offset, this.textLength), 0);
    const lineOffsets = this.getLineOffsets();
    let low = Math.max(0, Math.min(fromLine, lineOffsets.length - 1));
    if (lineOffsets[low]! > clamped) return this.positionAt(clamped);
    // Gallop: lineOffsets[low] <= clamped; find a line starting after it.
    let step = 1;
    let high = low + 1;
    while (high < lineOffsets.length && lineOffsets[high]! <= clamped) {
      low = high;
      step *= 2;
      high = low + step;
    }
    high = Math.min(high, lineOffsets.length);
    // The last line starting at or before the offset lies in [low, high).
    while (high - low > 1) {
      const middle = (low + high) >>> 1;
      if (lineOffsets[middle]! > clamped) high = middle;
      else low = middle;
    }
    const lineStart = lineOffsets[low]!;
    return { line: low, character: this.ensureBeforeEndOfLine(clamped, lineStart) - lineStart };
  }

  offsetAt(position: Position): number {
    const lineOffsets = this.getLineOffsets();
    if (position.line >= lineOffsets.length) return this.textLength;
    if (position.line < 0) return 0;
    const lineStart = lineOffsets[position.line]!;
    if (position.character <= 0) return lineStart;
    const nextLineStart = position.line + 1 < lineOffsets.length ? lineOffsets[position.line + 1]! : this.textLength;
    return this.ensureBeforeEndOfLine(Math.min(lineStart + position.character, nextLineStart), lineStart);
  }

  getLineRange(line: number): Range {
    const lineOffsets = this.getLineOffsets();
    if (line >= lineOffsets.length) {
      const lastLine = lineOffsets.length - 1;
      return { start: { line: lastLine, character: 0 }, end: { line: lastLine, character: this.textLength - lineOffsets[lastLine]! } };
    }
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const lineStart = lineOffsets[line]!;
    const nextLineStart = line + 1 < lineOffsets.length ? lineOffsets[line + 1]! : this.textLength;
    return { start: { line, character: 0 }, end: { line, character: this.ensureBeforeEndOfLine(nextLineStart, lineStart) - lineStart } };
  }

  getEOLCharacters(line: number): string {
    const lineOffsets = this.getLineOffsets();
    if (line >= lineOffsets.length || line < 0) return '';
    const nextLineStart = line + 1 < lineOffsets.length ? lineOffsets[line + 1]! : this.textLength;
    return this.slice(this.ensureBeforeEndOfLine(nextLineStart, lineOffsets[line]!), nextLineStart);
  }

  // ---- FileText: the text read like a string ----

  charCodeAt(offset: number): number {
    if (!(offset >= 0 && offset < this.textLength)) return Number.NaN;
    const index = this.chunkIndexAt(offset);
    return this.chunks[index]!.charCodeAt(offset - this.chunkStarts[index]!);
  }

  /** As `String.prototype.slice`: negative positions count from the end. */
  slice(start = 0, end = this.textLength): string {
    const from = this.position(start);
    const to = this.position(end);
    let text = '';
    if (from >= to) return text;
    for (let index = this.chunkIndexAt(from); index < this.chunks.length && this.chunkStarts[index]! < to; index++) {
      const chunkStart = this.chunkStarts[index]!;
      text += this.chunks[index]!.slice(Math.max(from - chunkStart, 0), to - chunkStart);
    }
    return text;
  }

  indexOf(searchString: string, position = 0): number {
    const from = Math.min(Math.max(Math.trunc(position) || 0, 0), this.textLength);
    if (searchString.length === 0) return from;
    if (from === this.textLength) return -1;
    for (let index = this.chunkIndexAt(from); index < this.chunks.length; index++) {
      const chunkStart = this.chunkStarts[index]!;
      const chunk = this.chunks[index]!;
      const found = chunk.indexOf(searchString, Math.max(from - chunkStart, 0));
      if (found >= 0) return chunkStart + found;
      // A match that starts in this chunk and ends in a later one.
      if (searchString.length > 1 && index + 1 < this.chunks.length) {
        const chunkEnd = chunkStart + chunk.length;
        const crossingFrom = Math.max(chunkEnd - searchString.length + 1, from);
        const crossing = this.slice(crossingFrom, chunkEnd + searchString.length - 1).indexOf(searchString);
        if (crossing >= 0) return crossingFrom + crossing;
      }
    }
    return -1;
  }

  // ---- Internals ----

  /** `TextDocument.update` for one incremental change, including how it keeps the line offsets. */
  private applyIncremental(changeRange: Range, text: string): void {
    const range = wellFormed(changeRange);
    const startOffset = this.offsetAt(range.start);
    const endOffset = this.offsetAt(range.end);
    const lineOffsets = this.getLineOffsets();
    this.replaceRange(startOffset, endOffset, text);
    const insertedEnd = startOffset + text.length;
    const crlfAtStart = this.charCodeAt(startOffset - 1) === CARRIAGE_RETURN && this.charCodeAt(startOffset) === LINE_FEED;
    const crlfAtEnd = this.charCodeAt(insertedEnd - 1) === CARRIAGE_RETURN && this.charCodeAt(insertedEnd) === LINE_FEED;
    if (crlfAtStart || crlfAtEnd) {
      // A CRLF pair across an edge of the edit is not in the inserted text's line offsets.
      this.lineOffsets = undefined;
      return;
    }
    const startLine = Math.max(range.start.line, 0);
    const endLine = Math.max(range.end.line, 0);
    const added = lineOffsetsOf(text, false, startOffset);
    let shifted = lineOffsets;
    if (endLine - startLine === added.length) {
      for (let index = 0; index < added.length; index++) shifted[index + startLine + 1] = added[index]!;
    } else if (added.length < 10_000) {
      shifted.splice(startLine + 1, endLine - startLine, ...added);
    } else {
      // Spreading that many arguments would overflow the stack.
      shifted = lineOffsets.slice(0, startLine + 1).concat(added, lineOffsets.slice(endLine + 1));
      this.lineOffsets = shifted;
    }
    const delta = text.length - (endOffset - startOffset);
    if (delta !== 0) for (let index = startLine + 1 + added.length; index < shifted.length; index++) shifted[index] = shifted[index]! + delta;
  }

  /** Replaces characters `start` to `end` by `text`, copying only the chunks they lie in. */
  private replaceRange(start: number, end: number, text: string): void {
    if (this.textLength === 0) {
      this.replaceChunks(text);
      return;
    }
    const first = this.chunkIndexAt(Math.min(start, this.textLength - 1));
    const last = end > start ? this.chunkIndexAt(end - 1) : first;
    const firstStart = this.chunkStarts[first]!;
    const touched = this.chunks.slice(first, last + 1).join('');
    const replaced = touched.slice(0, start - firstStart) + text + touched.slice(end - firstStart);
    // Chunks grow by edits up to twice the chunk size before they are cut again.
    const pieces = replaced.length > 2 * this.chunkSize ? piecesOf(replaced, this.chunkSize) : replaced === '' ? [] : [replaced];
    this.chunks.splice(first, last - first + 1, ...pieces);
    this.chunkStarts.length = this.chunks.length;
    let offset = firstStart;
    for (let index = first; index < this.chunks.length; index++) {
      this.chunkStarts[index] = offset;
      offset += this.chunks[index]!.length;
    }
    this.textLength = offset;
    this.lastChunk = 0;
    this.wholeText = undefined;
  }

  private replaceAll(text: string): void {
    this.replaceChunks(text);
    // The caller has the text as one string already: keep it for `getText()`.
    this.wholeText = text;
    this.lineOffsets = undefined;
  }

  private replaceChunks(text: string): void {
    this.chunks = piecesOf(text, this.chunkSize);
    this.chunkStarts = [];
    let offset = 0;
    for (const chunk of this.chunks) {
      this.chunkStarts.push(offset);
      offset += chunk.length;
    }
    this.textLength = offset;
    this.lastChunk = 0;
    this.wholeText = undefined;
  }

  private getLineOffsets(): number[] {
    this.lineOffsets ??= lineOffsetsOf(this.getText(), true, 0);
    return this.lineOffsets;
  }

  /** Index of the chunk holding `offset`, which lies below the length. */
  private chunkIndexAt(offset: number): number {
    const last = this.lastChunk;
    if (last < this.chunks.length && offset >= this.chunkStarts[last]! && offset < this.chunkStarts[last]! + this.chunks[last]!.length) return last;
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.chunkStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    this.lastChunk = low;
    return low;
  }

  private ensureBeforeEndOfLine(offset: number, lineStart: number): number {
    let result = offset;
    while (result > lineStart && isEndOfLine(this.charCodeAt(result - 1))) result--;
    return result;
  }

  /** A `slice` argument as an offset into the text. */
  private position(argument: number): number {
    const integer = Math.trunc(argument) || 0;
    return integer < 0 ? Math.max(this.textLength + integer, 0) : Math.min(integer, this.textLength);
  }
}

function piecesOf(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let offset = 0; offset < text.length; offset += size) pieces.push(text.slice(offset, offset + size));
  return pieces;
}

/** Start offsets of the lines of `text` (LF, CRLF or CR), shifted by `textOffset`; with `isAtLineStart`, the first line's too. */
function lineOffsetsOf(text: string, isAtLineStart: boolean, textOffset: number): number[] {
  const offsets = isAtLineStart ? [textOffset] : [];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!isEndOfLine(code)) continue;
    if (code === CARRIAGE_RETURN && index + 1 < text.length && text.charCodeAt(index + 1) === LINE_FEED) index++;
    offsets.push(textOffset + index + 1);
  }
  return offsets;
}

function isEndOfLine(code: number): boolean {
  return code === CARRIAGE_RETURN || code === LINE_FEED;
}

function wellFormed(range: Range): Range {
  const { start, end } = range;
  return start.line > end.line || (start.line === end.line && start.character > end.character) ? { start: end, end: start } : range;
}
