/**
 * The product benchmark: drives the real `dist/server.js --stdio` over LSP on generated
 * multi-document manifest files and measures, per file size,
 *
 * - `yaml`'s `parseAllDocuments` of the same text, in fresh processes (the baseline);
 * - the time from sending `didOpen` to the first `publishDiagnostics` for the file;
 * - the latency of realistic edits, each from sending its `didChange` to the `publishDiagnostics`
 *   of the version it made (the server stamps its publications with the document version);
 * - the server's memory, from `/proc/<pid>/status`.
 *
 * It then checks the targets of issue 2 and writes a Markdown table and a JSON file to
 * `bench/results/`. See bench/README.md for the method and the current figures.
 *
 *   npm run bench
 *   node out/bench/lsp.js [--sizes 100,1000,5000] [--edits 200] [--memory-edits 4000]
 *                         [--memory-edits-at 1000] [--parse-runs 3] [--seed 1] [--unusual 0.02]
 *                         [--cpu-prof] [--server dist/server.js]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { LspClient, SERVER_PATH } from '../test/support/lspClient';
import { generateManifests } from './generate';
import { currentCommit, machineDescription } from './runInfo';

const REPOSITORY_ROOT = join(__dirname, '..', '..');
const RESULTS_DIRECTORY = join(REPOSITORY_ROOT, 'bench', 'results');
const BARE_PARSE_SCRIPT = join(__dirname, 'bareParse.js');
const HEAP_SNAPSHOT_DIRECTORY = join(RESULTS_DIRECTORY, 'heap');
/** With `--heapsnapshot-signal`, Node writes a heap snapshot when the process gets this signal. */
const HEAP_SNAPSHOT_SIGNAL = 'SIGUSR2';

/** Generous: a deadline only turns a publication that never comes into a failure with a reason. */
const OPEN_DEADLINE_MS = 300_000;
const EDIT_DEADLINE_MS = 30_000;

