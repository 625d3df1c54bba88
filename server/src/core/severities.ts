/**
 * User severity settings over the rules' defaults. Analysis always reports every finding with its
 * default severity (so cached results do not depend on settings); consumers apply this last.
 */
import type { DiagnosticCode, Finding, Severity, SeveritySetting } from './types';

export type SeverityOverrides = Partial<Record<DiagnosticCode, SeveritySetting>>;

/** A finding whose severity is one an editor can show (never `off`). */
export type ReportedFinding = Finding & { readonly severity: Severity };

/** Findings with the overrides applied; those whose severity ends up `off` are dropped. */
export function applySeverities(findings: readonly Finding[], overrides: SeverityOverrides): ReportedFinding[] {
  const reported: ReportedFinding[] = [];
  for (const finding of findings) {
    const override = Object.hasOwn(overrides, finding.code) ? overrides[finding.code] : undefined;
    // Settings are user input: a value that is not a severity leaves the default in place.
    const severity = isSeveritySetting(override) ? override : finding.severity;
    if (severity === 'off') continue;
    reported.push(severity === finding.severity ? (finding as ReportedFinding) : { ...finding, severity });
  }
  return reported;
}

const SEVERITY_SETTINGS: ReadonlySet<unknown> = new Set<SeveritySetting>(['error', 'warning', 'information', 'hint', 'off']);

export function isSeveritySetting(value: unknown): value is SeveritySetting {
  return SEVERITY_SETTINGS.has(value);
}
