/**
 * Issue 3's registry benchmark: resolving 100 distinct image references with our registry client,
 * all at once, against looking each one up with `skopeo inspect`, one after the other, in the
 * same run, against the same real registries (Debian's `docker-registry` on loopback, started by
 * the test harness): one anonymous, one with token auth and credentials in an auth file that
 * both sides read. Target: at least 5× faster.
 *
 * The images are pushed by the harness, which computes their digests from the bytes it builds;
 * every digest our client or skopeo reports is checked against those, and the benchmark aborts
 * on the first disagreement instead of reporting a time for a wrong answer.
 *
 * Each round (5 by default; every figure is the median over them) measures our client on a fresh
 * instance, configured as `kube-images pin` configures it (no cache, no tokens, no connections):
 * - cold: the 100 lookups at once, from scratch (the figure the target is judged on);
 * - revalidate: the same client again with the cache bypassed, as a drift check does: every
 *   lookup goes to the registry, tokens and connections are reused;
 * - cached: the same client once more, answered from its cache;
 * and then, for the same references one process after another, two skopeo commands:
 * `skopeo inspect --format '{{.Digest}}'`, what a user runs to get a digest (it also reads the
 * config blob and the repository's tag list), and `skopeo inspect --raw` with the manifest hashed
 * here, the cheapest skopeo call that yields a digest. The target must hold against both.
 *
 * Writes a Markdown table and a JSON file to `bench/results/`. See bench/README.md.
 *
 *   npm run bench:registry
 *   node out/bench/registryResolve.js [--refs 100] [--rounds 5]
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCredentialSource } from '../server/src/registry/credentials/credentialStore';
import { RegistryClient } from '../server/src/registry/registryClient';
import { buildDataImage, buildTwoPlatformIndex, type BuiltArtifact, type ManifestFormat } from '../test/support/ociImage';
import { startRegistry, type LoopbackRegistry } from '../test/support/registry';
import { missingRequirements, registryRequirements } from '../test/support/system';
import { currentCommit, machineDescription } from './runInfo';

const REPOSITORY_ROOT = join(__dirname, '..', '..');
const RESULTS_DIRECTORY = join(REPOSITORY_ROOT, 'bench', 'results');
const TARGET_SPEED_UP = 5;
/** A skopeo call that takes this long is stuck, not slow: the benchmark fails rather than waits. */
const SKOPEO_TIMEOUT_MS = 30_000;
/** Several repositories, some nested, as a real set of manifests names them. */
const REPOSITORIES = [
  'shop/frontend',
  'shop/cart',
  'shop/checkout',
  'platform/ingress',
  'platform/metrics-agent',
  'data/etl-worker',
  'data/warehouse/loader',
  'tools/debug',
];
/** Every fifth image is a two-platform index; the rest are single manifests. */
const INDEX_EVERY = 5;
const AUTH_MODES = ['anonymous', 'token'] as const;
type AuthMode = (typeof AUTH_MODES)[number];

interface Options {
  readonly refs: number;
  /**
   * Each round: a fresh client of ours through its three phases, then one sequential pass of each
   * skopeo command over every reference. Every figure is the median over the rounds.
   */
  readonly rounds: number;
}

