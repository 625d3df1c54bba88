/**
 * `kube-images pin`: rewrites every image reference at PATH to `repo[:tag]@digest`, the digest
 * its tag names now, in place. Only the characters of the references change: the digest is
 * inserted into each scalar as written, so quoting, comments, line breaks and every other byte
 * stay as they were. References that did not resolve are listed and left alone; the others are
 * still written.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { FileAnalyzer } from '../core/fileAnalyzer';
import { LineIndex, type Position } from '../core/lineIndex';
import { planPins, type PinChange, type PinFailure } from '../pinning/pinPlan';
import { findPinTargets, unpinned, type PinTargets } from '../pinning/pinTargets';
import { resolveLookups, type ImageResolver } from '../pinning/resolveLookups';
import type { PinOptions } from './args';
import { ExitStatus } from './check';
import { createCliRegistryClient } from './registryAccess';
import { findInputFiles, readInputFile, type InputFile } from './files';

export interface PinEnvironment {
  readonly cwd: string;
  readonly writeOutput: (text: string) => void;
  readonly writeError: (text: string) => void;
  /** The registry client; by default one with docker's credentials and the `--insecure-registry` hosts. */
  readonly resolver?: ImageResolver & { dispose(): void };
}

/** One reference changed (or to change, with `--dry-run`): the JSON output's `changes` entry. */
export interface PinChangeReport {
  readonly path: string;
  /** The reference as written before, 0-based LSP-style positions (UTF-16), end exclusive. */
  readonly range: { readonly start: Position; readonly end: Position };
  readonly from: string;
  readonly to: string;
}

/** A manifest file read for pinning, with what is needed to write it back byte for byte. */
interface PinFile {
  readonly input: InputFile;
  readonly bytes: Uint8Array;
  readonly text: string;
  /** A UTF-8 byte order mark the text was read without, and is written back with. */
  readonly byteOrderMark: boolean;
  readonly found: PinTargets;
}

const UTF8_BOM = Uint8Array.of(0xef, 0xbb, 0xbf);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export async function runPin(options: PinOptions, environment: PinEnvironment): Promise<ExitStatus> {
  const search = findInputFiles(options.paths, environment.cwd);
  const problems = [...search.problems];
  const files: PinFile[] = [];
  for (const input of search.files) {
    const content = readInputFile(input);
    if ('problem' in content) problems.push(content.problem);
    else {
      const file = readPinFile(input, content.bytes);
      // A file that is not text holds no image to pin; `check` reports it.
      if (file !== undefined) files.push(file);
    }
  }
  if (problems.length > 0) {
    for (const problem of problems) environment.writeError(`kube-images: ${problem}\n`);
    return ExitStatus.NoVerdict;
  }

  const access = environment.resolver !== undefined ? { client: environment.resolver } : createCliRegistryClient(options);
  if ('problems' in access) {
    for (const problem of access.problems) environment.writeError(`kube-images: ${problem}\n`);
    return ExitStatus.NoVerdict;
  }
  const resolver = access.client;
  let outcomes;
  try {
    outcomes = await resolveLookups(
      resolver,
      files.flatMap((file) => unpinned(file.found.targets).map((target) => target.lookup)),
    );
  } finally {
    resolver.dispose();
  }

  const changes: PinChangeReport[] = [];
  const failures: PinFailure[] = [];
  const writeProblems: string[] = [];
  for (const file of files) {
    const plan = planPins(file.found, outcomes, undefined);
    for (const failure of plan.failures) {
      if (!failures.some((known) => known.image === failure.image && known.message === failure.message)) failures.push(failure);
    }
    if (plan.changes.length === 0) continue;
    if (!options.dryRun) {
      const problem = writePinned(file, plan.changes);
      if (problem !== undefined) {
        writeProblems.push(problem);
        continue;
      }
    }
    const lines = new LineIndex(file.text);
    for (const change of plan.changes) {
      changes.push({
        path: file.input.displayPath,
        range: { start: lines.positionAt(change.start), end: lines.positionAt(change.end) },
        from: change.from,
        to: change.to,
      });
    }
  }

  if (options.format === 'json') environment.writeOutput(formatPinJson(changes, failures));
  else {
    environment.writeOutput(formatPinText(changes, options.dryRun));
    for (const failure of failures) environment.writeError(`kube-images: cannot pin ${failure.image}: ${failure.message}\n`);
  }
  for (const problem of writeProblems) environment.writeError(`kube-images: ${problem}\n`);
  if (writeProblems.length > 0) return ExitStatus.NoVerdict;
  return failures.length > 0 ? ExitStatus.ErrorsFound : ExitStatus.NoErrors;
}

/** The JSON output, a public contract: `{"changes":[{"path","range","from","to"}],"errors":[{"image","message"}]}`. */
export function formatPinJson(changes: readonly PinChangeReport[], failures: readonly PinFailure[]): string {
  const output = {
    changes: changes.map(({ path, range, from, to }) => ({ path, range, from, to })),
    errors: failures.map(({ image, message }) => ({ image, message })),
  };
  return JSON.stringify(output, null, 2) + '\n';
}

function formatPinText(changes: readonly PinChangeReport[], dryRun: boolean): string {
  const lines = changes.map(({ path, range, from, to }) => `${path}:${range.start.line + 1}:${range.start.character + 1}: ${from} -> ${to}`);
  const files = new Set(changes.map((change) => change.path)).size;
  const summary = `${count(changes.length, 'image')} in ${count(files, 'file')}`;
  lines.push(dryRun ? `Would pin ${summary} (dry run: nothing written)` : `Pinned ${summary}`);
  return lines.join('\n') + '\n';
}

function readPinFile(input: InputFile, bytes: Uint8Array): PinFile | undefined {
  const byteOrderMark = startsWith(bytes, UTF8_BOM);
  let text: string;
  try {
    text = utf8.decode(byteOrderMark ? bytes.subarray(UTF8_BOM.length) : bytes);
  } catch {
    return undefined;
  }
  const analyzer = new FileAnalyzer(input.context);
  analyzer.update(text);
  return { input, bytes, text, byteOrderMark, found: findPinTargets(analyzer.documents) };
}

/**
 * Writes the pinned text in place (same file, same mode), provided the file still holds the
 * bytes that were read: a file changed meanwhile is left alone. Returns the problem, if any.
 */
function writePinned(file: PinFile, changes: readonly PinChange[]): string | undefined {
  let text = file.text;
  for (const { edit } of [...changes].sort((a, b) => b.edit.start - a.edit.start)) text = text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
  const encoded = Buffer.from(text, 'utf8');
  const path = file.input.displayPath;
  try {
    // A pipe (`pin <(helm template …)`) has nothing to write back to, and reading it again would wait forever.
    if (!statSync(file.input.absolutePath).isFile()) return `cannot pin ${path} in place: it is not a regular file (use --dry-run)`;
    if (!Buffer.from(readFileSync(file.input.absolutePath)).equals(file.bytes)) {
      return `not writing ${path}: it changed while its images were looked up; run again`;
    }
    writeFileSync(file.input.absolutePath, file.byteOrderMark ? Buffer.concat([UTF8_BOM, encoded]) : encoded);
    return undefined;
  } catch (error) {
    return `cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}

function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}
