/**
 * Issue 4's explorer benchmark: refreshing the "Images on Nodes" tree for a real containerd that
 * holds 2,000 images, against the bare CRI ListImages call it cannot do without. Target: the
 * tree model built within 1.2× of the bare ListImages call.
 *
 * The node is a private containerd 1.6 started by the test harness. Its images are imported in
 * one go with `ctr images import` from an OCI image layout the benchmark writes: 2,000 distinct
 * images (distinct configs, so distinct image ids, as on a real node) sharing one small layer,
 * spread over several registries and repositories, each with a tag and a repository digest.
 * Pulling 2,000 images over CRI would take minutes and measure nothing more.
 *
 * Each timed run, after warm-up runs on the same connection, measures in turn:
 * - bare: `listImages()` on the session's CRI client;
 * - refresh: what the explorer does per node and refresh (`Explorer.list` and `build`), timed
 *   step by step: the snapshot (Version, Status, ListImages, ListContainers, ListPodSandbox and
 *   ImageFsInfo, issued concurrently), the image-history observation, and `buildExplorerTree`.
 * The verdict compares the medians of refresh and bare; the bench exits with status 1 when it misses.
 *
 *   npm run bench:explorer
 *   node out/bench/explorerListing.js [--images 2000] [--runs 30] [--warmup 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseEndpoint } from '../client/src/cri/endpoints';
import { ImageHistoryStore, type HistoryStorage } from '../client/src/nodes/imageHistoryStore';
import { NodeSession } from '../client/src/nodes/nodeSession';
import { nodeTarget } from '../client/src/nodes/nodeTargets';
import { DEFAULT_EXPLORER_OPTIONS } from '../client/src/explorer/model/explorerOptions';
import { buildExplorerTree } from '../client/src/explorer/model/explorerTree';
import { startContainerd } from '../test/support/containerd';
import { buildImage, ustar, type ContentBlob, type TarEntry } from '../test/support/ociImage';
import { containerdRequirements, missingRequirements, run, waitUntil } from '../test/support/system';

const TARGET_RATIO = 1.2;
const RESULTS_DIRECTORY = join(__dirname, '..', '..', 'bench', 'results');
/** Where the images seem to come from, so that names have the variety of a real node. */
const REPOSITORY_PREFIXES = ['docker.io/library', 'registry.k8s.io', 'ghcr.io/acme', 'quay.io/platform', '127.0.0.1:5000/dev'];
const REPOSITORIES_PER_PREFIX = 50;

interface Options {
  readonly images: number;
  readonly runs: number;
  readonly warmup: number;
}

interface Summary {
  readonly min: number;
  readonly median: number;
  readonly p95: number;
}

