// The chained credential lookup: the order of sources, repeats dropped, failures turned into
// warnings, the real permission errors a non-root user meets, and no secret in any output.
import { test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileAccess } from '../../server/src/registry/credentials/credentialFiles';
import type { ProgramOutcome, RunProgram } from '../../server/src/registry/credentials/credentialHelper';
import { ChainedCredentialSource, createCredentialSource, sameCredential } from '../../server/src/registry/credentials/credentialStore';
import type { CredentialSource, RegistryCredential } from '../../server/src/registry/types';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
type LookupResult = Awaited<ReturnType<CredentialSource['lookup']>>;

function fixed(result: LookupResult, seen?: string[]): CredentialSource {
  return {
    lookup: async (registry, repository) => {
      seen?.push(`${registry}/${repository}`);
      return result;
    },
  };
}

/** In-memory files: text, or an error code with the owner and mode stat would report. */
function memoryFiles(files: Record<string, string | { code: string; uid?: number; mode?: number }>): FileAccess {
  const find = (path: string) => {
    const file = files[path];
    if (file === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    return file;
  };
  return {
    readFile: async (path) => {
      const file = find(path);
      if (typeof file === 'string') return file;
      throw Object.assign(new Error(`${file.code}: refused, open '${path}'`), { code: file.code });
    },
    stat: async (path) => {
      const file = find(path);
      return typeof file === 'string' ? { uid: 1000, mode: 0o600 } : { uid: file.uid ?? 0, mode: file.mode ?? 0o600 };
    },
  };
}

const noPrograms: RunProgram = async () => ({ kind: 'notFound' });

test('sources are asked with the registry and repository; credentials come in source order without repeats', async () => {
  const seen: string[] = [];
  const alice: RegistryCredential = { kind: 'basic', username: 'alice', password: 'a-pw' };
  const chain = new ChainedCredentialSource([
    { name: 'first', source: fixed({ credentials: [alice, { kind: 'identityToken', token: 'it' }], warnings: ['w1'] }, seen) },
    { name: 'second', source: fixed({ credentials: [{ kind: 'basic', username: 'alice', password: 'a-pw' }, { kind: 'registryToken', token: 'it' }], warnings: ['w1', 'w2'] }, seen) },
    { name: 'third', source: fixed({ credentials: [{ kind: 'basic', username: 'alice', password: 'other' }, { kind: 'identityToken', token: 'it' }], warnings: [] }, seen) },
  ]);
  assert.deepEqual(await chain.lookup('registry.example.com', 'team/app'), {
    credentials: [
      alice,
      { kind: 'identityToken', token: 'it' },
      { kind: 'registryToken', token: 'it' },
      { kind: 'basic', username: 'alice', password: 'other' },
    ],
    warnings: ['w1', 'w2'],
  });
  assert.deepEqual(seen, ['registry.example.com/team/app', 'registry.example.com/team/app', 'registry.example.com/team/app']);
});

test('identical credentials: same kind and same fields', () => {
  const cases: [RegistryCredential, RegistryCredential, boolean][] = [
    [{ kind: 'basic', username: 'u', password: 'p' }, { kind: 'basic', username: 'u', password: 'p' }, true],
    [{ kind: 'basic', username: 'u', password: 'p' }, { kind: 'basic', username: 'u', password: 'q' }, false],
    [{ kind: 'basic', username: 'u', password: 'p' }, { kind: 'basic', username: 'v', password: 'p' }, false],
    [{ kind: 'identityToken', token: 't' }, { kind: 'identityToken', token: 't' }, true],
    [{ kind: 'identityToken', token: 't' }, { kind: 'registryToken', token: 't' }, false],
    [{ kind: 'registryToken', token: 't' }, { kind: 'basic', username: 't', password: 't' }, false],
  ];
  for (const [left, right, expected] of cases) assert.equal(sameCredential(left, right), expected, JSON.stringify([left, right]));
});

test('a source that fails is a warning; the others still answer', async () => {
  const chain = new ChainedCredentialSource([
    { name: 'credentials entered in VS Code', source: { lookup: async () => Promise.reject(new Error('the client is not connected')) } },
    { name: 'docker credentials', source: fixed({ credentials: [{ kind: 'basic', username: 'u', password: 'p' }], warnings: [] }) },
  ]);
  assert.deepEqual(await chain.lookup('registry.example.com', 'app'), {
    credentials: [{ kind: 'basic', username: 'u', password: 'p' }],
    warnings: ['could not look up credentials entered in VS Code: the client is not connected'],
  });
});

test('an aborted lookup rejects with the reason, before or during the lookup', async () => {
  const chain = new ChainedCredentialSource([{ name: 'docker credentials', source: fixed({ credentials: [], warnings: [] }) }]);
  await assert.rejects(chain.lookup('registry.example.com', 'app', AbortSignal.abort(new Error('cancelled before'))), /cancelled before/);

  const controller = new AbortController();
  const hanging: CredentialSource = {
    lookup: (_registry, _repository, signal) =>
      new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true })),
  };
  const pending = new ChainedCredentialSource([{ name: 'slow', source: hanging }]).lookup('registry.example.com', 'app', controller.signal);
  controller.abort(new Error('cancelled during'));
  await assert.rejects(pending, /cancelled during/);
});

