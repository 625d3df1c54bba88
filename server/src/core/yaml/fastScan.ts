/**
 * A purpose-built reader for the YAML that Kubernetes manifests are nearly always written in:
 * block mappings and sequences, single-line plain and quoted scalars, block scalars, `{}`, flow
 * sequences of such scalars on one line (`["sh", "-c"]`), comments and blank lines. For such a
 * document it builds exactly the tree that `fromYaml.ts` builds from the `yaml` library (same
 * values, styles, spans, `isNull` and `valueStart`) in one pass over the characters, without the
 * library's lexer tokens, CST and document model.
 *
 * Anything else makes it decline by returning `undefined`, and the caller falls back to the
 * library: anchors, aliases, tags, directives, flow mappings with content, flow sequences that
 * span lines or hold anything but plain and quoted scalars, multi-line plain or quoted scalars,
 * escapes in double quotes, tabs outside block scalars and quotes, explicit (`?`) keys, keys the
 * core schema does not read as strings, duplicate keys, nesting deeper than MAX_DEPTH, and every
 * syntax error. test/unit/differential.test.ts checks that wherever this reader accepts a
 * document, its tree deep-equals the library's.
 *
 * Where a block collection ends (the `end` of a YMap or YSeq) follows the library's rules for the
 * comments and blank lines after its last value, which its parser attributes as follows:
 * - Lines after a single-line scalar, flow sequence or `{}` value that are blank or comments
 *   indented more than the collection holding the value belong to that value, up to the last such
 *   comment.
 * - An empty value (`key:` with nothing after it) owns every comment and blank line up to the next
 *   content, but only reaches that far when one of them is a comment.
 * - The remaining lines, plus the indentation of the next content line, are handed outwards from
 *   each collection the next content closes, and stay with the first one, if any, that is indented
 *   (not at column 0) and no deeper than one of their comments. A collection's `end` is where
 *   its last value's trailing lines end; what it keeps itself only extends its parent's `end`.
 */
import { isNullPlain } from './node';
import type { ParsedYamlDocument, ScalarStyle, YMap, YNode, YPair, YScalar, YSeq } from './node';

/** Read the document with the fast scanner, or `undefined` when it must go to the `yaml` library. */
export function scanBlockDocument(text: string): ParsedYamlDocument | undefined {
  try {
    return { root: new BlockScanner(text).document(), errors: [], parser: 'fast' };
  } catch {
    // Usually a Decline. Anything else would be a bug of ours: then too the scanner cannot vouch
    // for a tree, and the library, the reference, reads the document instead.
    return undefined;
  }
}

/** Thrown inside this module to abandon a document for the library. */
class Decline {}
const DECLINE = new Decline();

/** Deeper nesting is left to the library, which reports resource exhaustion properly. */
const MAX_DEPTH = 100;
/** The library reports an implicit key whose `:` is more than 1024 characters after its start. */
const MAX_KEY_SPAN = 1024;

/**
 * Plain scalars that the YAML 1.2 core schema reads as null, boolean or number (the library's own
 * patterns). The library compares such keys by their typed value (`1` and `01` collide), so maps
 * with them are left to it.
 */
const NON_STRING_PLAIN =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+)$/;

/** First characters (by code) of the plain scalars that NON_STRING_PLAIN can match, and of `<<`. */
const MAY_NOT_BE_STRING = new Uint8Array(128);
for (const character of '~nNtTfF.+-0123456789<') MAY_NOT_BE_STRING[character.charCodeAt(0)] = 1;

const TAB = 9;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const EXCLAMATION = 33;
const DOUBLE_QUOTE = 34;
const HASH = 35;
const PERCENT = 37;
const AMPERSAND = 38;
const SINGLE_QUOTE = 39;
const ASTERISK = 42;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const GREATER_THAN = 62;
const QUESTION = 63;
const AT = 64;
const LEFT_BRACKET = 91;
const RIGHT_BRACKET = 93;
const BACKTICK = 96;
const LEFT_BRACE = 123;
const PIPE = 124;
const RIGHT_BRACE = 125;
const BYTE_ORDER_MARK = 0xfeff;

class BlockScanner {
  private readonly length: number;

