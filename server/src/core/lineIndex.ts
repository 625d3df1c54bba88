/**
 * Offset → line/character conversion for a whole file, for consumers that have no `TextDocument`
 * (the CLI). It agrees with `vscode-languageserver-textdocument` exactly, so the CLI and the
 * editor report the same positions: lines end at `\n`, `\r\n` or a lone `\r`; characters are
 * UTF-16 code units; both are 0-based.
 */

export interface Position {
  readonly line: number;
  readonly character: number;
}

export class LineIndex {
  /** Offset of the first character of every line; `lineStarts[0]` is always 0. */
  private readonly lineStarts: readonly number[];

  constructor(private readonly text: string) {
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      const char = text.charCodeAt(i);
      if (char === LINE_FEED || char === CARRIAGE_RETURN) {
        if (char === CARRIAGE_RETURN && text.charCodeAt(i + 1) === LINE_FEED) i++;
        lineStarts.push(i + 1);
      }
    }
    this.lineStarts = lineStarts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The position of `offset`, clamped into the text. */
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    // Binary search for the last line that starts at or before the offset.
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    const lineStart = this.lineStarts[low];
    // A `\r` inside a line can only be the first half of a CRLF, so the offset sits between `\r`
    // and `\n`: not a place in the line's text. Like TextDocument, report the end of the content.
    const inLineBreak = clamped > lineStart && this.text.charCodeAt(clamped - 1) === CARRIAGE_RETURN;
    return { line: low, character: (inLineBreak ? clamped - 1 : clamped) - lineStart };
  }
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
