// The docker credential helper protocol against a real helper executable
// (test/fixtures/credential-helper/docker-credential-kubeimagestest) put on a temporary PATH:
// what it is given, how each of its answers is read, and that a slow or abandoned helper is
// stopped and leaves no process behind.
import { describe, test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CredentialHelperClient, runProgram } from '../../server/src/registry/credentials/credentialHelper';
import { createCredentialSource } from '../../server/src/registry/credentials/credentialStore';
import { waitUntil } from '../support/system';

const fixture = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'credential-helper', 'docker-credential-kubeimagestest');
const USERNAME = 'helper-user';
const SECRET = 'helper-secret-5d1c7a';

interface HelperWorld {
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  /** The runs the helper logged: pid, arguments, server URL. */
  runs(): { pid: number; args: string; serverUrl: string }[];
}

/** A temporary PATH folder holding the test helper, and a log of its runs; all removed after. */
function helperWorld(t: TestContext): HelperWorld {
  const root = mkdtempSync(join(tmpdir(), 'kube-images-helpers-'));
  const bin = join(root, 'bin');
  const home = join(root, 'home');
  const log = join(root, 'runs.log');
  mkdirSync(bin);
  mkdirSync(join(home, '.docker'), { recursive: true });
  copyFileSync(fixture, join(bin, 'docker-credential-kubeimagestest'));
  chmodSync(join(bin, 'docker-credential-kubeimagestest'), 0o755);
  // A helper that is present but not executable.
  copyFileSync(fixture, join(bin, 'docker-credential-noexec'));
  chmodSync(join(bin, 'docker-credential-noexec'), 0o644);
  writeFileSync(log, '');
  const runs = (): { pid: number; args: string; serverUrl: string }[] =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [pid, args, serverUrl] = line.split(' ');
        return { pid: Number(pid), args: args!, serverUrl: serverUrl! };
      });
  t.after(() => {
    // Never leave a helper behind, even when an assertion failed before it was stopped.
    for (const { pid } of runs()) {
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(root, { recursive: true, force: true });
  });
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}`,
    HOME: home,
    KUBEIMAGESTEST_USERNAME: USERNAME,
    KUBEIMAGESTEST_SECRET: SECRET,
    KUBEIMAGESTEST_LOG: log,
  };
  return { env, home, runs };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a real credential helper on PATH', () => {
  test('it is run as `docker-credential-<name> get` with the server URL on stdin, no shell', async (t) => {
    const world = helperWorld(t);
    const outcome = await runProgram('docker-credential-kubeimagestest', ['get'], {
      input: 'basic.example.com',
      env: world.env,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
    });
    assert.deepEqual(outcome, {
      kind: 'exited',
      exitCode: 0,
      stdout: `{"ServerURL":"basic.example.com","Username":"${USERNAME}","Secret":"${SECRET}"}\n`,
      stderr: '',
    });
    assert.deepEqual(
      world.runs().map(({ args, serverUrl }) => [args, serverUrl]),
      [['get', 'basic.example.com']],
    );
  });

  test('each answer, read as docker reads it', async (t) => {
    const world = helperWorld(t);
    const client = new CredentialHelperClient({ env: world.env });
    const cases: [helper: string, serverUrl: string, expected: unknown][] = [
      ['kubeimagestest', 'basic.example.com', { kind: 'found', credential: { kind: 'basic', username: USERNAME, password: SECRET } }],
      ['kubeimagestest', 'token.example.com', { kind: 'found', credential: { kind: 'identityToken', token: SECRET } }],
      ['kubeimagestest', 'missing.example.com', { kind: 'notFound' }],
      ['kubeimagestest', 'locked.example.com', { kind: 'failed', reason: 'failed with exit code 3: the keychain is locked' }],
      ['kubeimagestest', 'garbage.example.com', { kind: 'failed', reason: 'answered with something other than JSON' }],
      ['kubeimagestest', 'signal.example.com', { kind: 'failed', reason: 'was killed by SIGSEGV' }],
      ['absent', 'basic.example.com', { kind: 'failed', reason: 'is not on PATH (install it, or remove it from the docker config file)' }],
      ['noexec', 'basic.example.com', { kind: 'failed', reason: 'cannot be run: permission denied' }],
    ];
    for (const [helper, serverUrl, expected] of cases) {
      assert.deepEqual(await client.get(helper, serverUrl), expected, `${helper} ${serverUrl}`);
    }
  });

  test('a helper that does not answer is stopped at the timeout and leaves no process', async (t) => {
    const world = helperWorld(t);
    const client = new CredentialHelperClient({ env: world.env, timeoutMs: 300 });
    const started = Date.now();
    assert.deepEqual(await client.get('kubeimagestest', 'slow.example.com'), { kind: 'failed', reason: 'did not answer within 300 ms and was stopped' });
    assert.ok(Date.now() - started < 5_000, 'the timeout bounds the wait');
    const [run] = world.runs();
    assert.equal(run?.serverUrl, 'slow.example.com');
    assert.equal(isRunning(run.pid), false);
  });

  test('an abandoned lookup stops the helper at once', async (t) => {
    const world = helperWorld(t);
    const client = new CredentialHelperClient({ env: world.env });
    const controller = new AbortController();
    const answer = client.get('kubeimagestest', 'slow.example.com', controller.signal);
    const run = await waitUntil('the helper to start', () => world.runs()[0]);
    assert.equal(isRunning(run.pid), true);
    controller.abort(new Error('the user cancelled'));
    await assert.rejects(answer, /the user cancelled/);
    await waitUntil('the helper to be gone', () => (isRunning(run.pid) ? undefined : true), { timeoutMs: 5_000 });
  });
});

describe('docker credentials through the real helper', () => {
  test('credsStore: Docker Hub is asked as https://index.docker.io/v1/, other registries by host', async (t) => {
    const world = helperWorld(t);
    writeFileSync(join(world.home, '.docker', 'config.json'), JSON.stringify({ credsStore: 'kubeimagestest' }));
    const source = createCredentialSource({ env: world.env });
    assert.deepEqual(await source.lookup('docker.io', 'library/nginx'), {
      credentials: [{ kind: 'basic', username: USERNAME, password: SECRET }],
      warnings: [],
    });
    assert.deepEqual(await source.lookup('token.example.com', 'team/app'), { credentials: [{ kind: 'identityToken', token: SECRET }], warnings: [] });
    assert.deepEqual(await source.lookup('missing.example.com', 'team/app'), { credentials: [], warnings: [] });
    assert.deepEqual(
      world.runs().map(({ serverUrl }) => serverUrl),
      ['https://index.docker.io/v1/', 'token.example.com', 'missing.example.com'],
    );
  });

  test('concurrent lookups for one registry share one helper run', async (t) => {
    const world = helperWorld(t);
    writeFileSync(join(world.home, '.docker', 'config.json'), JSON.stringify({ credsStore: 'kubeimagestest' }));
    const source = createCredentialSource({ env: world.env });
    const repositories = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const results = await Promise.all(repositories.map((repository) => source.lookup('basic.example.com', `team/${repository}`)));
    for (const result of results) assert.deepEqual(result, { credentials: [{ kind: 'basic', username: USERNAME, password: SECRET }], warnings: [] });
    assert.equal(world.runs().length, 1);
  });

  test('failures become warnings that name the helper and never show the secret; the file still answers', async (t) => {
    const world = helperWorld(t);
    const configPath = join(world.home, '.docker', 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        credHelpers: { 'garbage.example.com': 'kubeimagestest', 'locked.example.com': 'kubeimagestest' },
        credsStore: 'absent',
        auths: { 'garbage.example.com': { username: 'file-user', password: 'file-password' } },
      }),
    );
    const source = createCredentialSource({ env: world.env, helperTimeoutMs: 2_000 });
    const garbage = await source.lookup('garbage.example.com', 'app');
    assert.deepEqual(garbage, {
      credentials: [{ kind: 'basic', username: 'file-user', password: 'file-password' }],
      warnings: [
        `no credentials from docker-credential-kubeimagestest for garbage.example.com (credHelpers["garbage.example.com"] in ${configPath}): it answered with something other than JSON`,
        `no credentials from docker-credential-absent for garbage.example.com (credsStore in ${configPath}): it is not on PATH (install it, or remove it from the docker config file)`,
      ],
    });
    const locked = await source.lookup('locked.example.com', 'app');
    assert.deepEqual(locked.warnings, [
      `no credentials from docker-credential-kubeimagestest for locked.example.com (credHelpers["locked.example.com"] in ${configPath}): it failed with exit code 3: the keychain is locked`,
      `no credentials from docker-credential-absent for locked.example.com (credsStore in ${configPath}): it is not on PATH (install it, or remove it from the docker config file)`,
    ]);
    for (const warning of [...garbage.warnings, ...locked.warnings]) assert.ok(!warning.includes(SECRET), warning);
  });
});