  // The current content line (valid while `atEnd` is false).
  private lineStart = 0;
  private lineIndent = 0;
  /** End of the line's content: before its `\n`, or before the `\r` of a `\r\n`. */
  private contentEnd = 0;
  private nextLine = 0;
  /** No content line is left: the text ended, or a `...` line ended the document. */
  private atEnd = false;
  /** Where the next content begins: the current line's first non-space character, a `...` line, or the text's end. */
  private nextContent = 0;

  // The comment and blank lines skipped since the last content line, for the trailing-line rules.
  private skippedCount = 0;
  /** Indentation of each skipped line that is a comment; -1 for a blank line. */
  private readonly skippedIndents: number[] = [];
  /** Offset after each skipped line (after its line break). */
  private readonly skippedEnds: number[] = [];

  // What the collections closed by the next content line need (see the module comment).
  /** Where the value of the innermost collection being closed ends. */
  private closeEnd = 0;
  /** Deepest comment among the trailing lines not yet kept by a collection; -1 when none is left. */
  private closeCommentIndent = -1;

  private depth = 0;
  /** Offset after the document's `---` and the spaces that follow it; -1 when it has none. */
  private markerEnd = -1;
  /** Set by `key`: the offset just after the key's `:`. */
  private afterColon = 0;
  /** Set by `plainEnd`: the offset of a `: ` that ends the plain scalar as a key, or -1. */
  private colonAt = -1;

  constructor(private readonly text: string) {
    this.length = text.length;
  }

  document(): YNode | undefined {
    if (this.length > 0 && this.text.charCodeAt(0) === BYTE_ORDER_MARK) throw DECLINE;
    if (this.length > 0 && this.text.charCodeAt(this.length - 1) === CARRIAGE_RETURN) throw DECLINE;
    this.advanceToContent(0, true);
    if (this.atEnd) {
      // A `...` with no content before it is left to the library.
      if (this.nextContent < this.length) throw DECLINE;
      // A lone `---` gets an empty scalar right after it from the library; comments alone, no root.
      return this.markerEnd >= 0 ? emptyScalar(this.markerEnd) : undefined;
    }
    if (this.lineIndent !== 0) throw DECLINE;
    const root = this.isSequenceEntry(this.lineStart) ? this.sequence(0) : this.mapping(0);
    if (!this.atEnd) throw DECLINE;
    return root;
  }

  // ---- Lines ----

  /**
   * Move to the next content line from `from` (a line start), recording the comment and blank
   * lines skipped. `allowMarker`: a `---` line may open the document here.
   */
  private advanceToContent(from: number, allowMarker = false): void {
    const text = this.text;
    this.skippedCount = 0;
    let lineStart = from;
    while (lineStart < this.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      const nextLine = lineEnd < 0 ? this.length : lineEnd + 1;
      if (lineEnd < 0) lineEnd = this.length;
      const contentEnd = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
      let offset = lineStart;
      while (offset < contentEnd && text.charCodeAt(offset) === SPACE) offset++;
      const first = offset < contentEnd ? text.charCodeAt(offset) : -1;
      if (first === -1 || first === HASH) {
        this.skippedIndents[this.skippedCount] = first === -1 ? -1 : offset - lineStart;
        this.skippedEnds[this.skippedCount++] = nextLine;
        lineStart = nextLine;
        continue;
      }
      if (first === TAB) throw DECLINE;
      if (offset === lineStart && (first === DASH || first === DOT) && this.isMarkerLine(lineStart, contentEnd, first)) {
        if (first === DOT) {
          this.endDocumentAt(lineStart, contentEnd, nextLine);
          return;
        }
        if (!allowMarker || this.markerEnd >= 0) throw DECLINE;
        // The document's own `---`: only spaces and a comment may follow it on its line.
        let after = lineStart + 3;
        while (after < contentEnd && text.charCodeAt(after) === SPACE) after++;
        if (after < contentEnd && text.charCodeAt(after) !== HASH) throw DECLINE;
        this.markerEnd = after;
        this.skippedCount = 0;
        lineStart = nextLine;
        continue;
      }
      this.lineStart = lineStart;
      this.lineIndent = offset - lineStart;
      this.contentEnd = contentEnd;
      this.nextLine = nextLine;
      this.nextContent = offset;
      this.atEnd = false;
      return;
    }
    this.atEnd = true;
    this.nextContent = this.length;
  }

