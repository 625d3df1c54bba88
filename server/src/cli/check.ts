/**
 * `kube-images check`: finds the files, analyses each with the same core the language server
 * uses, prints the report and decides the exit status. With `--resolve`, also asks the
 * registries what each tag names now, for the findings only they can support.
 */
import { FileAnalyzer } from '../core/fileAnalyzer';
import { applyIgnoreComments } from '../core/ignoreComments';
import type { AnalyzedDocument, Finding } from '../core/types';
import { registryFindings } from '../pinning/pinPlan';
import { findPinTargets, type PinTarget } from '../pinning/pinTargets';
import { resolveLookups, type ImageResolver } from '../pinning/resolveLookups';
import type { CheckOptions } from './args';
import { findInputFiles, readInputFile, type InputFile } from './files';
import { formatJson } from './format/json';
import { formatSarif, type SarifTool } from './format/sarif';
import { formatText } from './format/text';
import { createCliRegistryClient } from './registryAccess';
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
  /** For `--resolve`; by default a registry client with docker's credentials and the `--insecure-registry` hosts. */
  readonly resolver?: ImageResolver & { dispose(): void };
}

/** A file analysed, before its report is made (registry findings may still join it). */
type CheckedFile =
  | { readonly kind: 'text'; readonly file: InputFile; readonly text: string; readonly documents: readonly AnalyzedDocument[] }
  | { readonly kind: 'binary'; readonly report: FileReport };

export async function runCheck(options: CheckOptions, environment: CheckEnvironment): Promise<ExitStatus> {
  const search = findInputFiles(options.paths, environment.cwd);
  const problems = [...search.problems];
  const checked: CheckedFile[] = [];
  for (const file of search.files) {
    const content = readInputFile(file);
    if ('problem' in content) problems.push(content.problem);
    // Once an input is unreadable no report is printed, so analysing the rest would be wasted;
    // reading them still is not: every unreadable input is named in one run.
    else if (problems.length === 0) checked.push(checkFile(file, content.bytes, options));
  }

  // A partial report would read as a verdict on everything; an unreadable input gets none.
  if (problems.length > 0) {
    for (const problem of problems) environment.writeError(`kube-images: ${problem}\n`);
    return ExitStatus.NoVerdict;
  }

  let extraFindings = new Map<CheckedFile, Finding[]>();
  if (options.resolve) {
    const access = environment.resolver !== undefined ? { client: environment.resolver } : createCliRegistryClient(options);
    if ('problems' in access) {
      for (const problem of access.problems) environment.writeError(`kube-images: ${problem}\n`);
      return ExitStatus.NoVerdict;
    }
    extraFindings = await resolveFindings(checked, access.client, environment);
  }
  const reports = checked.map((entry) =>
    entry.kind === 'binary'
      ? entry.report
      : reportFile(entry.file.displayPath, entry.text, entry.documents, options.severityOverrides, extraFindings.get(entry) ?? []),
  );

  environment.writeOutput(format(reports, options, environment));
  const hasErrors = reports.some((report) => report.diagnostics.some((diagnostic) => diagnostic.severity === 'error'));
  return hasErrors ? ExitStatus.ErrorsFound : ExitStatus.NoErrors;
}

function checkFile(file: InputFile, bytes: Uint8Array, options: CheckOptions): CheckedFile {
  const decoded = decodeText(bytes);
  if ('notText' in decoded) return { kind: 'binary', report: reportBinaryFile(file.displayPath, decoded.notText, options.severityOverrides) };
  const analyzer = new FileAnalyzer(file.context);
  analyzer.update(decoded.text);
  return { kind: 'text', file, text: decoded.text, documents: analyzer.documents };
}

/**
 * `--resolve`: every distinct tag looked up at once; `digest-drift` and `tag-not-found` per file,
 * honouring ignore comments like every other finding. A lookup that fails for another reason
 * (credentials, network) is said on stderr: it is no verdict on the manifest.
 */
async function resolveFindings(checked: readonly CheckedFile[], resolver: ImageResolver & { dispose(): void }, environment: CheckEnvironment): Promise<Map<CheckedFile, Finding[]>> {
  const targets = new Map<CheckedFile, readonly PinTarget[]>();
  for (const entry of checked) if (entry.kind === 'text') targets.set(entry, findPinTargets(entry.documents).targets);
  let outcomes;
  try {
    outcomes = await resolveLookups(resolver, [...targets.values()].flat().map((target) => target.lookup));
  } finally {
    resolver.dispose();
  }
  for (const outcome of outcomes.values()) {
    if (!outcome.ok && outcome.kind !== 'not-found') environment.writeError(`kube-images: could not look a tag up: ${outcome.message}\n`);
  }
  const findings = new Map<CheckedFile, Finding[]>();
  for (const [entry, fileTargets] of targets) {
    if (entry.kind !== 'text') continue;
    findings.set(entry, applyIgnoreComments(registryFindings(fileTargets, outcomes, undefined), entry.text));
  }
  return findings;
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
