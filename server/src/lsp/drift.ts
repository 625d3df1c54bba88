/**
 * Drift checks: asks registries what the tags of a document name now, and reports pinned
 * digests the tag has moved away from (`digest-drift`, with a fix that moves the pin) and tags
 * or repositories the registry does not know (`tag-not-found`).
 *
 * Off unless the workspace is trusted and either `kubeImages.drift.check` is on or the user ran
 * "Check Pinned Images for Drift" for the document: opening a repository never contacts the
 * hosts its manifests name. Diagnostics are computed from what was already looked up, so
 * publishing never waits on the network; a lookup that completes publishes the documents that
 * wait on it again.
 */
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isSilencedOnLine } from '../core/ignoreComments';
import { RULES } from '../core/rules';
import { applySeverities, type ReportedFinding } from '../core/severities';
import type { AnalyzedDocument, Severity } from '../core/types';
import { registryFindings } from '../pinning/pinPlan';
import { findPinTargets, type PinTarget } from '../pinning/pinTargets';
import type { LookupOutcome } from '../pinning/resolveLookups';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from './diagnostics';
import { logError } from './guard';
import type { CheckDriftResult, PinFailureReport } from './protocol';
import type { RegistryAccess } from './pinRegistryAccess';
import type { KubeImagesSettings } from './settings';

/** How long an answer stands before the tag is looked up again. */
const RECHECK_AFTER_MS = 5 * 60 * 1000;

const LSP_SEVERITY: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

interface Checked {
  readonly outcome: LookupOutcome;
  readonly at: number;
}