  private isMarkerLine(lineStart: number, contentEnd: number, marker: number): boolean {
    const text = this.text;
    if (text.charCodeAt(lineStart + 1) !== marker || text.charCodeAt(lineStart + 2) !== marker) return false;
    const after = lineStart + 3;
    if (after >= contentEnd) return true;
    const code = text.charCodeAt(after);
    if (code === TAB) throw DECLINE;
    return code === SPACE;
  }

  /** A `...` line: the document ends; only comments and blank lines may follow it in this text. */
  private endDocumentAt(lineStart: number, contentEnd: number, nextLine: number): void {
    const text = this.text;
    let offset = lineStart + 3;
    let lineEnd = contentEnd;
    let next = nextLine;
    for (;;) {
      while (offset < lineEnd && text.charCodeAt(offset) === SPACE) offset++;
      if (offset < lineEnd && text.charCodeAt(offset) !== HASH) throw DECLINE;
      if (next >= this.length) break;
      offset = next;
      const newline = text.indexOf('\n', next);
      next = newline < 0 ? this.length : newline + 1;
      lineEnd = newline < 0 ? this.length : newline > offset && text.charCodeAt(newline - 1) === CARRIAGE_RETURN ? newline - 1 : newline;
    }
    this.atEnd = true;
    this.nextContent = lineStart;
  }

  /** `- ` (or a lone `-`) at `offset` of the current line. */
  private isSequenceEntry(offset: number): boolean {
    if (this.text.charCodeAt(offset) !== DASH) return false;
    if (offset + 1 >= this.contentEnd) return true;
    const next = this.text.charCodeAt(offset + 1);
    if (next === TAB) throw DECLINE;
    return next === SPACE;
  }

  /** Whether a comment is among the lines the last `advanceToContent` skipped. */
  private skippedComment(): boolean {
    for (let index = 0; index < this.skippedCount; index++) if (this.skippedIndents[index]! >= 0) return true;
    return false;
  }

  // ---- Collections ----

  private mapping(indent: number): YMap {
    if (++this.depth > MAX_DEPTH) throw DECLINE;
    const pairs: YPair[] = [];
    let keys: Set<string> | undefined;
    const start = this.lineStart + indent;
    for (;;) {
      const key = this.key(this.lineStart + indent);
      if (keys !== undefined) {
        if (keys.has(key.value)) throw DECLINE;
        keys.add(key.value);
      } else {
        for (const pair of pairs) if (pair.key.value === key.value) throw DECLINE;
        // Long mappings (ConfigMap data, labels) switch to a set.
        if (pairs.length >= 8) keys = new Set(pairs.map((pair) => pair.key.value).concat(key.value));
      }
      const value = this.mappingValue(indent, this.afterColon);
      pairs.push({ key, value, start: key.start, end: Math.max(value.end, key.end) });
      if (this.atEnd || this.lineIndent < indent) break;
      if (this.lineIndent > indent || this.isSequenceEntry(this.lineStart + indent)) throw DECLINE;
    }
    this.depth--;
    return { type: 'map', style: 'block', start, end: this.closeCollection(indent), pairs };
  }

  private sequence(indent: number): YSeq {
    if (++this.depth > MAX_DEPTH) throw DECLINE;
    const items: YNode[] = [];
    const start = this.lineStart + indent;
    for (;;) {
      let offset = this.lineStart + indent + 1;
      while (offset < this.contentEnd && this.text.charCodeAt(offset) === SPACE) offset++;
      if (offset < this.contentEnd && this.text.charCodeAt(offset) === TAB) throw DECLINE;
      if (offset >= this.contentEnd || this.text.charCodeAt(offset) === HASH) {
        // `-` alone on its line: the item is the block below it; an empty item is left to the library.
        this.advanceToContent(this.nextLine);
        if (this.atEnd || this.lineIndent <= indent) throw DECLINE;
        items.push(this.nestedBlock());
      } else if (this.isSequenceEntry(offset)) {
        throw DECLINE;
      } else if (this.startsKey(offset)) {
        items.push(this.mapping(offset - this.lineStart));
      } else {
        items.push(this.inlineValue(offset, indent));
      }
      if (this.atEnd || this.lineIndent < indent) break;
      if (this.lineIndent > indent) throw DECLINE;
      // A key at the sequence's own column ends it: the mapping it is the value of goes on.
      if (!this.isSequenceEntry(this.lineStart + indent)) break;
    }
    this.depth--;
    return { type: 'seq', style: 'block', start, end: this.closeCollection(indent), items };
  }

