/**
 * The open documents, synchronised incrementally, each with its own `FileAnalyzer`.
 *
 * We keep our own store instead of `TextDocuments` because the analyzer needs every edit as an
 * offset range on the text it applies to: that is what lets it re-analyse only the YAML
 * documents an edit touches. Edits are collected as they arrive and handed to the analyzer when
 * a feature first needs the analysis, so a burst of keystrokes costs one analysis. The text itself
 * is a `ChunkedTextDocument`, so that neither an edit nor its analysis copies the whole file.
 */
import {
  TextDocumentContentChangeEvent,
  type DidChangeTextDocumentParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
} from 'vscode-languageserver/node';
import { FileAnalyzer, type TextChange } from '../core/fileAnalyzer';
import type { AnalysisContext, AnalyzedDocument } from '../core/types';
import { ChunkedTextDocument } from './chunkedTextDocument';

export class OpenDocument {
  private analyzer: FileAnalyzer | undefined;
  private analyzerMaxFileSize = 0;
  /** Edits not yet seen by the analyzer, each in the coordinates of the text after the previous one. */
  private pendingChanges: TextChange[] = [];
  /** Set by a whole-text replacement: the analyzer then starts over instead of applying edits. */
  private needsFullAnalysis = true;

  constructor(
    readonly uri: string,
    readonly textDocument: ChunkedTextDocument,
    private readonly context: AnalysisContext,
  ) {}

  /** Applies one `didChange` notification's changes in order. */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (TextDocumentContentChangeEvent.isIncremental(change)) {
        // Offsets are taken on the text as it stands before this change: that is the coordinate
        // system of each change in the notification, and of each TextChange for the analyzer.
        const from = this.textDocument.offsetAt(change.range.start);
        const to = this.textDocument.offsetAt(change.range.end);
        // A reversed range is swapped, as TextDocument.update does, so both sides see the same edit.
        this.pendingChanges.push({ start: Math.min(from, to), end: Math.max(from, to), newLength: change.text.length });
      } else {
        this.needsFullAnalysis = true;
        this.pendingChanges = [];
      }
      this.textDocument.update([change], version);
    }
    // A notification without changes still moves the document to its version.
    if (changes.length === 0) this.textDocument.update([], version);
  }

  /** The analysis of the current text. `maxFileSize` comes from the document's settings. */
  analysis(maxFileSize: number): readonly AnalyzedDocument[] {
    if (this.analyzer === undefined || this.analyzerMaxFileSize !== maxFileSize) {
      this.analyzer = new FileAnalyzer(this.context, { maxFileSize });
      this.analyzerMaxFileSize = maxFileSize;
      this.needsFullAnalysis = true;
    }
    const changes = this.needsFullAnalysis ? undefined : this.pendingChanges;
    // Should the update fail, the analyzer's state is unknown: the next call starts over.
    this.needsFullAnalysis = true;
    this.pendingChanges = [];
    // Edits are read from the chunks where they landed; a whole reading may as well take one string.
    if (changes === undefined) this.analyzer.update(this.textDocument.getText());
    else if (changes.length > 0) this.analyzer.update(this.textDocument, changes);
    this.needsFullAnalysis = false;
    return this.analyzer.documents;
  }
}

export class DocumentStore {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly contentListeners: ((document: OpenDocument) => void)[] = [];
  private readonly closeListeners: ((uri: string) => void)[] = [];

  get(uri: string): OpenDocument | undefined {
    return this.documents.get(uri);
  }

  all(): IterableIterator<OpenDocument> {
    return this.documents.values();
  }

  /** Called after a document is opened or changed. */
  onDidChangeContent(listener: (document: OpenDocument) => void): void {
    this.contentListeners.push(listener);
  }

  onDidClose(listener: (uri: string) => void): void {
    this.closeListeners.push(listener);
  }

  didOpen({ textDocument }: DidOpenTextDocumentParams): void {
    const document = new OpenDocument(
      textDocument.uri,
      new ChunkedTextDocument(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text),
      analysisContextFor(textDocument.uri),
    );
    this.documents.set(textDocument.uri, document);
    for (const listener of this.contentListeners) listener(document);
  }

  didChange({ textDocument, contentChanges }: DidChangeTextDocumentParams): void {
    const document = this.documents.get(textDocument.uri);
    if (document === undefined) throw new Error(`didChange for ${textDocument.uri}, which is not open`);
    document.applyChanges(contentChanges, textDocument.version);
    for (const listener of this.contentListeners) listener(document);
  }

  didClose({ textDocument }: DidCloseTextDocumentParams): void {
    if (!this.documents.delete(textDocument.uri)) return;
    for (const listener of this.closeListeners) listener(textDocument.uri);
  }
}

/**
 * How the document's name changes its reading, from the URI alone (the server never touches the
 * file system, so it works the same for unsaved, virtual and remote documents).
 *
 * Helm: any ancestor folder named `templates` marks a chart template. Checking for a sibling
 * `Chart.yaml` would need the file system, and requiring a `charts` segment would miss the usual
 * layout (`mychart/templates/…`). Erring towards "template" is cheap: such files lose only YAML
 * syntax errors, which `{{ … }}` makes meaningless anyway, while image checks still run.
 */
export function analysisContextFor(uri: string): AnalysisContext {
  const segments = uriPathSegments(uri);
  const fileName = segments.at(-1);
  const helmTemplate = segments.slice(0, -1).includes('templates');
  return fileName === undefined ? { helmTemplate } : { fileName, helmTemplate };
}

function uriPathSegments(uri: string): string[] {
  let path: string;
  try {
    path = new URL(uri).pathname;
  } catch {
    path = uri;
  }
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}