test('forget() reaches the sources that remember answers', () => {
  let forgotten = 0;
  const remembering = { ...fixed({ credentials: [], warnings: [] }), forget: () => (forgotten += 1) };
  new ChainedCredentialSource([
    { name: 'a', source: remembering },
    { name: 'b', source: fixed({ credentials: [], warnings: [] }) },
  ]).forget();
  assert.equal(forgotten, 1);
});

test('the default chain: entered in VS Code, then docker, then (only when enabled) the kubelet node files', async () => {
  const files = memoryFiles({
    '/home/u/.docker/config.json': JSON.stringify({ auths: { 'registry.example.com': { auth: base64('docker:docker-pw') } } }),
    '/var/lib/kubelet/config.json': JSON.stringify({ auths: { 'registry.example.com': { auth: base64('node:node-pw') }, 'other.example.com': { auth: base64('x:y') } } }),
  });
  const userEntered = fixed({ credentials: [{ kind: 'basic', username: 'me', password: 'me-pw' }], warnings: [] });
  const options = { env: { HOME: '/home/u' }, files, runProgram: noPrograms, userEntered };

  assert.deepEqual((await createCredentialSource(options).lookup('registry.example.com', 'app')).credentials, [
    { kind: 'basic', username: 'me', password: 'me-pw' },
    { kind: 'basic', username: 'docker', password: 'docker-pw' },
  ]);
  assert.deepEqual((await createCredentialSource({ ...options, kubeletNodeFiles: true }).lookup('registry.example.com', 'app')).credentials, [
    { kind: 'basic', username: 'me', password: 'me-pw' },
    { kind: 'basic', username: 'docker', password: 'docker-pw' },
    { kind: 'basic', username: 'node', password: 'node-pw' },
  ]);
  // The kubelet locations can be moved; its $HOME defaults to ours, so ~/.docker is read once more
  // with the kubelet's matching, and the repeat is dropped.
  const moved = await createCredentialSource({ env: { HOME: '/home/u' }, files, runProgram: noPrograms, kubeletNodeFiles: { rootDir: '/elsewhere' } }).lookup(
    'registry.example.com',
    'app',
  );
  assert.deepEqual(moved, { credentials: [{ kind: 'basic', username: 'docker', password: 'docker-pw' }], warnings: [] });
});

test('HOME comes from the environment unless homeDir is given', async () => {
  const files = memoryFiles({
    '/env-home/.docker/config.json': JSON.stringify({ auths: { 'registry.example.com': { username: 'env', password: 'e' } } }),
    '/given-home/.docker/config.json': JSON.stringify({ auths: { 'registry.example.com': { username: 'given', password: 'g' } } }),
  });
  const fromEnv = await createCredentialSource({ env: { HOME: '/env-home' }, files, runProgram: noPrograms }).lookup('registry.example.com', 'app');
  assert.deepEqual(fromEnv.credentials, [{ kind: 'basic', username: 'env', password: 'e' }]);
  const given = await createCredentialSource({ env: { HOME: '/env-home' }, homeDir: '/given-home', files, runProgram: noPrograms }).lookup('registry.example.com', 'app');
  assert.deepEqual(given.credentials, [{ kind: 'basic', username: 'given', password: 'g' }]);
});

