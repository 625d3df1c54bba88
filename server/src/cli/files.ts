/**
 * Turns the PATH arguments into the list of files to check, and reads them.
 *
 * Folders are walked recursively for `*.yaml` / `*.yml`, in a sorted order so that output is the
 * same on every machine. Anything that cannot be read is collected as a problem naming the path
 * and the reason, so the user sees every unreadable input at once rather than one per run.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, normalize, resolve } from 'node:path';
import type { AnalysisContext } from '../core/types';

export interface InputFile {
  /** The path shown to the user: the PATH argument as given, joined with the path below it. */
  readonly displayPath: string;
  readonly absolutePath: string;
  readonly context: AnalysisContext;
}

export interface FileSearch {
  readonly files: readonly InputFile[];
  /** One message per input that could not be read, or per PATH that holds no YAML file. */
  readonly problems: readonly string[];
}

/** Folders never searched besides dot-folders (`.git`, `.github`, …): dependencies, not manifests. */
const SKIPPED_FOLDERS = new Set(['node_modules']);

export function findInputFiles(paths: readonly string[], cwd: string): FileSearch {
  const files: InputFile[] = [];
  const problems: string[] = [];
  // A file reachable twice (named twice, or inside two PATHs) is checked once, under its first name.
  const seenFiles = new Set<string>();
  const helmTemplates = new HelmTemplateDetector();

  const addFile = (displayPath: string, absolutePath: string): void => {
    const identity = identityOf(absolutePath);
    if (seenFiles.has(identity)) return;
    seenFiles.add(identity);
    files.push({
      displayPath,
      absolutePath,
      context: { fileName: basename(absolutePath), helmTemplate: helmTemplates.isTemplate(absolutePath) },
    });
  };

  /** Walks a folder; returns how many YAML files it holds. `ancestors` are real paths, to stop link cycles. */
  const walk = (displayPath: string, absolutePath: string, ancestors: ReadonlySet<string>): number => {
    const identity = identityOf(absolutePath);
    if (ancestors.has(identity)) return 0;
    const chain = new Set(ancestors).add(identity);
    let names: string[];
    try {
      names = readdirSync(absolutePath).sort(compareCodePoints);
    } catch (error) {
      problems.push(describeReadError(displayPath, error));
      return 0;
    }
    let found = 0;
    for (const name of names) {
      const childDisplay = join(displayPath, name);
      const childAbsolute = join(absolutePath, name);
      const isYamlName = hasYamlExtension(name);
      let stats: Stats;
      try {
        // Follows symbolic links: a linked folder or file counts as what it points to.
        stats = statSync(childAbsolute);
      } catch (error) {
        // A dangling link or a vanished entry matters only if it would have been checked.
        if (isYamlName) problems.push(describeReadError(childDisplay, error));
        continue;
      }
      if (stats.isDirectory()) {
        if (!name.startsWith('.') && !SKIPPED_FOLDERS.has(name)) found += walk(childDisplay, childAbsolute, chain);
      } else if (stats.isFile() && isYamlName) {
        addFile(childDisplay, childAbsolute);
        found++;
      }
    }
    return found;
  };

  for (const path of paths) {
    const absolutePath = resolve(cwd, path);
    let stats: Stats;
    try {
      stats = statSync(absolutePath);
    } catch (error) {
      problems.push(describeReadError(path, error));
      continue;
    }
    if (stats.isDirectory()) {
      const problemsBefore = problems.length;
      // An empty PATH is almost always a wrong path in a CI script: checking nothing must not pass.
      if (walk(path, absolutePath, new Set()) === 0 && problems.length === problemsBefore) {
        problems.push(`no YAML files found in ${path} (looked for *.yaml and *.yml, skipping node_modules and dot-folders)`);
      }
    } else if (stats.isFile() || stats.isFIFO()) {
      // A file named explicitly is checked whatever its extension; a FIFO allows `check <(helm template …)`.
      // Normalised like the paths found in folders, so `./a.yaml` and `a.yaml` are shown alike.
      addFile(normalize(path), absolutePath);
    } else {
      problems.push(`cannot read ${path}: not a regular file or folder`);
    }
  }
  return { files, problems };
}

export type FileContent = { readonly bytes: Uint8Array } | { readonly problem: string };

export function readInputFile(file: InputFile): FileContent {
  try {
    return { bytes: readFileSync(file.absolutePath) };
  } catch (error) {
    return { problem: describeReadError(file.displayPath, error) };
  }
}

/** "cannot read PATH: what went wrong (CODE) — what to do", for any error from `node:fs`. */
export function describeReadError(path: string, error: unknown): string {
  const code = errorCode(error);
  const explanation = code === undefined ? undefined : READ_ERRORS[code];
  if (explanation !== undefined) {
    return `cannot read ${path}: ${explanation.reason} (${code}) — ${explanation.remedy}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `cannot read ${path}: ${message}`;
}

const READ_ERRORS: Readonly<Record<string, { readonly reason: string; readonly remedy: string }>> = {
  ENOENT: { reason: 'no such file or folder', remedy: 'check the path (a symbolic link may point nowhere)' },
  EACCES: { reason: 'permission denied', remedy: 'run as a user who can read it' },
  EPERM: { reason: 'operation not permitted', remedy: 'run as a user who can read it' },
  ENOTDIR: { reason: 'a part of the path is not a folder', remedy: 'check the path' },
  ELOOP: { reason: 'too many levels of symbolic links', remedy: 'fix the symbolic link cycle' },
  ENAMETOOLONG: { reason: 'the path is too long', remedy: 'use a shorter path' },
  EISDIR: { reason: 'it is a folder', remedy: 'pass the folder itself to search it' },
  EMFILE: { reason: 'too many open files', remedy: 'raise the open file limit (ulimit -n)' },
  EIO: { reason: 'input/output error', remedy: 'check the disk or network file system' },
};

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** The real path, which names a file the same way however it was reached. */
function identityOf(absolutePath: string): string {
  try {
    return realpathSync(absolutePath);
  } catch {
    // `/dev/fd/N` of a pipe has no real path; the path itself identifies it well enough.
    return absolutePath;
  }
}

function hasYamlExtension(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/** Code point order, not locale order, so the file order is the same on every machine. */
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A Helm template is a file below a `templates/` folder of a chart (a folder with `Chart.yaml`);
 * templates are not YAML until rendered, so the analysis reads them leniently. Charts nest
 * (`charts/NAME/templates/`), so every `templates` ancestor is considered.
 */
class HelmTemplateDetector {
  private readonly chartFolders = new Map<string, boolean>();

  isTemplate(absolutePath: string): boolean {
    for (let folder = dirname(absolutePath); dirname(folder) !== folder; folder = dirname(folder)) {
      if (basename(folder) === 'templates' && this.isChart(dirname(folder))) return true;
    }
    return false;
  }

  private isChart(folder: string): boolean {
    let isChart = this.chartFolders.get(folder);
    if (isChart === undefined) {
      isChart = existsSync(join(folder, 'Chart.yaml'));
      this.chartFolders.set(folder, isChart);
    }
    return isChart;
  }
}
