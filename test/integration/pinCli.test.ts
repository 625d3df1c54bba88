// `kube-images pin` and `kube-images check --resolve` as CI runs them: the built CLI in a child
// process, against a real docker-registry on loopback, on files whose every byte is checked.
import { after, before, describe, test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildDataImage, buildTwoPlatformIndex } from '../support/ociImage';
import { startRegistry, type LoopbackRegistry } from '../support/registry';
import { missingRequirements, registryRequirements } from '../support/system';

const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Every run's output, for the check that no password ever appears in it. */
const outputs: string[] = [];

/** Runs the CLI without blocking this process, which may host parts of the registry harness. */
function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // A home of its own: the machine's docker login must not decide what the tests see.
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { PATH: process.env['PATH'], HOME: cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => {
      outputs.push(stdout, stderr);
      resolve({ status, stdout, stderr });
    });
  });
}

function workspace(t: TestContext, files: Readonly<Record<string, string | Buffer>>): string {
  const root = mkdtempSync(join(tmpdir(), 'kube-images-pin-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** 0-based line and UTF-16 character of `offset`, counting LF, CRLF and CR as line breaks. */
function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const breaks = [...before.matchAll(/\r\n|\r|\n/g)];
  const last = breaks.at(-1);
  return { line: breaks.length, character: last === undefined ? offset : offset - (last.index + last[0].length) };
}

interface PinJson {
  changes: { path: string; range: { start: { line: number; character: number }; end: { line: number; character: number } }; from: string; to: string }[];
  errors: { image: string; message: string }[];
}

const skip = missingRequirements(registryRequirements);

describe('kube-images pin against a real registry', { skip }, () => {
  let registry: LoopbackRegistry;
  const app = buildDataImage('pin cli app');
  const multi = buildTwoPlatformIndex('pin cli multi');

  before(async () => {
    registry = await startRegistry();
    await registry.push(app, 'team/app', '1.0');
    await registry.push(multi, 'team/multi', '2.0');
  });
  after(async () => {
    await registry?.stop();
  });

  /** A CRLF manifest with a byte order mark, comments, quoting and flow style around the images. */
  function manifest(): { text: string; bytes: Buffer; references: string[] } {
    const a = `${registry.host}/team/app:1.0`;
    const m = `${registry.host}/team/multi:2.0`;
    const text = [
      '# deployment, pinned by CI',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}   # flow',
      'spec:',
      '  template:',
      '    spec:',
      '      initContainers:',
      `        - {name: init, image: "${a}"}`,
      '      containers:',
      `        - name: web   # main`,
      `          image: '${m}'    # multi-arch`,
      `        - name: again`,
      `          image:   ${a}`,
      '',
    ].join('\r\n');
    return { text, bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), references: [a, m, a] };
  }

  test('--dry-run prints exactly what pin then writes, and pin changes nothing but the references', async (t) => {
    const { text, bytes, references } = manifest();
    const cwd = workspace(t, { 'k8s/deploy.yaml': bytes });
    const digests = [app.manifest.digest, multi.manifest.digest, app.manifest.digest];
    const path = join('k8s', 'deploy.yaml');

    const dryRun = await run(['pin', '--dry-run', '--format', 'json', 'k8s'], cwd);
    assert.equal(dryRun.stderr, '');
    assert.equal(dryRun.status, 0);
    assert.deepEqual(readFileSync(join(cwd, path)), bytes, 'a dry run writes nothing');
    let from = 0;
    const expectedChanges = references.map((reference, index) => {
      const start = text.indexOf(reference, from);
      from = start + reference.length;
      return { path, range: { start: positionOf(text, start), end: positionOf(text, from) }, from: reference, to: `${reference}@${digests[index]}` };
    });
    assert.deepEqual(JSON.parse(dryRun.stdout) as PinJson, { changes: expectedChanges, errors: [] });

    const pinned = await run(['pin', 'k8s'], cwd);
    assert.equal(pinned.status, 0, pinned.stderr);
    assert.equal(pinned.stderr, '');
    // Insert each digest right after its reference, from the last to the first.
    let expected = text;
    let cursor = text.length;
    const insertions: { at: number; digest: string }[] = [];
    for (let index = references.length - 1; index >= 0; index--) {
      const at = text.lastIndexOf(references[index]!, cursor - 1);
      insertions.push({ at: at + references[index]!.length, digest: digests[index]! });
      cursor = at;
    }
    for (const { at, digest } of insertions) expected = `${expected.slice(0, at)}@${digest}${expected.slice(at)}`;
    assert.deepEqual(readFileSync(join(cwd, path)), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(expected, 'utf8')]));
    assert.equal(
      pinned.stdout,
      [...expectedChanges.map((change) => `${path}:${change.range.start.line + 1}:${change.range.start.character + 1}: ${change.from} -> ${change.to}`), 'Pinned 3 images in 1 file', ''].join('\n'),
    );

    const again = await run(['pin', 'k8s'], cwd);
    assert.deepEqual({ status: again.status, stdout: again.stdout }, { status: 0, stdout: 'Pinned 0 images in 0 files\n' });
  });

  test('what does not resolve is listed with exit 1; the rest is written', async (t) => {
    const good = `${registry.host}/team/app:1.0`;
    const missing = `${registry.host}/team/app:9.9`;
    const text = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: ${good}\n    - name: b\n      image: ${missing}\n`;
    const cwd = workspace(t, { 'pod.yaml': text });

    const json = await run(['pin', '--format=json', 'pod.yaml'], cwd);
    assert.equal(json.status, 1);
    assert.equal(json.stderr, '');
    const output = JSON.parse(json.stdout) as PinJson;
    assert.deepEqual(
      output.changes.map(({ from, to }) => ({ from, to })),
      [{ from: good, to: `${good}@${app.manifest.digest}` }],
    );
    assert.deepEqual(output.errors.map(({ image }) => image), [missing]);
    assert.match(output.errors[0]!.message, new RegExp(`${registry.host}.*9\\.9|9\\.9.*${registry.host}`));
    assert.equal(readFileSync(join(cwd, 'pod.yaml'), 'utf8'), text.replace(good, `${good}@${app.manifest.digest}`));

    const textRun = await run(['pin', 'pod.yaml'], cwd);
    assert.equal(textRun.status, 1);
    assert.equal(textRun.stdout, 'Pinned 0 images in 0 files\n');
    assert.ok(textRun.stderr.startsWith(`kube-images: cannot pin ${missing}: `), textRun.stderr);
  });

  test('check --resolve reports a tag that moved away from its pin, and a tag that does not exist', async (t) => {
    const moving = `${registry.host}/team/moving:stable`;
    await registry.push(app, 'team/moving', 'stable');
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'spec:',
      '  containers:',
      '    - name: a',
      `      image: ${moving}@${app.manifest.digest}`,
      '    - name: b',
      `      image: ${registry.host}/team/app:nope`,
      '',
    ].join('\n');
    const cwd = workspace(t, { 'pod.yaml': text });
    const codes = async (args: readonly string[]): Promise<string[]> => {
      const result = await run(['check', '--format', 'json', ...args, 'pod.yaml'], cwd);
      assert.equal(result.stderr, '');
      const report = JSON.parse(result.stdout) as { files: { diagnostics: { code: string; message: string }[] }[] };
      return report.files[0]!.diagnostics.map((diagnostic) => diagnostic.code).filter((code) => code === 'digest-drift' || code === 'tag-not-found');
    };

    assert.deepEqual(await codes([]), []);
    assert.deepEqual(await codes(['--resolve']), ['tag-not-found']);
    const moved = buildDataImage('pin cli moved');
    await registry.push(moved, 'team/moving', 'stable');
    assert.deepEqual(await codes(['--resolve']), ['digest-drift', 'tag-not-found']);
    const textRun = await run(['check', '--resolve', 'pod.yaml'], cwd);
    assert.match(textRun.stdout, new RegExp(`pod\\.yaml:6:\\d+: information digest-drift: .*${moved.manifest.digest}`));
  });
});

describe('registry credentials of the CLI', { skip }, () => {
  let registry: LoopbackRegistry;
  const image = buildDataImage('pin cli private');

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await registry.push(image, 'private/app', '1');
  });
  after(async () => {
    await registry?.stop();
  });

  test('come from the docker config, and no output ever shows them', async (t) => {
    const { username, password } = registry.credentials;
    const reference = `${registry.host}/private/app:1`;
    const text = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: ${reference}\n`;
    const dockerConfig = (secret: string): string => JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${username}:${secret}`).toString('base64') } } });
    const cwd = workspace(t, { 'pod.yaml': text, 'right/config.json': dockerConfig(password), 'wrong/config.json': dockerConfig(`${password}x`) });

    const anonymous = await run(['pin', '--dry-run', 'pod.yaml'], cwd);
    assert.equal(anonymous.status, 1);
    assert.match(anonymous.stderr, /401|credentials|docker login/i);

    const refused = await run(['pin', '--format', 'json', '--dry-run', 'pod.yaml'], cwd, { DOCKER_CONFIG: join(cwd, 'wrong') });
    assert.equal(refused.status, 1);
    assert.equal((JSON.parse(refused.stdout) as PinJson).errors.length, 1);
    await run(['check', '--resolve', 'pod.yaml'], cwd, { DOCKER_CONFIG: join(cwd, 'wrong') });

    const pinned = await run(['pin', 'pod.yaml'], cwd, { DOCKER_CONFIG: join(cwd, 'right') });
    assert.equal(pinned.status, 0, pinned.stderr);
    assert.equal(readFileSync(join(cwd, 'pod.yaml'), 'utf8'), text.replace(reference, `${reference}@${image.manifest.digest}`));
    await run(['check', '--resolve', 'pod.yaml'], cwd, { DOCKER_CONFIG: join(cwd, 'right') });

    const everything = outputs.join('\n');
    assert.ok(everything.includes(registry.host), 'the outputs were captured');
    for (const secret of [password, `${password}x`, Buffer.from(`${username}:${password}`).toString('base64')]) {
      assert.ok(!everything.includes(secret), 'a credential appears in the output');
    }
  });
});