interface Options {
  readonly sizes: readonly number[];
  /** Timed edits per file. */
  readonly edits: number;
  /**
   * At the size `memoryEditsAtSize`, edits go on to this count, with the server's memory read at
   * a quarter, half and all of it, to show that memory levels off instead of growing with edits.
   */
  readonly memoryEdits: number;
  readonly memoryEditsAtSize: number;
  /** Fresh processes for the cold baseline, and timed runs after one warm-up for the warm one. */
  readonly parseRuns: number;
  readonly seed: number;
  readonly unusualFraction: number;
  readonly cpuProfile: boolean;
  /** Another build of the server, to compare with (e.g. one built from an older commit). */
  readonly serverPath: string;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const number = (name: string, fallback: number): number => {
    const text = value(name);
    const parsed = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} needs a non-negative number, got ${String(text)}`);
    return parsed;
  };
  const sizes = (value('--sizes') ?? '100,1000,5000').split(',').map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size <= 0)) throw new Error(`--sizes needs positive integers, got ${value('--sizes')}`);
  const edits = number('--edits', 200);
  return {
    sizes,
    edits,
    memoryEdits: Math.max(number('--memory-edits', 4000), edits),
    memoryEditsAtSize: number('--memory-edits-at', 1000),
    parseRuns: Math.max(1, number('--parse-runs', 3)),
    seed: number('--seed', 1),
    unusualFraction: number('--unusual', 0.02),
    cpuProfile: argv.includes('--cpu-prof'),
    serverPath: resolve(value('--server') ?? SERVER_PATH),
  };
}

// ---- Measurements ----

interface BareParse {
  /** Median of `parseRuns` fresh processes, each timing its first and only parse. */
  readonly coldMs: number;
  /** Median of `parseRuns` parses in one process after one warm-up parse. */
  readonly warmMs: number;
}

function measureBareParse(file: string, runs: number): BareParse {
  const timesOf = (warmUps: number, timed: number): number[] =>
    JSON.parse(execFileSync(process.execPath, [BARE_PARSE_SCRIPT, file, String(warmUps), String(timed)], { encoding: 'utf8', maxBuffer: 1 << 20 })) as number[];
  const cold = Array.from({ length: runs }, () => timesOf(0, 1)[0]!);
  return { coldMs: median(cold), warmMs: median(timesOf(1, runs)) };
}

interface Memory {
  /** VmRSS: resident now. */
  readonly rssMiB: number;
  /** VmHWM: the most that was ever resident. */
  readonly peakRssMiB: number;
  /**
   * What the server's heap holds after a full collection (from a heap snapshot), read during the
   * long session only. RSS also counts garbage not yet collected and room the collector keeps,
   * which vary from one reading to the next; this is the memory the server's data needs.
   */
  readonly liveHeapMiB?: number;
}

function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kibibytes = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (match === null) throw new Error(`No ${field} in /proc/${pid}/status`);
    return Number(match[1]);
  };
  return { rssMiB: kibibytes('VmRSS') / 1024, peakRssMiB: kibibytes('VmHWM') / 1024 };
}

interface ServerRun {
  readonly firstDiagnosticsMs: number;
  readonly diagnostics: number;
  /** Size of the first publication as JSON: what the server serialises and sends on every edit. */
  readonly publicationMiB: number;
  readonly editMs: readonly number[];
  /** Read after the timed edits, then at the checkpoints of a longer session, if any. */
  readonly memory: readonly { readonly edits: number; readonly memory: Memory }[];
}

async function measureServer(
  serverPath: string,
  nodeArguments: readonly string[],
  file: string,
  text: string,
  edits: number,
  memoryEdits: number,
): Promise<ServerRun> {
  const client = LspClient.start(serverPath, nodeArguments);
  try {
    const pid = client.pid;
    if (pid === undefined) throw new Error('The server process did not start.');
    await client.initialize();
    const uri = pathToFileURL(file).href;

    const openStart = performance.now();
    const opened = client.open(uri, text);
    const published = client.waitForDiagnostics(uri, undefined, OPEN_DEADLINE_MS);
    await opened;
    const first = await published;
    const firstDiagnosticsMs = performance.now() - openStart;
    const diagnostics = first.diagnostics.length;
    const publicationMiB = Buffer.byteLength(JSON.stringify(first)) / 2 ** 20;

    const script = new EditScript(uri, text);
    const editMs: number[] = [];
    for (let index = 0; index < edits; index++) editMs.push(await timedEdit(client, script));
    const memory: ServerRun['memory'][number][] = [{ edits, memory: readMemory(pid) }];
    const checkpoints = [memoryEdits / 4, memoryEdits / 2, memoryEdits].map(Math.round).filter((checkpoint) => checkpoint > edits);
    let done = edits;
    for (const checkpoint of checkpoints) {
      for (; done < checkpoint; done++) await timedEdit(client, script);
      // RSS first: writing the snapshot makes the process grow.
      const resident = readMemory(pid);
      memory.push({ edits: done, memory: { ...resident, liveHeapMiB: await liveHeapMiB(client, pid, uri) } });
    }
    await client.shutdown();
    return { firstDiagnosticsMs, diagnostics, publicationMiB, editMs, memory };
  } catch (error) {
    client.kill();
    throw error;
  }
}

/** Has the server write a heap snapshot and sums the sizes of the objects in it. */
async function liveHeapMiB(client: LspClient, pid: number, uri: string): Promise<number> {
  const written = new Promise<string>((resolveFile) => {
    const watcher = watch(HEAP_SNAPSHOT_DIRECTORY, (_event, name) => {
      if (name === null || !name.endsWith('.heapsnapshot')) return;
      watcher.close();
      resolveFile(join(HEAP_SNAPSHOT_DIRECTORY, name));
    });
  });
  process.kill(pid, HEAP_SNAPSHOT_SIGNAL);
  const file = await written;
  // The server writes the whole snapshot before it reads another message, so once the file
  // exists, an answer to any request means the file is complete.
  await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  rmSync(file);
  const fields = snapshot.snapshot.meta.node_fields;
  const selfSize = fields.indexOf('self_size');
  let bytes = 0;
  for (let index = selfSize; index < snapshot.nodes.length; index += fields.length) bytes += snapshot.nodes[index]!;
  return bytes / 2 ** 20;
}

/** Sends the script's next edit and resolves with the milliseconds until its diagnostics arrive. */
async function timedEdit(client: LspClient, script: EditScript): Promise<number> {
  const change = script.next();
  const start = performance.now();
  // `change` moves the client to the new version before it yields, so the wait is for that version.
  const sent = client.change(script.uri, [change]);
  const published = client.waitForDiagnostics(script.uri, undefined, EDIT_DEADLINE_MS);
  await sent;
  await published;
  return performance.now() - start;
}

// ---- Edits ----

const EDIT_CYCLE = ['type in a tag', 'delete the typed character', 'change a pull policy', 'insert a line'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
/** Fractional parts of multiples of the golden ratio spread any number of edits evenly over the file. */
const GOLDEN_RATIO_FRACTION = 0.6180339887498949;

/** An `image:` line whose value ends in a tag: group 1 runs up to the reference, group 2 is the reference. */
const TAGGED_IMAGE_LINE = /^([ \t]*(?:- )?image: *["']?)([^"'@\s]+:[\w.-]+)["']? *$/;
const PULL_POLICY_LINE = /^([ \t]*(?:- )?imagePullPolicy: *)(\S+)/;
/** Group 1 is what comes before the key, so its length is the key's column. */
const IMAGE_LINE = /^([ \t]*(?:- )?)image: /;

/**
 * What someone editing the file does, over and over: types a character at the end of an image
 * tag and deletes it again, changes an `imagePullPolicy`, inserts a field after an image. Each
 * group of four lands elsewhere in the file.
 *
 * The script mirrors the text as an array of lines, which gives LSP positions directly and keeps
 * an edit's cost in this process to the line it touches: a mirror as one string would copy the
 * whole file per edit, and the garbage collection that causes would land in the timings.
 */
class EditScript {
  private readonly lines: string[];
  private count = 0;
  private typed = { line: 0, character: 0 };

  /** `text` has LF line breaks, as the generator writes them. */
  constructor(
    readonly uri: string,
    text: string,
  ) {
    this.lines = text.split('\n');
  }

  next(): TextDocumentContentChangeEvent {
    const kind = EDIT_CYCLE[this.count % EDIT_CYCLE.length]!;
    const group = Math.floor(this.count / EDIT_CYCLE.length);
    const anchor = Math.floor(((group * GOLDEN_RATIO_FRACTION) % 1) * this.lines.length);
    this.count++;
    switch (kind) {
      case 'type in a tag': {
        const { line, match } = this.lineMatching(TAGGED_IMAGE_LINE, anchor);
        this.typed = { line, character: match[1]!.length + match[2]!.length };
        return this.replace(line, this.typed.character, this.typed.character, '1');
      }
      case 'delete the typed character':
        return this.replace(this.typed.line, this.typed.character, this.typed.character + 1, '');
      case 'change a pull policy': {
        const { line, match } = this.lineMatching(PULL_POLICY_LINE, anchor);
        const policy = PULL_POLICIES[(PULL_POLICIES.indexOf(match[2]!) + 1) % PULL_POLICIES.length]!;
        return this.replace(line, match[1]!.length, match[1]!.length + match[2]!.length, policy);
      }
      case 'insert a line': {
        const { line, match } = this.lineMatching(IMAGE_LINE, anchor);
        const end = this.lines[line]!.length;
        const inserted = `${' '.repeat(match[1]!.length)}workingDir: /srv`;
        this.lines.splice(line + 1, 0, inserted);
        return { range: { start: { line, character: end }, end: { line, character: end } }, text: `\n${inserted}` };
      }
    }
  }

  /** Replaces characters `from` to `to` of one line, in the mirror and as a change event. */
  private replace(line: number, from: number, to: number, text: string): TextDocumentContentChangeEvent {
    const content = this.lines[line]!;
    this.lines[line] = content.slice(0, from) + text + content.slice(to);
    return { range: { start: { line, character: from }, end: { line, character: to } }, text };
  }

  /** The first line matching `pattern` at or after line `from`, wrapping around. */
  private lineMatching(pattern: RegExp, from: number): { line: number; match: RegExpExecArray } {
    for (let step = 0; step < this.lines.length; step++) {
      const line = (from + step) % this.lines.length;
      const match = pattern.exec(this.lines[line]!);
      if (match !== null) return { line, match };
    }
    throw new Error(`No line matches ${String(pattern)}.`);
  }
}

// ---- Statistics and report ----

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], rank: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)]!;
}

interface SizeResult {
  readonly documents: number;
  readonly fileMiB: number;
  readonly lines: number;
  readonly bareParse: BareParse;
  readonly server: ServerRun;
  readonly editMedianMs: number;
  readonly editP95Ms: number;
  /** The one-minute load average before and after this size: other work on the machine shows in every figure. */
  readonly loadAverage: readonly [number, number];
}

interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

function checkTargets(results: readonly SizeResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at = (documents: number): SizeResult | undefined => results.find((result) => result.documents === documents);
  const large = at(5000);
  const middle = at(1000);
  if (large !== undefined) {
    const { firstDiagnosticsMs } = large.server;
    checks.push({
      target: 'first diagnostics at 5,000 documents ≤ 0.5 × bare parse (warm, the stricter baseline)',
      measured: `${ms(firstDiagnosticsMs)} ms = ${(firstDiagnosticsMs / large.bareParse.warmMs).toFixed(3)} × ${ms(large.bareParse.warmMs)} ms`,
      pass: firstDiagnosticsMs <= 0.5 * large.bareParse.warmMs,
    });
  }
  if (middle !== undefined) checks.push({ target: 'edit p95 at 1,000 documents < 30 ms', measured: `${ms(middle.editP95Ms, 1)} ms`, pass: middle.editP95Ms < 30 });
  if (large !== undefined) {
    checks.push({ target: 'edit p95 at 5,000 documents < 50 ms', measured: `${ms(large.editP95Ms, 1)} ms`, pass: large.editP95Ms < 50 });
    const peak = large.server.memory[0]!.memory.peakRssMiB;
    checks.push({ target: 'peak RSS at 5,000 documents < 500 MB', measured: `${mib(peak)} MiB = ${(peak * 1.048576).toFixed(0)} MB`, pass: peak * 1.048576 < 500 });
  }
  for (const result of results) {
    // From a quarter of the session on: by then the analysis cache is full, so what the heap
    // holds should no longer grow with edits (the file grows by one line every fourth edit).
    const [, quarter] = result.server.memory;
    const last = result.server.memory.at(-1)!;
    if (quarter?.memory.liveHeapMiB === undefined || last.memory.liveHeapMiB === undefined) continue;
    checks.push({
      target: `live heap at ${result.documents.toLocaleString('en-US')} documents grows < 10 % from ${quarter.edits} to ${last.edits} edits`,
      measured: `${quarter.memory.liveHeapMiB.toFixed(1)} → ${last.memory.liveHeapMiB.toFixed(1)} MiB`,
      pass: last.memory.liveHeapMiB < 1.1 * quarter.memory.liveHeapMiB,
    });
  }
  return checks;
}

function ms(value: number, digits = 0): string {
  return value.toFixed(digits);
}

function mib(value: number): string {
  return value.toFixed(0);
}

function markdownReport(results: readonly SizeResult[], checks: readonly TargetCheck[]): string {
  const rows = results.map((result) =>
    [
      result.documents.toLocaleString('en-US'),
      `${result.fileMiB.toFixed(2)} MiB`,
      ms(result.bareParse.coldMs),
      ms(result.bareParse.warmMs),
      ms(result.server.firstDiagnosticsMs),
      (result.server.firstDiagnosticsMs / result.bareParse.warmMs).toFixed(3),
      String(result.server.diagnostics),
      `${result.server.publicationMiB.toFixed(2)} MiB`,
      ms(result.editMedianMs, 1),
      ms(result.editP95Ms, 1),
      mib(result.server.memory[0]!.memory.peakRssMiB),
      result.loadAverage.map((load) => load.toFixed(1)).join(' → '),
    ].join(' | '),
  );
  const sessions = results
    .filter((result) => result.server.memory.length > 1)
    .flatMap((result) =>
      // RSS is left out: from the first snapshot on it includes what writing the snapshot took.
      result.server.memory.flatMap(({ edits, memory }) =>
        memory.liveHeapMiB === undefined ? [] : [`| ${result.documents.toLocaleString('en-US')} | ${edits} | ${memory.liveHeapMiB.toFixed(1)} |`],
      ),
    );
  const sessionTable = sessions.length === 0 ? [] : ['| documents | edits so far | live heap (MiB) |', '|---:|---:|---:|', ...sessions, ''];
  return [
    '| documents | file | bare parse cold (ms) | bare parse warm (ms) | first diagnostics (ms) | ÷ warm parse | diagnostics | publication | edit median (ms) | edit p95 (ms) | peak RSS (MiB, VmHWM) | load average |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => `| ${row} |`),
    '',
    ...sessionTable,
    '| target | measured | result |',
    '|---|---|---|',
    ...checks.map((check) => `| ${check.target} | ${check.measured} | ${check.pass ? 'PASS' : 'FAIL'} |`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  const profileDirectory = join(RESULTS_DIRECTORY, 'profiles');
  const nodeArguments = options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : [];
  const results: SizeResult[] = [];
  for (const documents of options.sizes) {
    const text = generateManifests({ documents, seed: options.seed, unusualFraction: options.unusualFraction });
    const file = join(RESULTS_DIRECTORY, `manifests-${documents}.yaml`);
    writeFileSync(file, text);
    const loadBefore = loadavg()[0]!;
    console.error(`${documents} documents: ${(text.length / 2 ** 20).toFixed(2)} MiB; timing yaml parseAllDocuments…`);
    const bareParse = measureBareParse(file, options.parseRuns);
    const memorySession = documents === options.memoryEditsAtSize && options.memoryEdits > options.edits;
    const memoryEdits = memorySession ? options.memoryEdits : options.edits;
    if (memorySession) mkdirSync(HEAP_SNAPSHOT_DIRECTORY, { recursive: true });
    const serverArguments = memorySession ? [...nodeArguments, `--heapsnapshot-signal=${HEAP_SNAPSHOT_SIGNAL}`, `--diagnostic-dir=${HEAP_SNAPSHOT_DIRECTORY}`] : nodeArguments;
    console.error(`${documents} documents: driving the server (${memoryEdits} edits)…`);
    const server = await measureServer(options.serverPath, serverArguments, file, text, options.edits, memoryEdits);
    results.push({
      documents,
      fileMiB: Buffer.byteLength(text) / 2 ** 20,
      lines: text.split('\n').length - 1,
      bareParse,
      server,
      editMedianMs: median(server.editMs),
      editP95Ms: percentile(server.editMs, 95),
      loadAverage: [loadBefore, loadavg()[0]!],
    });
  }
  const checks = checkTargets(results);
  const report = markdownReport(results, checks);
  const stamp = new Date().toISOString();
  const name = `lsp-${stamp.replace(/[:.]/g, '-')}`;
  writeFileSync(join(RESULTS_DIRECTORY, `${name}.md`), report);
  writeFileSync(
    join(RESULTS_DIRECTORY, `${name}.json`),
    `${JSON.stringify({ date: stamp, commit: currentCommit(), machine: machineDescription(), command: `node out/bench/lsp.js ${process.argv.slice(2).join(' ')}`.trim(), options, results, checks }, null, 2)}\n`,
  );
  console.log(report);
  console.log(`Written to bench/results/${name}.{md,json}${options.cpuProfile ? `; server CPU profiles in bench/results/profiles/` : ''}`);
  if (checks.some((check) => !check.pass)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
