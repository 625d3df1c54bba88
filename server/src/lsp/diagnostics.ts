/**
 * Publishes each open document's findings as LSP diagnostics.
 *
 * Publication is coalesced: changes schedule their document, and one `setImmediate` turn later
 * every scheduled document is analysed once and published.
 *
 * The analysis' diagnostics carry no fixes: a code action finds the diagnostic's finding again in
 * the analysis of the text as it is then (`codeActions.ts`). Fixes in every diagnostic were a
 * sixth of each publication's bytes, and a publication of a large file is most of a keystroke's
 * cost. Registry diagnostics, which the analysis does not hold, carry theirs in `data`.
 */
import { DiagnosticSeverity, DiagnosticTag, type Connection, type Diagnostic, type Position, type Range, type TextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { RULES } from '../core/rules';
import { applySeverities, type ReportedFinding } from '../core/severities';
import type { AnalyzedDocument, DiagnosticCode, DocumentAnalysis, Severity } from '../core/types';
import type { ChunkedTextDocument } from './chunkedTextDocument';
import type { DocumentStore, OpenDocument } from './documents';
import { logError } from './guard';
import type { KubeImagesSettings, SettingsStore } from './settings';

export const DIAGNOSTIC_SOURCE = 'kube-images';

/** One local fix, in the absolute coordinates of the document version it was published for. */
export interface DiagnosticFix {
  readonly title: string;
  readonly isPreferred: boolean;
  readonly edits: readonly TextEdit[];
}

/** What travels in `Diagnostic.data` of the diagnostics that carry their fixes (registry findings). */
export interface DiagnosticData {
  /** The document version the edits were computed for: a code action drops them once the text has moved on. */
  readonly version: number;
  readonly fixes: readonly DiagnosticFix[];
}

const LSP_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Rendered struck through by editors that support tags: the registry still answers, for now. */
const DEPRECATED_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>(['deprecated-registry']);

const docsUrls: ReadonlyMap<string, string> = new Map(Object.values(RULES).map((rule) => [rule.code, rule.docsUrl]));

/**
 * A document's diagnostics with lines counted from the document's first line, and without a
 * version: valid wherever the same analysis lands, as long as the document starts at the same
 * column (which makes every character position the same).
 */
interface PlaceableDiagnostics {
  readonly startCharacter: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** What one publication made of a document with findings, for the next publication to reuse. */
interface PublishedDocument {
  readonly analysis: DocumentAnalysis;
  readonly relative: PlaceableDiagnostics;
  /** The line the document started on, and its diagnostics moved there. */
  readonly line: number;
  readonly placed: readonly Diagnostic[];
}

/**
 * The diagnostics of one open file. An edit changes the analysis of the documents it touches
 * only; the others keep their analysis object, so their diagnostics are moved by whole lines
 * instead of converted again from offsets, and those whose document still starts on the same
 * line are published as the very same objects. In a file of thousands of documents that is most
 * of the work of a keystroke.
 */
export class FileDiagnostics {
  /** Indexed like the documents of the last publication; undefined for documents without findings. */
  private published: readonly (PublishedDocument | undefined)[] = [];

  constructor(readonly settings: KubeImagesSettings) {}

  /** Every finding the settings leave on, positioned in the file. */
  diagnostics(textDocument: ChunkedTextDocument, documents: readonly AnalyzedDocument[]): Diagnostic[] {
    const previous = this.published;
    // An edit replaces the documents of one region: those before it keep their index, those
    // after it their distance from the end. So a document's previous entry is found by index,
    // without hashing thousands of analyses per keystroke.
    const shift = previous.length - documents.length;
    const published: (PublishedDocument | undefined)[] = [];
    const diagnostics: Diagnostic[] = [];
    let line = 0;
    for (let index = 0; index < documents.length; index++) {
      const document = documents[index]!;
      if (document.analysis.findings.length === 0) {
        published.push(undefined);
        continue;
      }
      const start = textDocument.positionAtFrom(document.offset, line);
      line = start.line;
      const before = reusable(previous[index], document) ?? reusable(previous[index + shift], document);
      let entry: PublishedDocument;
      if (before !== undefined && before.relative.startCharacter === start.character) {
        entry = before.line === start.line ? before : { ...before, line: start.line, placed: placedAll(before.relative, start.line) };
      } else {
        const relative = this.relativeDiagnostics(textDocument, document, start);
        entry = { analysis: document.analysis, relative, line: start.line, placed: placedAll(relative, start.line) };
      }
      published.push(entry);
      for (const diagnostic of entry.placed) diagnostics.push(diagnostic);
    }
    this.published = published;
    return diagnostics;
  }

  private relativeDiagnostics(textDocument: TextDocument, document: AnalyzedDocument, documentStart: Position): PlaceableDiagnostics {
    const rangeOf = (start: number, end: number): Range => {
      const from = textDocument.positionAt(document.offset + start);
      const to = textDocument.positionAt(document.offset + end);
      return {
        start: { line: from.line - documentStart.line, character: from.character },
        end: { line: to.line - documentStart.line, character: to.character },
      };
    };
    return {
      startCharacter: documentStart.character,
      diagnostics: applySeverities(document.analysis.findings, this.settings.severity).map((finding) => toDiagnostic(finding, rangeOf)),
    };
  }
}

function toDiagnostic(finding: ReportedFinding, rangeOf: (start: number, end: number) => Range): Diagnostic {
  const diagnostic: Diagnostic = {
    range: rangeOf(finding.start, finding.end),
    severity: LSP_SEVERITY[finding.severity],
    code: finding.code,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
  };
  const href = docsUrls.get(finding.code);
  if (href !== undefined) diagnostic.codeDescription = { href };
  if (DEPRECATED_CODES.has(finding.code)) diagnostic.tags = [DiagnosticTag.Deprecated];
  return diagnostic;
}

/** A relative diagnostic moved down to its document's first line. */
function placed(relative: Diagnostic, lines: number): Diagnostic {
  const diagnostic: Diagnostic = {
    range: movedRange(relative.range, lines),
    severity: relative.severity,
    code: relative.code,
    source: relative.source,
    message: relative.message,
  };
  if (relative.codeDescription !== undefined) diagnostic.codeDescription = relative.codeDescription;
  if (relative.tags !== undefined) diagnostic.tags = relative.tags;
  return diagnostic;
}

function reusable(entry: PublishedDocument | undefined, document: AnalyzedDocument): PublishedDocument | undefined {
  return entry?.analysis === document.analysis ? entry : undefined;
}

function placedAll(relative: PlaceableDiagnostics, lines: number): Diagnostic[] {
  return relative.diagnostics.map((diagnostic) => placed(diagnostic, lines));
}

function movedRange(range: Range, lines: number): Range {
  return {
    start: { line: range.start.line + lines, character: range.start.character },
    end: { line: range.end.line + lines, character: range.end.character },
  };
}

/** Checks `Diagnostic.data` coming back from a client before a code action trusts it. */
export function isDiagnosticData(value: unknown): value is DiagnosticData {
  if (typeof value !== 'object' || value === null) return false;
  const { version, fixes } = value as { version?: unknown; fixes?: unknown };
  return Number.isInteger(version) && Array.isArray(fixes) && fixes.every(isDiagnosticFix);
}

function isDiagnosticFix(value: unknown): value is DiagnosticFix {
  if (typeof value !== 'object' || value === null) return false;
  const fix = value as Partial<Record<keyof DiagnosticFix, unknown>>;
  return typeof fix.title === 'string' && typeof fix.isPreferred === 'boolean' && Array.isArray(fix.edits) && fix.edits.every(isTextEdit);
}

function isTextEdit(value: unknown): value is TextEdit {
  if (typeof value !== 'object' || value === null) return false;
  const edit = value as { range?: unknown; newText?: unknown };
  return typeof edit.newText === 'string' && isRange(edit.range);
}

function isRange(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const range = value as { start?: unknown; end?: unknown };
  return isPosition(range.start) && isPosition(range.end);
}

function isPosition(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const position = value as { line?: unknown; character?: unknown };
  return Number.isInteger(position.line) && Number.isInteger(position.character);
}

/** Diagnostics computed apart from the analysis, appended to a document's own; must not wait on anything. */
export type AdditionalDiagnostics = (document: OpenDocument, documents: readonly AnalyzedDocument[], settings: KubeImagesSettings) => Diagnostic[];

export class DiagnosticsPublisher {
  private readonly scheduled = new Set<string>();
  private flushQueued = false;
  private readonly files = new Map<string, FileDiagnostics>();
  private readonly sources: AdditionalDiagnostics[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly documents: DocumentStore,
    private readonly settings: SettingsStore,
  ) {}

  /** Publishes the document's diagnostics once the current burst of messages has been read. */
  schedule(uri: string): void {
    this.scheduled.add(uri);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => void this.flush());
  }

  /** Adds diagnostics that do not come from the analysis (registry findings) to every publication. */
  addSource(source: AdditionalDiagnostics): void {
    this.sources.push(source);
  }

  scheduleAll(): void {
    for (const document of this.documents.all()) this.schedule(document.uri);
  }

  /** Removes a closed document's diagnostics from the client. */
  clear(uri: string): void {
    this.scheduled.delete(uri);
    this.files.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const uris = [...this.scheduled];
    this.scheduled.clear();
    for (const uri of uris) {
      try {
        await this.publish(uri);
      } catch (error) {
        logError(this.connection, `Publishing diagnostics for ${uri} failed`, error);
      }
    }
  }

  private async publish(uri: string): Promise<void> {
    const settings = await this.settings.get(uri);
    // A change or a close while the settings were read: a later flush (or none) is due instead.
    if (this.scheduled.has(uri)) return;
    const document = this.documents.get(uri);
    if (document === undefined) return;
    let file = this.files.get(uri);
    if (file === undefined || file.settings !== settings) {
      file = new FileDiagnostics(settings);
      this.files.set(uri, file);
    }
    const documents = document.analysis(settings.maxFileSize);
    const diagnostics = file.diagnostics(document.textDocument, documents);
    for (const source of this.sources) diagnostics.push(...source(document, documents, settings));
    await this.connection.sendDiagnostics({ uri, version: document.textDocument.version, diagnostics });
  }
}
