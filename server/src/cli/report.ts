/**
 * The CLI's result for one file, in whole-file line/character coordinates: the shape of the JSON
 * output (a public contract), from which the text and SARIF formats are also written.
 */
import { LineIndex, type Position } from '../core/lineIndex';
import { parseNormalizedReference, toImageReference } from '../core/reference';
import { RULES } from '../core/rules';
import { applySeverities, type SeverityOverrides } from '../core/severities';
import type { AnalyzedDocument, DiagnosticCode, Finding, PullPolicy, Severity } from '../core/types';

/** LSP-style: 0-based lines, UTF-16 characters, end exclusive. */
export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export interface ImageReport {
  readonly image: string;
  /** The scalar holding the image, as written (quotes included). */
  readonly range: Range;
  readonly reference: {
    readonly valid: boolean;
    readonly normalized: string | null;
    readonly registry: string | null;
    readonly repository: string | null;
    readonly tag: string | null;
    readonly digest: string | null;
  };
  readonly pullPolicy: {
    /** What applies on the node; null for kustomization entries, which are not containers. */
    readonly effective: PullPolicy | null;
    /** The `imagePullPolicy` as written, valid or not; null when omitted. */
    readonly explicit: string | null;
  };
}

export interface DiagnosticReport {
  readonly range: Range;
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  readonly message: string;
}

export interface FileReport {
  readonly path: string;
  readonly images: readonly ImageReport[];
  readonly diagnostics: readonly DiagnosticReport[];
}

/**
 * Builds a file's report from its analysed documents, with the user's severities applied.
 * `fileFindings` (file offsets) are findings made outside the analysis, from registry answers.
 */
export function reportFile(
  path: string,
  text: string,
  documents: readonly AnalyzedDocument[],
  overrides: SeverityOverrides,
  fileFindings: readonly Finding[] = [],
): FileReport {
  const lines = new LineIndex(text);

  const images: ImageReport[] = [];
  const findings: Finding[] = [];
  for (const document of documents) {
    for (const site of document.analysis.images) {
      // A Helm-templated value is not an image until rendered; reporting it would be a guess.
      if (site.templated) continue;
      const reference = toImageReference(parseNormalizedReference(site.image));
      images.push({
        image: site.image,
        range: range(lines, document.offset + site.value.start, document.offset + site.value.end),
        reference: {
          valid: reference.valid,
          normalized: reference.normalized ?? null,
          registry: reference.registry ?? null,
          repository: reference.repository ?? null,
          tag: reference.tag ?? null,
          digest: reference.digest ?? null,
        },
        pullPolicy: { effective: site.pullPolicy.effective ?? null, explicit: site.pullPolicy.explicit ?? null },
      });
    }
    for (const { code, severity, message, start, end } of document.analysis.findings) {
      // Fixes stay behind: their edits are in document offsets, and the CLI does not apply fixes.
      findings.push({ code, severity, message, start: document.offset + start, end: document.offset + end });
    }
  }
  findings.push(...fileFindings.map(({ code, severity, message, start, end }) => ({ code, severity, message, start, end })));
  return { path, images, diagnostics: diagnosticsOf(lines, findings, overrides) };
}

/**
 * The report of a file that is not text. It is a finding, not an input error: the file was read,
 * and what it holds is something Kubernetes cannot apply. Its level is configurable like any other.
 */
export function reportBinaryFile(path: string, reason: string, overrides: SeverityOverrides): FileReport {
  const finding: Finding = {
    start: 0,
    end: 0,
    code: 'binary-content',
    severity: RULES['binary-content'].defaultSeverity,
    message: `Not analysed: ${reason}, so it is not a YAML manifest kubectl can read.`,
  };
  return { path, images: [], diagnostics: diagnosticsOf(new LineIndex(''), [finding], overrides) };
}

/** Applies the user's severities (dropping `off`) and orders the findings by position. */
function diagnosticsOf(lines: LineIndex, findings: readonly Finding[], overrides: SeverityOverrides): DiagnosticReport[] {
  return applySeverities(findings, overrides)
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((finding) => ({
      range: range(lines, finding.start, finding.end),
      severity: finding.severity,
      code: finding.code,
      message: finding.message,
    }));
}

function range(lines: LineIndex, start: number, end: number): Range {
  return { start: lines.positionAt(start), end: lines.positionAt(end) };
}