export class DriftChecker {
  /** Answers by lookup. */
  private readonly checked = new Map<string, Checked>();
  /** Lookups under way, with the documents to publish again when each completes. */
  private readonly pending = new Map<string, Set<string>>();
  /** Documents the command turned drift checks on for, whatever the setting says. */
  private readonly requested = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly access: RegistryAccess,
    private readonly republish: (uri: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  isEnabled(uri: string, settings: KubeImagesSettings): boolean {
    return this.access.isTrusted && (settings.driftCheck || this.requested.has(uri));
  }

  /** The registry findings of a document from the answers at hand; starts lookups for the missing or stale ones. */
  diagnostics(uri: string, textDocument: TextDocument, documents: readonly AnalyzedDocument[], settings: KubeImagesSettings): Diagnostic[] {
    if (!this.isEnabled(uri, settings)) return [];
    const { targets } = findPinTargets(documents);
    const outcomes = new Map<string, LookupOutcome>();
    const stale: string[] = [];
    for (const target of targets) {
      const entry = this.checked.get(target.lookup);
      if (entry !== undefined) outcomes.set(target.lookup, entry.outcome);
      if (entry === undefined || this.now() - entry.at > RECHECK_AFTER_MS) stale.push(target.lookup);
    }
    if (stale.length > 0) this.lookUp(uri, stale, settings);
    return this.toDiagnostics(targets, outcomes, textDocument, settings);
  }

  /** "Check Pinned Images for Drift": looks every tag of the document up now, bypassing caches. */
  async checkNow(uri: string, documents: readonly AnalyzedDocument[], settings: KubeImagesSettings, signal?: AbortSignal): Promise<CheckDriftResult> {
    const { targets } = findPinTargets(documents);
    const outcomes = await this.access.resolve(
      targets.map((target) => target.lookup),
      settings,
      signal === undefined ? { bypassCache: true } : { bypassCache: true, signal },
    );
    this.requested.add(uri);
    const at = this.now();
    for (const [lookup, outcome] of outcomes) this.checked.set(lookup, { outcome, at });
    this.republish(uri);
    const findings = registryFindings(targets, outcomes, settings.pinPlatform);
    const written = new Map(targets.map((target) => [target.lookup, target.reference.text]));
    const failures: PinFailureReport[] = [];
    for (const [lookup, outcome] of outcomes) {
      if (!outcome.ok && outcome.kind !== 'not-found') failures.push({ image: written.get(lookup) ?? lookup, message: outcome.message });
    }
    return {
      checked: outcomes.size,
      drifted: findings.filter((finding) => finding.code === 'digest-drift').length,
      notFound: findings.filter((finding) => finding.code === 'tag-not-found').length,
      failures,
    };
  }

  /** A closed document's request ends with it. */
  forget(uri: string): void {
    this.requested.delete(uri);
  }

  private lookUp(uri: string, lookups: readonly string[], settings: KubeImagesSettings): void {
    const started: string[] = [];
    for (const lookup of new Set(lookups)) {
      const waiting = this.pending.get(lookup);
      if (waiting !== undefined) {
        waiting.add(uri);
        continue;
      }
      this.pending.set(lookup, new Set([uri]));
      started.push(lookup);
    }
    if (started.length === 0) return;
    this.access
      .resolve(started, settings)
      .then((outcomes) => {
        const at = this.now();
        for (const [lookup, outcome] of outcomes) {
          this.checked.set(lookup, { outcome, at });
          // Say once per check why a tag could not be checked: a diagnostic would blame the manifest.
          if (!outcome.ok && outcome.kind !== 'not-found') this.connection.console.warn(`Drift check skipped: ${outcome.message}`);
        }
      })
      .catch((error: unknown) => {
        // `resolve` turns every registry answer into an outcome, so this is a bug. Its lookups are
        // recorded as failed all the same, or each publication would start them again.
        logError(this.connection, 'Drift check failed', error);
        const at = this.now();
        const outcome: LookupOutcome = { ok: false, kind: 'internal', message: 'the drift check failed; the log has the details' };
        for (const lookup of started) this.checked.set(lookup, { outcome, at });
      })
      .finally(() => {
        const documents = new Set<string>();
        for (const lookup of started) {
          for (const waiting of this.pending.get(lookup) ?? []) documents.add(waiting);
          this.pending.delete(lookup);
        }
        for (const document of documents) this.republish(document);
      });
  }

  private toDiagnostics(
    targets: readonly PinTarget[],
    outcomes: ReadonlyMap<string, LookupOutcome>,
    textDocument: TextDocument,
    settings: KubeImagesSettings,
  ): Diagnostic[] {
    const findings = registryFindings(targets, outcomes, settings.pinPlatform);
    if (findings.length === 0) return [];
    // Read line by line: the whole text of a large file is a copy of megabytes on every publication.
    const unsilenced = findings.filter((finding) => {
      const { line } = textDocument.positionAt(finding.start);
      return !isSilencedOnLine(finding.code, lineText(textDocument, line), line === 0 ? undefined : lineText(textDocument, line - 1));
    });
    return applySeverities(unsilenced, settings.severity).map((finding) => toDiagnostic(finding, textDocument));
  }
}

/** One line without its line break. */
function lineText(textDocument: TextDocument, line: number): string {
  return textDocument.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/(?:\r\n|\r|\n)$/, '');
}

function toDiagnostic(finding: ReportedFinding, textDocument: TextDocument): Diagnostic {
  const range = (start: number, end: number) => ({ start: textDocument.positionAt(start), end: textDocument.positionAt(end) });
  const diagnostic: Diagnostic = {
    range: range(finding.start, finding.end),
    severity: LSP_SEVERITY[finding.severity],
    code: finding.code,
    codeDescription: { href: RULES[finding.code].docsUrl },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
  };
  if (finding.fixes !== undefined && finding.fixes.length > 0) {
    // The same shape as the analysis' own diagnostics, so the quick-fix adapter serves both.
    diagnostic.data = {
      version: textDocument.version,
      fixes: finding.fixes.map((fix) => ({
        title: fix.title,
        isPreferred: fix.isPreferred === true,
        edits: fix.edits.map((edit) => ({ range: range(edit.start, edit.end), newText: edit.newText })),
      })),
    } satisfies DiagnosticData;
  }
  return diagnostic;
}