function parseOptions(argv: readonly string[]): Options {
  const positiveInteger = (name: string, fallback: number): number => {
    const index = argv.indexOf(name);
    const text = index >= 0 ? argv[index + 1] : undefined;
    const parsed = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} needs a positive integer, got ${String(text)}`);
    return parsed;
  };
  return { refs: positiveInteger('--refs', 100), rounds: positiveInteger('--rounds', 5) };
}

// ---- Images ----

interface BenchImage {
  readonly repository: string;
  readonly tag: string;
  readonly artifact: BuiltArtifact;
}

/** `count` distinct images spread over the repositories, in both manifest formats, every fifth an index. */
function benchImages(count: number): BenchImage[] {
  return Array.from({ length: count }, (_, index) => {
    const format: ManifestFormat = index % 2 === 0 ? 'oci' : 'docker';
    const content = `registry benchmark image ${index}`;
    return {
      repository: REPOSITORIES[index % REPOSITORIES.length]!,
      tag: `1.${Math.floor(index / REPOSITORIES.length)}.0`,
      artifact: index % INDEX_EVERY === INDEX_EVERY - 1 ? buildTwoPlatformIndex(content, format) : buildDataImage(content, { format }),
    };
  });
}

/** A registry with the images pushed, and an auth file (docker `config.json`) that both sides read. */
interface PreparedRegistry {
  readonly registry: LoopbackRegistry;
  readonly references: readonly string[];
  /** Digests as the harness computed them from the bytes it pushed, in reference order. */
  readonly expectedDigests: readonly string[];
  readonly configDirectory: string;
  readonly authFile: string;
}

async function prepareRegistry(auth: AuthMode, images: readonly BenchImage[]): Promise<PreparedRegistry> {
  const registry = await startRegistry({ auth });
  const configDirectory = mkdtempSync(join(tmpdir(), 'kube-images-bench-auth-'));
  try {
    const references: string[] = [];
    const expectedDigests: string[] = [];
    for (const image of images) {
      await registry.push(image.artifact, image.repository, image.tag);
      references.push(registry.reference(image.repository, image.tag));
      expectedDigests.push(image.artifact.manifest.digest);
    }
    const { username, password } = registry.credentials;
    const auths = auth === 'anonymous' ? {} : { [registry.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
    const authFile = join(configDirectory, 'config.json');
    writeFileSync(authFile, JSON.stringify({ auths }), { mode: 0o600 });
    return { registry, references, expectedDigests, configDirectory, authFile };
  } catch (error) {
    rmSync(configDirectory, { recursive: true, force: true });
    await registry.stop();
    throw error;
  }
}

/** Throws, naming the first reference whose digest differs from the one the harness computed. */
function assertDigests(who: string, prepared: PreparedRegistry, digests: readonly string[]): void {
  prepared.references.forEach((reference, index) => {
    const expected = prepared.expectedDigests[index];
    if (digests[index] !== expected) {
      throw new Error(`${who} answered ${JSON.stringify(digests[index])} for ${reference}; the pushed manifest's digest is ${expected}. Aborting: a time for a wrong answer means nothing.`);
    }
  });
}

/** Token requests the registry's issuer has served so far (0 without token auth). */
function tokenRequests(prepared: PreparedRegistry): number {
  return prepared.registry.tokenIssuer?.requests.length ?? 0;
}

// ---- Our client ----

interface ClientRound {
  readonly coldMs: number;
  readonly revalidateMs: number;
  readonly cachedMs: number;
  readonly coldTokenRequests: number;
  readonly revalidateTokenRequests: number;
}

/** One fresh client, configured as `kube-images pin` configures it, through the three phases. */
async function measureClientRound(prepared: PreparedRegistry): Promise<ClientRound> {
  // Only the benchmark's auth file: the machine's own docker login must not change the work done.
  const credentials = createCredentialSource({ env: { DOCKER_CONFIG: prepared.configDirectory }, homeDir: prepared.configDirectory });
  const client = new RegistryClient({ credentials });
  try {
    const phase = async (who: string, bypassCache: boolean): Promise<{ ms: number; tokenRequests: number }> => {
      const tokensBefore = tokenRequests(prepared);
      const start = performance.now();
      const resolved = await Promise.all(prepared.references.map((reference) => client.resolve(reference, { bypassCache })));
      const ms = performance.now() - start;
      assertDigests(who, prepared, resolved.map((image) => image.digest));
      return { ms, tokenRequests: tokenRequests(prepared) - tokensBefore };
    };
    const cold = await phase('our client (cold)', false);
    const revalidate = await phase('our client (revalidate)', true);
    const cached = await phase('our client (cached)', false);
    return {
      coldMs: cold.ms,
      revalidateMs: revalidate.ms,
      cachedMs: cached.ms,
      coldTokenRequests: cold.tokenRequests,
      revalidateTokenRequests: revalidate.tokenRequests,
    };
  } finally {
    client.dispose();
  }
}

// ---- skopeo ----

interface SkopeoCommand {
  readonly id: string;
  /** As a user would type it (without the per-registry flags). */
  readonly display: string;
  readonly arguments: (reference: string, authFile: string) => string[];
  readonly digestOf: (stdout: Buffer) => string;
}