  /** The block collection that starts the current line, more indented than its parent. */
  private nestedBlock(): YMap | YSeq {
    return this.isSequenceEntry(this.lineStart + this.lineIndent) ? this.sequence(this.lineIndent) : this.mapping(this.lineIndent);
  }

  /**
   * Called as a collection at `indent` is closed by the next content line (or the end): returns
   * where its value ends and hands the trailing lines on to its parent (see the module comment).
   */
  private closeCollection(indent: number): number {
    const valueEnd = this.closeEnd;
    if (indent > 0 && this.closeCommentIndent >= indent) {
      this.closeEnd = this.nextContent;
      this.closeCommentIndent = -1;
    }
    return valueEnd;
  }

  // ---- Keys and values ----

  /** Whether a `key:` starts at `offset`. */
  private startsKey(offset: number): boolean {
    const first = this.text.charCodeAt(offset);
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      const close = this.closingQuote(offset);
      return this.text.charCodeAt(close + 1) === COLON && this.isBlankOrLineEnd(close + 2);
    }
    if (!this.canStartPlain(offset)) return false;
    this.plainEnd(offset);
    return this.colonAt >= 0;
  }

  /** The key at `offset`; sets `afterColon`. */
  private key(offset: number): YScalar {
    const first = this.text.charCodeAt(offset);
    let key: YScalar;
    let colon: number;
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      key = this.quoted(offset);
      colon = key.end;
      if (this.text.charCodeAt(colon) !== COLON || !this.isBlankOrLineEnd(colon + 1)) throw DECLINE;
    } else {
      if (!this.canStartPlain(offset)) throw DECLINE;
      const end = this.plainEnd(offset);
      colon = this.colonAt;
      if (colon < 0) throw DECLINE;
      const source = this.text.slice(offset, end);
      if (MAY_NOT_BE_STRING[first] === 1 && (source === '<<' || NON_STRING_PLAIN.test(source))) throw DECLINE;
      key = { type: 'scalar', start: offset, end, value: source, style: 'plain', isNull: false, valueStart: offset };
    }
    if (key.value === '' || colon - offset > MAX_KEY_SPAN) throw DECLINE;
    this.afterColon = colon + 1;
    return key;
  }

  /** The value after `key:` in a mapping at `indent`; leaves the scanner on the next content line. */
  private mappingValue(indent: number, afterColon: number): YNode {
    let offset = afterColon;
    while (offset < this.contentEnd && this.text.charCodeAt(offset) === SPACE) offset++;
    if (offset < this.contentEnd && this.text.charCodeAt(offset) !== HASH) {
      if (this.text.charCodeAt(offset) === TAB) throw DECLINE;
      return this.inlineValue(offset, indent);
    }
    // Nothing after the colon but perhaps a comment: the value is the block below, or empty.
    const emptyAt = offset;
    const commentOnKeyLine = offset < this.contentEnd;
    this.advanceToContent(this.nextLine);
    if (!this.atEnd) {
      if (this.lineIndent > indent) return this.nestedBlock();
      if (this.lineIndent === indent && this.isSequenceEntry(this.lineStart + indent)) return this.sequence(indent);
    }
    // An empty value keeps all trailing lines; they extend it only when one of them is a comment.
    this.closeEnd = commentOnKeyLine || this.skippedComment() ? this.nextContent : emptyAt;
    this.closeCommentIndent = -1;
    return emptyScalar(emptyAt);
  }

  /**
   * A value that starts at `offset` on the current line, in a collection at `indent`: a scalar,
   * a block scalar, a single-line flow sequence or `{}`. Leaves the scanner on the next content line.
   */
  private inlineValue(offset: number, indent: number): YNode {
    const text = this.text;
    const first = text.charCodeAt(offset);
    if (first === PIPE || first === GREATER_THAN) return this.blockScalar(offset, indent);
    let node: YNode;
    if (first === SINGLE_QUOTE || first === DOUBLE_QUOTE) {
      node = this.quoted(offset);
    } else if (first === LEFT_BRACKET) {
      node = this.flowSequence(offset);
    } else if (first === LEFT_BRACE) {
      if (text.charCodeAt(offset + 1) !== RIGHT_BRACE) throw DECLINE;
      node = { type: 'map', style: 'flow', start: offset, end: offset + 2, pairs: [] };
    } else {
      if (!this.canStartPlain(offset)) throw DECLINE;
      const end = this.plainEnd(offset);
      if (this.colonAt >= 0) throw DECLINE;
      node = plainScalar(text.slice(offset, end), offset, end);
    }
    this.expectLineEnd(node.end);
    this.finishFlowValue(indent);
    return node;
  }

  /**
   * The flow sequence whose `[` is at `offset`, when it closes on the same line and holds only
   * plain and quoted scalars: `[]`, `["sh", "-c"]`, `[get, list, watch]`, with a trailing comma or not.
   */
  private flowSequence(offset: number): YSeq {
    const text = this.text;
    const items: YScalar[] = [];
    let cursor = this.skipSpaces(offset + 1);
    while (text.charCodeAt(cursor) !== RIGHT_BRACKET) {
      // A sequence that goes on past its line is left to the library.
      if (cursor >= this.contentEnd) throw DECLINE;
      const first = text.charCodeAt(cursor);
      const item = first === SINGLE_QUOTE || first === DOUBLE_QUOTE ? this.quoted(cursor) : this.flowPlainScalar(cursor);
      items.push(item);
      cursor = this.skipSpaces(item.end);
      // At the end of the line `charCodeAt` sees a line break or NaN, neither of which is accepted here.
      const separator = text.charCodeAt(cursor);
      if (separator === COMMA) cursor = this.skipSpaces(cursor + 1);
      else if (separator !== RIGHT_BRACKET) throw DECLINE;
    }
    return { type: 'seq', style: 'flow', start: offset, end: cursor + 1, items };
  }

  /**
   * A plain scalar inside a flow sequence, ending before the `,` or `]` after it. Where the flow
   * context reads a character differently from the block context (`: `, ` #`, nested brackets and
   * braces), the item is left to the library.
   */
  private flowPlainScalar(offset: number): YScalar {
    const text = this.text;
    const contentEnd = this.contentEnd;
    const first = text.charCodeAt(offset);
    if (!this.canStartPlain(offset)) throw DECLINE;
    // `-`, `?` and `:` start a plain scalar only when a character that may continue one follows.
    if ((first === DASH || first === QUESTION || first === COLON) && this.endsFlowPlain(offset + 1)) throw DECLINE;
    let end = offset + 1;
    for (let index = end; index < contentEnd; index++) {
      const code = text.charCodeAt(index);
      if (code === COMMA || code === RIGHT_BRACKET) break;
      if (code === SPACE) continue;
      if (code === TAB || code === LEFT_BRACKET || code === LEFT_BRACE || code === RIGHT_BRACE) throw DECLINE;
      // A comment would swallow the `]`; a `:` before a separator would make the item a pair.
      if (code === HASH && text.charCodeAt(index - 1) === SPACE) throw DECLINE;
      if (code === COLON && this.endsFlowPlain(index + 1)) throw DECLINE;
      end = index + 1;
    }
    return plainScalar(text.slice(offset, end), offset, end);
  }

  /** Whether the character at `offset` (or the end of the line) ends a plain scalar in a flow collection. */
  private endsFlowPlain(offset: number): boolean {
    if (offset >= this.contentEnd) return true;
    const code = this.text.charCodeAt(offset);
    return code === SPACE || code === TAB || code === COMMA || code === LEFT_BRACKET || code === RIGHT_BRACKET || code === LEFT_BRACE || code === RIGHT_BRACE;
  }

  /** The first offset from `offset` that is not a space, at most the end of the line's content. */
  private skipSpaces(offset: number): number {
    let cursor = offset;
    while (cursor < this.contentEnd && this.text.charCodeAt(cursor) === SPACE) cursor++;
    return cursor;
  }

  /** Only spaces and a comment may follow a value on its line. */
  private expectLineEnd(offset: number): void {
    let after = offset;
    while (after < this.contentEnd && this.text.charCodeAt(after) === SPACE) after++;
    if (after < this.contentEnd && (after === offset || this.text.charCodeAt(after) !== HASH)) throw DECLINE;
  }

  /** After a single-line value in a collection at `indent`: find the next content line and what the trailing lines belong to. */
  private finishFlowValue(indent: number): void {
    const ownLineEnd = this.nextLine;
    this.advanceToContent(ownLineEnd);
    // A deeper line would continue a plain scalar over several lines, or be an error.
    if (!this.atEnd && this.lineIndent > indent) throw DECLINE;
    let end = ownLineEnd;
    let owned = true;
    let deepestComment = -1;
    for (let index = 0; index < this.skippedCount; index++) {
      const commentIndent = this.skippedIndents[index]!;
      if (commentIndent < 0) continue;
      if (owned && commentIndent > indent) {
        end = this.skippedEnds[index]!;
      } else {
        owned = false;
        if (commentIndent > deepestComment) deepestComment = commentIndent;
      }
    }
    this.closeEnd = end;
    this.closeCommentIndent = deepestComment;
  }

  private canStartPlain(offset: number): boolean {
    switch (this.text.charCodeAt(offset)) {
      case DASH:
      case QUESTION:
      case COLON:
        // An indicator unless a non-space character follows.
        return !this.isBlankOrLineEnd(offset + 1);
      case COMMA:
      case LEFT_BRACKET:
      case RIGHT_BRACKET:
      case LEFT_BRACE:
      case RIGHT_BRACE:
      case HASH:
      case AMPERSAND:
      case ASTERISK:
      case EXCLAMATION:
      case PIPE:
      case GREATER_THAN:
      case SINGLE_QUOTE:
      case DOUBLE_QUOTE:
      case PERCENT:
      case AT:
      case BACKTICK:
      case TAB:
        return false;
      default:
        return true;
    }
  }

  /**
   * End of the single-line plain scalar at `offset`, without trailing spaces: it stops at `: `
   * (recorded in `colonAt`), at ` #`, or at the end of the line.
   */
  private plainEnd(offset: number): number {
    const text = this.text;
    const contentEnd = this.contentEnd;
    let end = offset;
    this.colonAt = -1;
    for (let index = offset; index < contentEnd; index++) {
      const code = text.charCodeAt(index);
      if (code === COLON) {
        if (this.isBlankOrLineEnd(index + 1)) {
          this.colonAt = index;
          return end;
        }
        end = index + 1;
      } else if (code === SPACE) {
        if (index + 1 < contentEnd && text.charCodeAt(index + 1) === HASH) return end;
      } else if (code === TAB || code === CARRIAGE_RETURN) {
        throw DECLINE;
      } else {
        end = index + 1;
      }
    }
    return end;
  }

  private isBlankOrLineEnd(offset: number): boolean {
    if (offset >= this.contentEnd) return true;
    const code = this.text.charCodeAt(offset);
    if (code === TAB) throw DECLINE;
    return code === SPACE;
  }

  /** Offset of the quote closing the quoted scalar at `offset`, on the same line. */
  private closingQuote(offset: number): number {
    const text = this.text;
    const quote = text[offset]!;
    let close = text.indexOf(quote, offset + 1);
    if (quote === "'") {
      while (close >= 0 && close < this.contentEnd && text.charCodeAt(close + 1) === SINGLE_QUOTE) close = text.indexOf(quote, close + 2);
    }
    if (close < 0 || close >= this.contentEnd) throw DECLINE;
    return close;
  }

  private quoted(offset: number): YScalar {
    const text = this.text;
    const close = this.closingQuote(offset);
    const inner = text.slice(offset + 1, close);
    let value = inner;
    let style: ScalarStyle;
    if (text.charCodeAt(offset) === SINGLE_QUOTE) {
      style = 'single';
      if (inner.includes("''")) value = inner.replace(/''/g, "'");
    } else {
      style = 'double';
      // Escapes are decoded by the library.
      if (inner.includes('\\')) throw DECLINE;
    }
    const end = close + 1;
    return { type: 'scalar', start: offset, end, value, style, isNull: false, valueStart: value === inner ? offset + 1 : undefined };
  }

  // ---- Block scalars ----

  /** A `|` or `>` block scalar whose header is at `offset`, the value of a collection at `indent`. */
  private blockScalar(offset: number, indent: number): YScalar {
    const text = this.text;
    const literal = text.charCodeAt(offset) === PIPE;
    let chomp = '';
    let explicitIndent = 0;
    let headerEnd = offset + 1;
    for (; headerEnd < this.contentEnd; headerEnd++) {
      const code = text.charCodeAt(headerEnd);
      if (code === SPACE || code === HASH) break;
      if (chomp === '' && (code === DASH || code === 43 /* + */)) chomp = code === DASH ? '-' : '+';
      else if (explicitIndent === 0 && code >= 49 /* 1 */ && code <= 57 /* 9 */) explicitIndent = code - 48;
      else throw DECLINE;
    }
    // A comment after the header needs a space before it.
    if (headerEnd < this.contentEnd && text.charCodeAt(headerEnd) === HASH) throw DECLINE;
    this.expectLineEnd(headerEnd);

    const bodyStart = this.nextLine;
    const end = blockScalarEnd(text, bodyStart, indent + 1, explicitIndent, chomp === '+');
    const value = blockScalarValue(text.slice(bodyStart, end), literal, chomp, explicitIndent, indent);
    const node: YScalar = { type: 'scalar', start: offset, end, value, style: literal ? 'literal' : 'folded', isNull: false, valueStart: undefined };

    this.advanceToContent(end);
    if (!this.atEnd && this.lineIndent > indent) throw DECLINE;
    // Nothing after a block scalar belongs to it: every trailing line is handed outwards.
    let deepestComment = -1;
    for (let index = 0; index < this.skippedCount; index++) deepestComment = Math.max(deepestComment, this.skippedIndents[index]!);
    this.closeEnd = end;
    this.closeCommentIndent = deepestComment;
    return node;
  }
}

