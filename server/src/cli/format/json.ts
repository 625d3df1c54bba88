/**
 * Machine-readable output, a public contract:
 * `{"files":[{"path","images":[…],"diagnostics":[…]}]}` with LSP-style 0-based ranges.
 * Every field is always present; an absent value is `null`.
 */
import type { FileReport } from '../report';

export function formatJson(reports: readonly FileReport[]): string {
  const files = reports.map((report) => ({
    path: report.path,
    images: report.images.map((image) => ({
      image: image.image,
      range: image.range,
      reference: image.reference,
      pullPolicy: image.pullPolicy,
    })),
    diagnostics: report.diagnostics.map((diagnostic) => ({
      range: diagnostic.range,
      severity: diagnostic.severity,
      code: diagnostic.code,
      message: diagnostic.message,
    })),
  }));
  return JSON.stringify({ files }, null, 2) + '\n';
}