const SKOPEO_COMMANDS: readonly SkopeoCommand[] = [
  {
    id: 'inspect-format-digest',
    display: "skopeo inspect --format '{{.Digest}}'",
    arguments: (reference, authFile) => ['inspect', '--tls-verify=false', '--authfile', authFile, '--format', '{{.Digest}}', `docker://${reference}`],
    digestOf: (stdout) => stdout.toString('utf8').trim(),
  },
  {
    id: 'inspect-raw-hashed',
    display: 'skopeo inspect --raw, hashed here',
    arguments: (reference, authFile) => ['inspect', '--tls-verify=false', '--authfile', authFile, '--raw', `docker://${reference}`],
    digestOf: (stdout) => `sha256:${createHash('sha256').update(stdout).digest('hex')}`,
  },
];

function runSkopeo(args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { encoding: 'buffer', timeout: SKOPEO_TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`skopeo ${args.join(' ')} failed: ${error.message} ${stderr.toString('utf8').trim()}`));
    });
  });
}

interface SkopeoPass {
  readonly totalMs: number;
  readonly perCallMedianMs: number;
  readonly tokenRequests: number;
}

/** One pass of `command` over every reference, one process at a time, as a script would run it. */
async function measureSkopeoPass(prepared: PreparedRegistry, command: SkopeoCommand): Promise<SkopeoPass> {
  const tokensBefore = tokenRequests(prepared);
  const callMs: number[] = [];
  const digests: string[] = [];
  const start = performance.now();
  for (const reference of prepared.references) {
    const callStart = performance.now();
    digests.push(command.digestOf(await runSkopeo(command.arguments(reference, prepared.authFile))));
    callMs.push(performance.now() - callStart);
  }
  const totalMs = performance.now() - start;
  assertDigests(command.display, prepared, digests);
  return { totalMs, perCallMedianMs: median(callMs), tokenRequests: tokenRequests(prepared) - tokensBefore };
}

// ---- Scenario ----

interface SkopeoResult {
  readonly command: string;
  readonly display: string;
  readonly passes: readonly SkopeoPass[];
  readonly medianMs: number;
}

interface ScenarioResult {
  readonly auth: AuthMode;
  readonly references: number;
  readonly indexes: number;
  readonly repositories: number;
  readonly clientRounds: readonly ClientRound[];
  readonly coldMedianMs: number;
  readonly revalidateMedianMs: number;
  readonly cachedMedianMs: number;
  readonly skopeo: readonly SkopeoResult[];
}

async function measureScenario(auth: AuthMode, images: readonly BenchImage[], options: Options): Promise<ScenarioResult> {
  console.error(`${auth}: starting docker-registry and pushing ${images.length} images…`);
  const prepared = await prepareRegistry(auth, images);
  try {
    // Untimed warm-ups: the client's code is compiled and skopeo's binary is in the page cache
    // before anything is timed, so neither side pays a one-off cost the other does not.
    await measureClientRound(prepared);
    for (const command of SKOPEO_COMMANDS) await runSkopeo(command.arguments(prepared.references[0]!, prepared.authFile));

    console.error(`${auth}: ${options.rounds} rounds of our client and each skopeo command…`);
    // Rounds interleave the two sides, so a change in the machine's load touches both alike.
    const clientRounds: ClientRound[] = [];
    const skopeoPasses = SKOPEO_COMMANDS.map((): SkopeoPass[] => []);
    for (let round = 0; round < options.rounds; round++) {
      clientRounds.push(await measureClientRound(prepared));
      for (const [index, command] of SKOPEO_COMMANDS.entries()) skopeoPasses[index]!.push(await measureSkopeoPass(prepared, command));
    }
    const skopeo = SKOPEO_COMMANDS.map((command, index): SkopeoResult => {
      const passes = skopeoPasses[index]!;
      return { command: command.id, display: command.display, passes, medianMs: median(passes.map((pass) => pass.totalMs)) };
    });
    return {
      auth,
      references: prepared.references.length,
      indexes: images.filter((image) => image.artifact.kind === 'index').length,
      repositories: new Set(images.map((image) => image.repository)).size,
      clientRounds,
      coldMedianMs: median(clientRounds.map((round) => round.coldMs)),
      revalidateMedianMs: median(clientRounds.map((round) => round.revalidateMs)),
      cachedMedianMs: median(clientRounds.map((round) => round.cachedMs)),
      skopeo,
    };
  } finally {
    rmSync(prepared.configDirectory, { recursive: true, force: true });
    await prepared.registry.stop();
  }
}

// ---- Statistics and report ----

/** Lower median: an actual measurement, never an average of two. */
function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