/**
 * Where the body of a block scalar starting at `bodyStart` ends, exactly as the library's lexer
 * decides (`Lexer.parseBlockScalar`): the lines indented at least as much as its first content line
 * (or the explicit indentation), less trailing blank lines unless chomping keeps them.
 * `minIndent` is the parent collection's indentation plus one.
 */
function blockScalarEnd(text: string, bodyStart: number, minIndent: number, explicitIndent: number, keep: boolean): number {
  const length = text.length;
  let lastNewline = bodyStart - 1;
  let indent = 0;
  scan: for (let offset = bodyStart; offset < length; offset++) {
    switch (text.charCodeAt(offset)) {
      case SPACE:
        indent++;
        break;
      case LINE_FEED:
        lastNewline = offset;
        indent = 0;
        break;
      case CARRIAGE_RETURN:
        if (text.charCodeAt(offset + 1) === LINE_FEED) break;
        throw DECLINE;
      default:
        break scan;
    }
  }
  if (indent >= minIndent) {
    const contentIndent = explicitIndent === 0 ? indent : explicitIndent - 1 + minIndent;
    let newline: number = lastNewline;
    do {
      const lineStart = newline + 1;
      let offset = lineStart;
      while (text.charCodeAt(offset) === SPACE) offset++;
      const code = text.charCodeAt(offset);
      const blank = code === LINE_FEED || (code === CARRIAGE_RETURN && text.charCodeAt(offset + 1) === LINE_FEED);
      if (!blank && offset - lineStart < contentIndent) break;
      newline = text.indexOf('\n', offset);
    } while (newline !== -1);
    lastNewline = newline === -1 ? length : newline;
  }
  // The library would take a tab on the first line after the body into the body, and fail.
  let after = lastNewline + 1;
  while (text.charCodeAt(after) === SPACE) after++;
  if (text.charCodeAt(after) === TAB) throw DECLINE;
  if (!keep) {
    // Drop trailing lines that hold no more than the first content line's indentation of spaces.
    for (;;) {
      let offset = lastNewline - 1;
      if (text.charCodeAt(offset) === CARRIAGE_RETURN) offset--;
      const lastChar = offset;
      while (text.charCodeAt(offset) === SPACE) offset--;
      if (offset >= bodyStart && text.charCodeAt(offset) === LINE_FEED && offset + 1 + indent > lastChar) lastNewline = offset;
      else break;
    }
  }
  return Math.min(lastNewline + 1, length);
}