function readOptions(argv: readonly string[]): Options {
  const value = (flag: string, fallback: number): number => {
    const position = argv.indexOf(flag);
    if (position < 0) return fallback;
    const parsed = Number(argv[position + 1]);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} needs a positive integer`);
    return parsed;
  };
  return { images: value('--images', 2000), runs: value('--runs', 30), warmup: value('--warmup', 5) };
}

/**
 * An OCI image layout as one tar: `count` images that differ only in a config label and share
 * one layer. Each manifest carries containerd's image-name annotation, so `ctr images import`
 * names it without a base name.
 */
export function imageLayoutTar(count: number): { tar: Buffer; names: readonly string[] } {
  const layer = [{ type: 'file', path: 'etc/bench-release', content: 'kube-images explorer benchmark\n' }] as const;
  const blobs = new Map<string, ContentBlob>();
  const manifests: object[] = [];
  const names: string[] = [];
  for (let index = 0; index < count; index++) {
    const image = buildImage({ layers: [layer], labels: { 'bench.kube-images/index': String(index) } });
    const prefix = REPOSITORY_PREFIXES[index % REPOSITORY_PREFIXES.length];
    const name = `${prefix}/app-${Math.floor(index / REPOSITORY_PREFIXES.length) % REPOSITORIES_PER_PREFIX}:v${index}`;
    names.push(name);
    for (const blob of [image.manifest, image.config, ...image.layers]) blobs.set(blob.digest, blob);
    manifests.push({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.slice(name.lastIndexOf(':') + 1) },
    });
  }
  const entries: TarEntry[] = [
    { type: 'file', path: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { type: 'file', path: 'index.json', content: JSON.stringify({ schemaVersion: 2, manifests }) },
    { type: 'directory', path: 'blobs/' },
    { type: 'directory', path: 'blobs/sha256/' },
    ...[...blobs.values()].map((blob): TarEntry => ({ type: 'file', path: `blobs/sha256/${blob.digest.slice('sha256:'.length)}`, content: blob.bytes })),
  ];
  return { tar: ustar(entries), names };
}

function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (quantile: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
  return { min: sorted[0], median: at(0.5), p95: at(0.95) };
}

const milliseconds = (value: number): string => `${value.toFixed(1)} ms`;

/** Keeps histories in memory, as the extension's `globalState` does between its writes. */
class MemoryStorage implements HistoryStorage {
  private readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  const missing = missingRequirements(containerdRequirements);
  if (missing !== undefined) {
    console.error(`explorer benchmark skipped: ${missing}`);
    return 2;
  }

  // No pod runs here, so the pause image is never pulled; containerd only needs a name.
  const containerd = await startContainerd({ sandboxImage: 'registry.invalid/pause:bench' });
  let session: NodeSession | undefined;
  try {
    const setupStarted = performance.now();
    const { tar, names } = imageLayoutTar(options.images);
    const tarPath = join(containerd.directory, 'images.tar');
    writeFileSync(tarPath, tar);
    // --digests adds a `name@digest` reference per image, which CRI reports as its repository digest.
    // Each image is a metadata transaction in containerd: 2,000 take longer than `ctr()`'s 30 s limit.
    await run('ctr', ['--address', containerd.socketPath, '--namespace', 'k8s.io', 'images', 'import', '--no-unpack', '--digests', tarPath], {
      timeoutMs: 600_000,
    });

    const endpoint = parseEndpoint(containerd.endpoint);
    if (!endpoint.ok) throw new Error(endpoint.message);
    const target = nodeTarget(endpoint.endpoint, 'bench', 'benchmark');
    session = new NodeSession(target);
    const client = session.images;
    // The CRI plugin learns of imported images from containerd's events, after `ctr` returns.
    const imported = new Set(names);
    let seen = 0;
    const listed = await waitUntil(
      `CRI to list the ${options.images} imported images`,
      async () => {
        const images = await client.listImages();
        seen = images.filter((image) => image.repoTags.some((tag) => imported.has(tag))).length;
        return seen >= options.images ? images : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    ).catch((error: unknown) => {
      throw new Error(`CRI lists ${seen} of the ${options.images} imported images (${String(error)})`);
    });
    const setupMs = performance.now() - setupStarted;
    console.log(`containerd ${containerd.endpoint}: ${listed.length} images listed over CRI (${milliseconds(setupMs)} to build and import)`);

    const history = new ImageHistoryStore(new MemoryStorage());
    const samples = { bare: [] as number[], refresh: [] as number[], snapshot: [] as number[], history: [] as number[], model: [] as number[] };
    for (let run = -options.warmup; run < options.runs; run++) {
      const started = performance.now();
      await client.listImages();
      const bareDone = performance.now();
      // The explorer's refresh of one node, step by step as `Explorer.list` and `build` take them.
      const snapshot = await session.snapshot();
      const snapshotDone = performance.now();
      const observed = await history.observe(target.key, snapshot);
      const historyDone = performance.now();
      const tree = buildExplorerTree({
        nodes: [{ target, state: { kind: 'listed', snapshot, history: observed } }],
        problems: [],
        options: DEFAULT_EXPLORER_OPTIONS,
      });
      const treeDone = performance.now();
      if (tree.listedImages !== listed.length) throw new Error(`the tree holds ${tree.listedImages} images, CRI listed ${listed.length}`);
      if (run < 0) continue;
      samples.bare.push(bareDone - started);
      samples.refresh.push(treeDone - bareDone);
      samples.snapshot.push(snapshotDone - bareDone);
      samples.history.push(historyDone - snapshotDone);
      samples.model.push(treeDone - historyDone);
    }

    const bareSummary = summarize(samples.bare);
    const fullSummary = summarize(samples.refresh);
    const ratio = fullSummary.median / bareSummary.median;
    const passed = ratio <= TARGET_RATIO;
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.versions.node}, load ${loadavg()[0].toFixed(1)}`;
    const rows = [
      ['bare ListImages', bareSummary],
      ['explorer refresh, whole', fullSummary],
      ['— snapshot (6 CRI calls at once)', summarize(samples.snapshot)],
      ['— image history observation', summarize(samples.history)],
      ['— tree model (buildExplorerTree)', summarize(samples.model)],
    ] as const;
    const report = [
      `# Explorer listing, ${listed.length} images on a real containerd`,
      '',
      `${machine}; ${options.runs} runs after ${options.warmup} warm-up runs.`,
      '',
      '| measured | min | median | p95 |',
      '|---|---|---|---|',
      ...rows.map(([label, summary]) => `| ${label} | ${milliseconds(summary.min)} | ${milliseconds(summary.median)} | ${milliseconds(summary.p95)} |`),
      '',
      `Refresh / bare ListImages (medians): ${ratio.toFixed(2)}× — ${passed ? 'PASS' : 'FAIL'} (target ≤ ${TARGET_RATIO}×); p95s: ${(fullSummary.p95 / bareSummary.p95).toFixed(2)}×.`,
      '',
    ].join('\n');
    console.log(`\n${report}`);
    mkdirSync(RESULTS_DIRECTORY, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    writeFileSync(join(RESULTS_DIRECTORY, `explorerListing-${stamp}.md`), report);
    writeFileSync(
      join(RESULTS_DIRECTORY, `explorerListing-${stamp}.json`),
      `${JSON.stringify({ machine, options, images: listed.length, samples, ratio, target: TARGET_RATIO, passed }, null, 2)}\n`,
    );
    return passed ? 0 : 1;
  } finally {
    await session?.close();
    await containerd.stop();
    const left = containerd.leftovers();
    if (left.processes.length > 0 || left.mounts.length > 0 || left.directoryExists) {
      console.error(`containerd left behind: ${JSON.stringify(left)}`);
    }
  }
}

main().then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