interface TargetCheck {
  readonly auth: AuthMode;
  readonly baseline: string;
  readonly oursMs: number;
  readonly baselineMs: number;
  readonly speedUp: number;
  readonly pass: boolean;
}

function checkTargets(scenarios: readonly ScenarioResult[]): TargetCheck[] {
  return scenarios.flatMap((scenario) =>
    scenario.skopeo.map((baseline) => {
      const speedUp = baseline.medianMs / scenario.coldMedianMs;
      return { auth: scenario.auth, baseline: baseline.display, oursMs: scenario.coldMedianMs, baselineMs: baseline.medianMs, speedUp, pass: speedUp >= TARGET_SPEED_UP };
    }),
  );
}

function ms(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function markdownReport(scenarios: readonly ScenarioResult[], checks: readonly TargetCheck[], options: Options): string {
  const refsOf = (auth: AuthMode): number => scenarios.find((scenario) => scenario.auth === auth)?.references ?? 0;
  const details = scenarios.map((scenario) => {
    const colds = scenario.clientRounds.map((round) => round.coldMs);
    const tokens = (values: readonly number[]): string => (scenario.auth === 'token' ? `${median(values)}` : '–');
    const skopeoTokens = scenario.skopeo.map((baseline) => tokens(baseline.passes.map((pass) => pass.tokenRequests))).join(' / ');
    return [
      scenario.auth,
      `${ms(Math.min(...colds))} / ${ms(scenario.coldMedianMs)} / ${ms(Math.max(...colds))}`,
      ms(scenario.revalidateMedianMs),
      scenario.cachedMedianMs.toFixed(1),
      tokens(scenario.clientRounds.map((round) => round.coldTokenRequests)),
      tokens(scenario.clientRounds.map((round) => round.revalidateTokenRequests)),
      scenario.skopeo.map((baseline) => `${ms(median(baseline.passes.map((pass) => pass.perCallMedianMs)))}`).join(' / '),
      skopeoTokens,
    ].join(' | ');
  });
  return [
    `| registry auth | refs | ours, all at once, cold (ms) | baseline, one reference at a time | baseline (ms) | speed-up | target ≥ ${TARGET_SPEED_UP}× |`,
    '|---|---:|---:|---|---:|---:|---|',
    ...checks.map(
      (check) =>
        `| ${check.auth} | ${refsOf(check.auth)} | ${ms(check.oursMs)} | \`${check.baseline}\` | ${ms(check.baselineMs)} | ${check.speedUp.toFixed(1)}× | ${check.pass ? 'PASS' : 'FAIL'} |`,
    ),
    '',
    `| registry auth | ours cold min / median / max (ms) | ours revalidate (ms) | ours cached (ms) | token requests, cold | token requests, revalidate | skopeo per call, median (ms): format / raw | skopeo token requests: format / raw |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...details.map((row) => `| ${row} |`),
    '',
    `Medians of ${options.rounds} rounds; every digest checked against the one computed from the pushed bytes.`,
    '',
  ].join('\n');
}

function machine(): Record<string, string | number> {
  return {
    ...machineDescription(),
    skopeo: execFileSync('skopeo', ['--version'], { encoding: 'utf8' }).trim(),
    registry: execFileSync('docker-registry', ['--version'], { encoding: 'utf8' }).trim(),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const missing = missingRequirements(registryRequirements);
  if (missing !== undefined) throw new Error(`cannot run the registry benchmark: ${missing}`);
  const images = benchImages(options.refs);
  const scenarios: ScenarioResult[] = [];
  for (const auth of AUTH_MODES) scenarios.push(await measureScenario(auth, images, options));

  const checks = checkTargets(scenarios);
  const report = markdownReport(scenarios, checks, options);
  const stamp = new Date().toISOString();
  const name = `registryResolve-${stamp.replace(/[:.]/g, '-')}`;
  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  writeFileSync(join(RESULTS_DIRECTORY, `${name}.md`), report);
  writeFileSync(
    join(RESULTS_DIRECTORY, `${name}.json`),
    `${JSON.stringify({ date: stamp, commit: currentCommit(), machine: machine(), command: `node out/bench/registryResolve.js ${process.argv.slice(2).join(' ')}`.trim(), options, scenarios, checks }, null, 2)}\n`,
  );
  console.log(report);
  console.log(`Written to bench/results/${name}.{md,json}`);
  if (checks.some((check) => !check.pass)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