/**
 * The value of a block scalar body, as the library composes it (`resolveBlockScalar`), or a
 * decline where the library reports an indentation error.
 */
function blockScalarValue(source: string, literal: boolean, chomp: string, explicitIndent: number, parentIndent: number): string {
  const lines = source === '' ? [] : splitIndentedLines(source);
  let chompStart = lines.length;
  for (let index = lines.length - 1; index >= 0; index--) {
    const content = lines[index]![1];
    if (content === '' || content === '\r') chompStart = index;
    else break;
  }
  if (chompStart === 0) return chomp === '+' && lines.length > 0 ? '\n'.repeat(Math.max(1, lines.length - 1)) : '';

  let trimIndent = parentIndent + explicitIndent;
  let contentStart = 0;
  for (let index = 0; index < chompStart; index++) {
    const [indentation, content] = lines[index]!;
    if (content === '' || content === '\r') {
      if (explicitIndent === 0 && indentation.length > trimIndent) trimIndent = indentation.length;
    } else {
      // More-indented leading blank lines need an explicit indentation indicator.
      if (indentation.length < trimIndent) throw DECLINE;
      if (explicitIndent === 0) trimIndent = indentation.length;
      if (trimIndent === 0) throw DECLINE;
      contentStart = index;
      break;
    }
  }
  // Trailing blank lines indented beyond the content are content.
  for (let index = lines.length - 1; index >= chompStart; index--) {
    if (lines[index]![0].length > trimIndent) chompStart = index + 1;
  }

  let value = '';
  let separator = '';
  let previousMoreIndented = false;
  for (let index = 0; index < contentStart; index++) value += lines[index]![0].slice(trimIndent) + '\n';
  for (let index = contentStart; index < chompStart; index++) {
    const [indentation, rawContent] = lines[index]!;
    const content = rawContent.endsWith('\r') ? rawContent.slice(0, -1) : rawContent;
    if (content !== '' && indentation.length < trimIndent) throw DECLINE;
    if (literal) {
      value += separator + indentation.slice(trimIndent) + content;
      separator = '\n';
    } else if (indentation.length > trimIndent || content.startsWith('\t')) {
      if (separator === ' ') separator = '\n';
      else if (!previousMoreIndented && separator === '\n') separator = '\n\n';
      value += separator + indentation.slice(trimIndent) + content;
      separator = '\n';
      previousMoreIndented = true;
    } else if (content === '') {
      if (separator === '\n') value += '\n';
      else separator = '\n';
    } else {
      value += separator + content;
      separator = ' ';
      previousMoreIndented = false;
    }
  }
  if (chomp === '+') {
    for (let index = chompStart; index < lines.length; index++) value += '\n' + lines[index]![0].slice(trimIndent);
    if (!value.endsWith('\n')) value += '\n';
  } else if (chomp === '') {
    value += '\n';
  }
  return value;
}

/** Lines of a block scalar body as `[leading spaces, rest]`, split the way the library splits them. */
function splitIndentedLines(source: string): [string, string][] {
  const parts = source.split(/\n( *)/);
  const first = parts[0]!;
  const leading = /^( *)/.exec(first)![1]!;
  const lines: [string, string][] = [[leading, first.slice(leading.length)]];
  for (let index = 1; index < parts.length; index += 2) lines.push([parts[index]!, parts[index + 1]!]);
  return lines;
}

function plainScalar(source: string, start: number, end: number): YScalar {
  if (source.length <= 4 && isNullPlain(source)) return { type: 'scalar', start, end, value: '', style: 'plain', isNull: true, valueStart: start === end ? start : undefined };
  return { type: 'scalar', start, end, value: source, style: 'plain', isNull: false, valueStart: start };
}

function emptyScalar(offset: number): YScalar {
  return { type: 'scalar', start: offset, end: offset, value: '', style: 'plain', isNull: true, valueStart: offset };
}