/** A temporary folder, removed after the test. */
function temporaryFolder(t: TestContext): string {
  const folder = mkdtempSync(join(tmpdir(), 'kube-images-credentials-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

const runningAsRoot = process.getuid?.() === 0;
const nobody = { uid: 65534, gid: 65534 };

test('permission denied, for real: a non-root user is told why and what to do', { skip: !runningAsRoot && 'needs root to create files another user cannot read' }, (t) => {
  const secret = 'never-shown-0c9e1f';
  const root = temporaryFolder(t);
  chmodSync(root, 0o755);
  const home = join(root, 'home');
  const kubeletRoot = join(root, 'kubelet-root');
  const working = join(root, 'working');
  const kubeletHome = join(root, 'kubelet-home');
  for (const folder of [join(home, '.docker'), kubeletRoot, working, join(kubeletHome, '.docker')]) mkdirSync(folder, { recursive: true, mode: 0o755 });
  const config = (user: string) => JSON.stringify({ auths: { 'registry.example.com': { auth: base64(`${user}:${secret}`) } } });
  // ~/.docker/config.json as `sudo docker login` leaves it: root's, unreadable to the user.
  writeFileSync(join(home, '.docker', 'config.json'), config('docker'), { mode: 0o000 });
  chmodSync(join(home, '.docker', 'config.json'), 0o000);
  // The kubelet root dir is root's and closed, as on a node.
  writeFileSync(join(kubeletRoot, 'config.json'), config('kubelet-root'));
  chmodSync(kubeletRoot, 0o700);
  writeFileSync(join(working, 'config.json'), config('working'));
  chmodSync(join(working, 'config.json'), 0o600);
  writeFileSync(join(kubeletHome, '.docker', 'config.json'), JSON.stringify({ auths: { 'registry.example.com': { username: 'readable', password: 'readable-pw' } } }));
  chmodSync(join(kubeletHome, '.docker', 'config.json'), 0o644);

  const modulePath = join(__dirname, '..', '..', 'server', 'src', 'registry', 'credentials', 'credentialStore.js');
  const script = `
    const { createCredentialSource } = require(${JSON.stringify(modulePath)});
    const options = JSON.parse(process.argv[1]);
    createCredentialSource(options).lookup('registry.example.com', 'team/app')
      .then((result) => process.stdout.write(JSON.stringify(result)));`;
  const options = { env: { HOME: home, PATH: process.env['PATH'] }, kubeletNodeFiles: { rootDir: kubeletRoot, workingDir: working, homeDir: kubeletHome } };
  const child = spawnSync(process.execPath, ['-e', script, JSON.stringify(options)], { ...nobody, cwd: root, encoding: 'utf8' });
  assert.equal(child.stderr, '');
  assert.equal(child.status, 0);
  assert.deepEqual(JSON.parse(child.stdout), {
    credentials: [{ kind: 'basic', username: 'readable', password: 'readable-pw' }],
    warnings: [
      `cannot read ${home}/.docker/config.json: permission denied — it is readable by root only (mode 0000); if \`sudo docker login\` created it, give it back to your user: sudo chown "$USER" ${home}/.docker/config.json`,
      `cannot read ${kubeletRoot}/config.json: permission denied — a folder on its path cannot be searched by this user; run as root, or copy the credentials to ~/.docker/config.json`,
      `cannot read ${working}/config.json: permission denied — it is readable by root only (mode 0600); run as root, or copy the credentials to ~/.docker/config.json`,
    ],
  });
  assert.ok(!child.stdout.includes(secret) && !child.stdout.includes(base64(secret).slice(0, 12)));
});

test('no secret ever appears in a warning or an error', async () => {
  // Every secret is recognisable; each is planted where some failure is reported.
  const secrets = Array.from({ length: 11 }, (_unused, index) => `s3cr3t-${index}-${'x'.repeat(6)}`);
  const [malformedJson, malformedEnv, badBase64, wrongType, kubeletMalformed, kubeletBadAuth, helperGarbage, helperArray, helperNumber, goodFile, goodHelper] =
    secrets as [string, string, string, string, string, string, string, string, string, string, string];
  const helperOutputs: Record<string, ProgramOutcome> = {
    'garbage.example.com': { kind: 'exited', exitCode: 0, stdout: `Secret=${helperGarbage}`, stderr: `debug: ${helperGarbage}` },
    'array.example.com': { kind: 'exited', exitCode: 0, stdout: JSON.stringify([helperArray]), stderr: '' },
    'number.example.com': { kind: 'exited', exitCode: 0, stdout: JSON.stringify({ Username: helperNumber, Secret: 5 }), stderr: '' },
    'good.example.com': { kind: 'exited', exitCode: 0, stdout: JSON.stringify({ Username: 'u', Secret: goodHelper }), stderr: '' },
  };
  const runProgram: RunProgram = async (_program, _args, { input }) => helperOutputs[input] ?? { kind: 'exited', exitCode: 1, stdout: 'credentials not found in native keychain', stderr: '' };
  const files = memoryFiles({
    '/home/u/.docker/config.json': `{"credsStore": "test", "auths": {
      "malformed.example.com": {"password": "${malformedJson}" oops},
    }}`,
    '/ci/config.json': JSON.stringify({
      credsStore: 'test',
      auths: {
        'badbase64.example.com': { auth: `${malformedJson.slice(0, 3)}!${badBase64}` },
        'wrongtype.example.com': { username: [wrongType] },
        'file.example.com': { username: 'u', password: goodFile },
      },
    }),
    '/var/lib/kubelet/config.json': `{"auths": {"k.example.com": {"auth": "${kubeletMalformed}`,
    '/config.json': JSON.stringify({ auths: { 'k.example.com': { auth: `${base64(kubeletBadAuth)}!` } } }),
    '/root/.docker/config.json': { code: 'EACCES' },
  });
  const outputs: string[] = [];
  const credentials: RegistryCredential[] = [];
  const registries = ['malformed.example.com', 'badbase64.example.com', 'garbage.example.com', 'array.example.com', 'number.example.com', 'good.example.com', 'file.example.com', 'k.example.com'];
  for (const env of [{ HOME: '/home/u', DOCKER_AUTH_CONFIG: `{"auths": {"x": {"auth": "${malformedEnv}" ` }, { HOME: '/home/u', DOCKER_CONFIG: '/ci' }]) {
    const source = createCredentialSource({
      env,
      files,
      runProgram,
      kubeletNodeFiles: { homeDir: '/root' },
      userEntered: { lookup: async () => Promise.reject(new Error('the client is not connected')) },
    });
    for (const registry of registries) {
      const result = await source.lookup(registry, 'app');
      outputs.push(...result.warnings);
      credentials.push(...result.credentials);
    }
    const aborted = await source.lookup('good.example.com', 'app', AbortSignal.abort()).catch((error: unknown) => error);
    outputs.push(String(aborted), aborted instanceof Error ? (aborted.stack ?? '') : '');
  }
  // The failures were reported...
  assert.ok(outputs.length >= 12, outputs.join('\n'));
  // ...and the lookup did hand out the secrets that are meant to be used.
  assert.deepEqual(
    credentials.filter((credential) => credential.kind === 'basic').map((credential) => (credential.kind === 'basic' ? credential.password : '')),
    [goodHelper, goodFile],
  );
  for (const secret of secrets) {
    for (const form of [secret, base64(secret).slice(0, 16)]) {
      const leak = outputs.find((output) => output.includes(form));
      assert.equal(leak, undefined, `${JSON.stringify(form)} appears in: ${leak}`);
    }
  }
});
