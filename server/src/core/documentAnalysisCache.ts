/**
 * Analyses of single YAML documents, cached by their text and analysis context, least recently
 * used first out. One cache is shared by every `FileAnalyzer`, so a document is analysed once
 * however many files or versions of a file contain it.
 */
import { analyzeDocument } from './analyzeDocument';
import type { AnalysisContext, DocumentAnalysis } from './types';

export type DocumentAnalysisFunction = (text: string, context: AnalysisContext) => DocumentAnalysis;

export interface DocumentAnalysisCacheOptions {
  /** Upper bound on the summed length of the cached documents' texts, in UTF-16 code units. */
  readonly maxCharacters?: number;
  /** How a document is analysed on a miss. */
  readonly analyze?: DocumentAnalysisFunction;
}

/**
 * Room for the recent versions of the documents being edited (an undo is then a lookup) and for
 * documents that several open files share. The open files hold the analyses of their current
 * documents themselves, so the cache need not: sized for whole files, it kept a version of every
 * edited document until it had grown to many times the file, and memory grew with each edit.
 */
export const DEFAULT_CACHE_CHARACTERS = 2 * 1024 * 1024;

interface Entry {
  /** The key it is stored under: context key, a NUL, then the document's text. */
  readonly key: string;
  readonly analysis: DocumentAnalysis;
}

export class DocumentAnalysisCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxCharacters: number;
  private readonly analyzeText: DocumentAnalysisFunction;
  private cachedCharacters = 0;
  private hitCount = 0;
  private missCount = 0;

  constructor(options: DocumentAnalysisCacheOptions = {}) {
    this.maxCharacters = options.maxCharacters ?? DEFAULT_CACHE_CHARACTERS;
    this.analyzeText = options.analyze ?? analyzeDocument;
  }

  /** The analysis of `text` in `context`, from the cache when it holds it. */
  analyze(text: string, context: AnalysisContext): DocumentAnalysis {
    const prefix = contextKey(context);
    const lookup = prefix + text;
    const entry = this.entries.get(lookup);
    if (entry !== undefined) {
      this.hitCount++;
      // Re-inserting makes it the most recently used.
      this.entries.delete(lookup);
      this.entries.set(entry.key, entry);
      return entry.analysis;
    }
    this.missCount++;
    const key = detachedCopy(lookup);
    // The analysis keeps substrings of the text it reads, so it must read the detached copy too.
    const analysis = this.analyzeText(key.slice(prefix.length), context);
    if (key.length <= this.maxCharacters) {
      this.entries.set(key, { key, analysis });
      this.cachedCharacters += key.length;
      this.evict();
    }
    return analysis;
  }

  /** Lookups answered from the cache so far. */
  get hits(): number {
    return this.hitCount;
  }

  /** Lookups that had to analyse so far. */
  get misses(): number {
    return this.missCount;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.cachedCharacters <= this.maxCharacters) return;
      this.entries.delete(key);
      this.cachedCharacters -= key.length;
    }
  }
}

/** The cache every `FileAnalyzer` uses unless it is given another. */
export const sharedDocumentAnalysisCache = new DocumentAnalysisCache();

/** Any context field can change an analysis, so all of them are part of the key. */
function contextKey(context: AnalysisContext): string {
  return `${JSON.stringify(context)}\u0000`;
}

/**
 * A copy of `text` that keeps no larger string alive. V8 represents `slice` results and
 * concatenations as views into their source, so a cached document sliced out of a file would pin
 * that whole version of the file in memory, one version per edit. Slicing a fresh concatenation
 * makes V8 flatten it into a new string only as long as `text`, and the slice refers to that.
 */
function detachedCopy(text: string): string {
  return ` ${text}`.slice(1);
}
