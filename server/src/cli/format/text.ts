/**
 * Human-readable output: one `path:line:column: severity code: message` line per finding
 * (1-based, as editors and terminals expect for jump-to-location), then a summary line.
 */
import type { Severity } from '../../core/types';
import type { FileReport } from '../report';

export interface TextOptions {
  /** ANSI colours; the caller decides (a TTY and no NO_COLOR). */
  readonly color: boolean;
}

const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  error: '\x1b[31m',
  warning: '\x1b[33m',
  information: '\x1b[34m',
  hint: '\x1b[2m',
};
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export function formatText(reports: readonly FileReport[], options: TextOptions): string {
  const paint = (style: string, text: string): string => (options.color ? `${style}${text}${RESET}` : text);
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const report of reports) {
    for (const diagnostic of report.diagnostics) {
      if (diagnostic.severity === 'error') errors++;
      if (diagnostic.severity === 'warning') warnings++;
      const { line, character } = diagnostic.range.start;
      const location = paint(BOLD, `${report.path}:${line + 1}:${character + 1}:`);
      const severity = paint(SEVERITY_COLORS[diagnostic.severity], diagnostic.severity);
      lines.push(`${location} ${severity} ${paint(DIM, diagnostic.code)}: ${diagnostic.message}`);
    }
  }
  lines.push(`${count(errors, 'error')}, ${count(warnings, 'warning')} in ${count(reports.length, 'file')}`);
  return lines.join('\n') + '\n';
}

function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}
