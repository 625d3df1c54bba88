/**
 * A file's analysis, kept up to date across edits: the text is split into YAML documents
 * lexically, each document is analysed on its own and cached by content, so an edit re-analyses
 * only the documents it touches.
 *
 * An update with edits works on the region they touched: from the edits alone it knows how long
 * a prefix and a suffix of the text are unchanged, re-splits from the document before the first
 * touched one until a document boundary lands on an old boundary inside the unchanged suffix, and
 * shifts the documents after it. Neither the whole text nor its documents are compared or hashed
 * again, so a keystroke costs the same in a file of ten documents as in one of ten thousand.
 */
import { DocumentAnalysisCache, sharedDocumentAnalysisCache } from './documentAnalysisCache';
import { binaryContentRule, fileTooLargeRule } from './rules/documentProblems';
import { finding } from './rules/rule';
import type { AnalysisContext, AnalyzedDocument } from './types';
import { documentEnd, type FileText } from './yaml/split';

/** An edit in the coordinates of the text it applies to (edits of one update apply in order). */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly newLength: number;
}

export interface FileAnalyzerOptions {
  /** Texts longer than this many UTF-16 code units get one `file-too-large` finding and no analysis. */
  readonly maxFileSize?: number;
  /** Where document analyses are cached; by default the cache all analyzers share. */
  readonly cache?: DocumentAnalysisCache;
}

export const DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024;

/** Lengths of the text's start and end that the edits of one update left as they were. */
interface UnchangedEnds {
  readonly prefix: number;
  readonly suffix: number;
}

export class FileAnalyzer {
  private documentsInFile: readonly AnalyzedDocument[] = [];
  /** Length of the text the documents were computed for; undefined before the first update. */
  private analyzedLength: number | undefined;
  /** The last text was refused as a whole (too large, binary): the next update starts over. */
  private refused = false;
  private readonly maxFileSize: number;
  private readonly cache: DocumentAnalysisCache;

  constructor(
    private readonly context: AnalysisContext = {},
    options: FileAnalyzerOptions = {},
  ) {
    this.maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    this.cache = options.cache ?? sharedDocumentAnalysisCache;
  }

  /**
   * Replace the text. With `changes` (the edits that turned the previous text into this one),
   * only the documents the changes touch are re-read; without, the whole text is.
   */
  update(text: FileText, changes?: readonly TextChange[]): void {
    const previousLength = this.analyzedLength;
    const unchanged = changes !== undefined && previousLength !== undefined && !this.refused ? unchangedEnds(previousLength, text.length, changes) : undefined;
    if (text.length > this.maxFileSize) {
      this.refuse(text, 'file-too-large');
    } else if (unchanged === undefined ? text.indexOf('\u0000') >= 0 : containsNul(text, unchanged.prefix, text.length - unchanged.suffix)) {
      this.refuse(text, 'binary-content');
    } else {
      this.documentsInFile =
        unchanged === undefined || previousLength === undefined || this.documentsInFile.length === 0
          ? this.analyzeAll(text)
          : this.reanalyze(text, previousLength, unchanged);
      this.refused = false;
    }
    this.analyzedLength = text.length;
  }

  /** The documents of the current text, in order, covering it without gaps. */
  get documents(): readonly AnalyzedDocument[] {
    return this.documentsInFile;
  }

  private analyzeAll(text: FileText): AnalyzedDocument[] {
    const documents: AnalyzedDocument[] = [];
    for (let start = 0; start < text.length; ) {
      const end = documentEnd(text, start);
      documents.push(this.analyzeSlice(text, start, end));
      start = end;
    }
    return documents;
  }

  private reanalyze(text: FileText, previousLength: number, unchanged: UnchangedEnds): AnalyzedDocument[] {
    const previous = this.documentsInFile;
    const delta = text.length - previousLength;
    // Start one document before the first touched one: an edit at the very start of a document
    // may have changed the `---` line that made the boundary in front of it.
    const touched = indexOfDocumentAt(previous, Math.max(unchanged.prefix - 1, 0));
    const first = Math.max(touched - 1, 0);
    const documents = previous.slice(0, first);
    // Old documents from `reusable` on lie wholly in the unchanged suffix.
    const unchangedTail = previousLength - unchanged.suffix;
    let reusable = indexOfDocumentAt(previous, unchangedTail);
    if (previous[reusable]!.offset < unchangedTail) reusable++;
    let start = previous[first]!.offset;
    while (start < text.length) {
      while (reusable < previous.length && previous[reusable]!.offset + delta < start) reusable++;
      if (reusable < previous.length && previous[reusable]!.offset + delta === start) {
        // The splitter reads only forwards, and from here on the text is the old text shifted:
        // the old documents are the new ones.
        for (let index = reusable; index < previous.length; index++) documents.push(shifted(previous[index]!, delta));
        return documents;
      }
      const end = documentEnd(text, start);
      documents.push(this.analyzeSlice(text, start, end));
      start = end;
    }
    return documents;
  }

  private analyzeSlice(text: FileText, start: number, end: number): AnalyzedDocument {
    return { offset: start, length: end - start, analysis: this.cache.analyze(text.slice(start, end), this.context) };
  }

  private refuse(text: FileText, code: 'file-too-large' | 'binary-content'): void {
    const message =
      code === 'file-too-large'
        ? `Not analysed: this file has ${text.length} characters, more than the limit of ${this.maxFileSize} (setting kubeImages.maxFileSize).`
        : 'Not analysed: this file contains NUL characters, so it is binary data, not a YAML manifest.';
    const rule = code === 'file-too-large' ? fileTooLargeRule : binaryContentRule;
    this.documentsInFile = [{ offset: 0, length: text.length, analysis: { images: [], findings: [finding(rule, { start: 0, end: 0 }, message)] } }];
    this.refused = true;
  }
}

/**
 * The unchanged prefix and suffix after `changes`, or undefined when the changes do not fit the
 * texts (a client out of step): the caller then analyses the whole text.
 */
function unchangedEnds(previousLength: number, newLength: number, changes: readonly TextChange[]): UnchangedEnds | undefined {
  let length = previousLength;
  let prefix = previousLength;
  let suffix = previousLength;
  for (const { start, end, newLength: inserted } of changes) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || !Number.isSafeInteger(inserted)) return undefined;
    if (start < 0 || start > end || end > length || inserted < 0) return undefined;
    prefix = Math.min(prefix, start);
    suffix = Math.min(suffix, length - end);
    length += inserted - (end - start);
  }
  return length === newLength ? { prefix, suffix } : undefined;
}

function containsNul(text: FileText, from: number, to: number): boolean {
  for (let offset = from; offset < to; offset++) if (text.charCodeAt(offset) === 0) return true;
  return false;
}

/** Index of the last document starting at or before `offset` (0 when none does). */
function indexOfDocumentAt(documents: readonly AnalyzedDocument[], offset: number): number {
  let low = 0;
  let high = documents.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (documents[middle]!.offset <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

function shifted(document: AnalyzedDocument, delta: number): AnalyzedDocument {
  return delta === 0 ? document : { offset: document.offset + delta, length: document.length, analysis: document.analysis };
}
