/**
 * `kube-images check`: finds the files, analyses each with the same core the language server
 * uses, prints the report and decides the exit status.
 */
import { FileAnalyzer } from '../core/fileAnalyzer';
import type { CheckOptions } from './args';
import { findInputFiles, readInputFile, type InputFile } from './files';
import { formatJson } from './format/json';
import { formatSarif, type SarifTool } from './format/sarif';
import { formatText } from './format/text';
import { reportBinaryFile, reportFile, type FileReport } from './report';

export enum ExitStatus {
  /** Every file was checked and no finding is at error level (warnings are allowed). */
  NoErrors = 0,
  /** At least one finding is at error level. */
  ErrorsFound = 1,
  /** Bad usage, unreadable input or nothing to check: the run cannot judge the manifests. */
  NoVerdict = 2,
}

export interface CheckEnvironment {
  readonly cwd: string;
  /** ANSI colours in the text format. */
  readonly color: boolean;
  readonly tool: SarifTool;
  readonly writeOutput: (text: string) => void;
  readonly writeError: (text: string) => void;
}

export function runCheck(options: CheckOptions, environment: CheckEnvironment): ExitStatus {
  const search = findInputFiles(options.paths, environment.cwd);
  const problems = [...search.problems];
  const reports: FileReport[] = [];
  for (const file of search.files) {
    const content = readInputFile(file);
    if ('problem' in content) problems.push(content.problem);
    // Once an input is unreadable no report is printed, so analysing the rest would be wasted;
    // reading them still is not: every unreadable input is named in one run.
    else if (problems.length === 0) reports.push(checkFile(file, content.bytes, options));
  }

  // A partial report would read as a verdict on everything; an unreadable input gets none.
  if (problems.length > 0) {
    for (const problem of problems) environment.writeError(`kube-images: ${problem}\n`);
    return ExitStatus.NoVerdict;
  }

  environment.writeOutput(format(reports, options, environment));
  const hasErrors = reports.some((report) => report.diagnostics.some((diagnostic) => diagnostic.severity === 'error'));
  return hasErrors ? ExitStatus.ErrorsFound : ExitStatus.NoErrors;
}

function checkFile(file: InputFile, bytes: Uint8Array, options: CheckOptions): FileReport {
  const decoded = decodeText(bytes);
  if ('notText' in decoded) return reportBinaryFile(file.displayPath, decoded.notText, options.severityOverrides);
  const analyzer = new FileAnalyzer(file.context);
  analyzer.update(decoded.text);
  return reportFile(file.displayPath, decoded.text, analyzer.documents, options.severityOverrides);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The bytes as UTF-8 text, or why they are not. A byte order mark is dropped, as editors drop it,
 * so positions agree with the editor's. NUL characters are valid UTF-8: the analyzer refuses those
 * itself, as it does for text that reaches it from an editor.
 */
function decodeText(bytes: Uint8Array): { readonly text: string } | { readonly notText: string } {
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { notText: 'this file is not valid UTF-8 text' };
  }
}

function format(reports: readonly FileReport[], options: CheckOptions, environment: CheckEnvironment): string {
  switch (options.format) {
    case 'text':
      return formatText(reports, { color: environment.color });
    case 'json':
      return formatJson(reports);
    case 'sarif':
      return formatSarif(reports, environment.tool, environment.cwd);
  }
}
