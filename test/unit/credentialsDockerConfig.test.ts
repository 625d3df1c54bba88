// Docker's credential lookup: the `auth` field, config.json parsing, key matching and the order
// of stores. Expected values are written from docker/cli (configfile/file.go,
// credentials/file_store.go, memory/store.go) and the kubelet's config.go, not computed.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { decodeDockerAuth, decodeKubeletAuth } from '../../server/src/registry/credentials/authField';
import type { FileAccess } from '../../server/src/registry/credentials/credentialFiles';
import { CredentialHelperClient, type ProgramOutcome, type RunProgram } from '../../server/src/registry/credentials/credentialHelper';
import {
  convertToHostname,
  credentialOfEntry,
  DockerConfigCredentialSource,
  dockerConfigDirectory,
  dockerServerAddress,
  findAuthEntry,
  helpersFor,
  parseDockerConfig,
  type DockerAuthEntry,
} from '../../server/src/registry/credentials/dockerConfig';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('the auth field: docker and the kubelet decode it differently', () => {
  const notBase64 = { ok: false, problem: '"auth" is not valid base64' };
  const noColon = { ok: false, problem: '"auth" does not decode to username:password' };
  const cases: { name: string; field: string; docker: unknown; kubelet: unknown }[] = [
    {
      name: 'user:password',
      field: base64('alice:secret'),
      docker: { ok: true, username: 'alice', password: 'secret' },
      kubelet: { ok: true, username: 'alice', password: 'secret' },
    },
    {
      name: 'a password containing colons is split at the first one',
      field: base64('alice:pa:ss:word'),
      docker: { ok: true, username: 'alice', password: 'pa:ss:word' },
      kubelet: { ok: true, username: 'alice', password: 'pa:ss:word' },
    },
    {
      name: 'an empty password',
      field: base64('alice:'),
      docker: { ok: true, username: 'alice', password: '' },
      kubelet: { ok: true, username: 'alice', password: '' },
    },
    {
      name: 'an empty username: docker refuses, the kubelet accepts',
      field: base64(':secret'),
      docker: { ok: false, problem: '"auth" has an empty username' },
      kubelet: { ok: true, username: '', password: 'secret' },
    },
    { name: 'no colon', field: base64('alice'), docker: noColon, kubelet: noColon },
    {
      name: 'the empty string: no credentials for docker, an error for the kubelet (whose callers skip it)',
      field: '',
      docker: { ok: true, username: '', password: '' },
      kubelet: noColon,
    },
    {
      name: 'unpadded base64: docker refuses, the kubelet accepts',
      field: base64('alice:secret1').replace(/=+$/, ''),
      docker: notBase64,
      kubelet: { ok: true, username: 'alice', password: 'secret1' },
    },
    {
      name: 'line breaks inside are skipped, as Go skips them',
      field: `${base64('alice:secret').slice(0, 4)}\r\n${base64('alice:secret').slice(4)}\n`,
      docker: { ok: true, username: 'alice', password: 'secret' },
      kubelet: { ok: true, username: 'alice', password: 'secret' },
    },
    { name: 'characters outside the alphabet', field: 'YWxp!2U6c2VjcmV0', docker: notBase64, kubelet: notBase64 },
    { name: 'URL-safe alphabet', field: base64('a:\u00fb\u00ff').replace(/\+/g, '-').replace(/\//g, '_'), docker: notBase64, kubelet: notBase64 },
    { name: 'padding in the middle', field: 'YQ==YWxpY2U6cw==', docker: notBase64, kubelet: notBase64 },
    { name: 'a lone trailing character', field: `${base64('alice:secret')}Y`, docker: notBase64, kubelet: notBase64 },
    { name: 'surrounding spaces', field: ` ${base64('alice:secret')} `, docker: notBase64, kubelet: notBase64 },
    {
      name: 'NUL characters around the password: docker trims them',
      field: base64('alice:\0secret\0\0'),
      docker: { ok: true, username: 'alice', password: 'secret' },
      kubelet: { ok: true, username: 'alice', password: '\0secret\0\0' },
    },
    {
      name: 'UTF-8 in the password',
      field: base64('jörg:pässwörd✓'),
      docker: { ok: true, username: 'jörg', password: 'pässwörd✓' },
      kubelet: { ok: true, username: 'jörg', password: 'pässwörd✓' },
    },
  ];
  for (const { name, field, docker, kubelet } of cases) {
    test(name, () => {
      assert.deepEqual(decodeDockerAuth(field), docker, 'docker');
      assert.deepEqual(decodeKubeletAuth(field), kubelet, 'kubelet');
    });
  }
});

const entry = (fields: Partial<DockerAuthEntry>): DockerAuthEntry => ({ username: '', password: '', identityToken: '', registryToken: '', ...fields });

describe('config.json parsing', () => {
  const origin = '/home/u/.docker/config.json';
  const cases: {
    name: string;
    text: string;
    auths?: [string, DockerAuthEntry][];
    rejected?: [string, string][];
    credHelpers?: [string, string][];
    credsStore?: string;
    warnings?: string[];
  }[] = [
    {
      name: 'every kind of entry',
      text: JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: base64('hub:hub-pw') },
          'ghcr.io': { username: 'gh', password: 'gh-pw' },
          'myregistry.azurecr.io': { auth: base64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh' },
          'registry.example.com': { registrytoken: 'bearer' },
          'placeholder.example.com': {},
        },
        credHelpers: { 'gcr.io': 'gcloud' },
        credsStore: 'desktop',
      }),
      auths: [
        ['https://index.docker.io/v1/', entry({ username: 'hub', password: 'hub-pw' })],
        ['ghcr.io', entry({ username: 'gh', password: 'gh-pw' })],
        ['myregistry.azurecr.io', entry({ username: '00000000-0000-0000-0000-000000000000', identityToken: 'refresh' })],
        ['registry.example.com', entry({ registryToken: 'bearer' })],
        ['placeholder.example.com', entry({})],
      ],
      credHelpers: [['gcr.io', 'gcloud']],
      credsStore: 'desktop',
    },
    {
      name: 'auth wins over username and password',
      text: JSON.stringify({ auths: { 'a.example.com': { username: 'ignored', password: 'ignored', auth: base64('real:pw') } } }),
      auths: [['a.example.com', entry({ username: 'real', password: 'pw' })]],
    },
    {
      name: 'an empty auth leaves username and password alone',
      text: JSON.stringify({ auths: { 'a.example.com': { username: 'u', password: 'p', auth: '' } } }),
      auths: [['a.example.com', entry({ username: 'u', password: 'p' })]],
    },
    {
      name: 'field names ignore case, as Go decodes them',
      text: JSON.stringify({ AUTHS: { 'a.example.com': { Auth: base64('u:p'), IdentityToken: 'it' } }, CredsStore: 'pass', credhelpers: { 'b.example.com': 'ecr-login' } }),
      auths: [['a.example.com', entry({ username: 'u', password: 'p', identityToken: 'it' })]],
      credHelpers: [['b.example.com', 'ecr-login']],
      credsStore: 'pass',
    },
    {
      name: 'a bad entry is set aside with the reason, the rest is kept',
      text: JSON.stringify({
        auths: {
          'bad64.example.com': { auth: 'not base64!' },
          'nocolon.example.com': { auth: base64('justone') },
          'type.example.com': { password: 7 },
          'array.example.com': [],
          'good.example.com': { auth: base64('u:p') },
          'null.example.com': null,
        },
        credHelpers: { 'c.example.com': 3, 'd.example.com': 'ok' },
        credsStore: false,
      }),
      auths: [
        ['good.example.com', entry({ username: 'u', password: 'p' })],
        ['null.example.com', entry({})],
      ],
      rejected: [
        ['bad64.example.com', '"auth" is not valid base64'],
        ['nocolon.example.com', '"auth" does not decode to username:password'],
        ['type.example.com', '"password" is not a string'],
        ['array.example.com', 'it is not a JSON object'],
      ],
      credHelpers: [['d.example.com', 'ok']],
      warnings: [
        `ignoring credHelpers["c.example.com"] in ${origin}: it is not a string`,
        `ignoring "credsStore" in ${origin}: it is not a string`,
      ],
    },
    { name: 'auths of the wrong type', text: '{"auths": "x"}', warnings: [`ignoring "auths" in ${origin}: it is not a JSON object`] },
    { name: 'not an object', text: '[1]', warnings: [`ignoring ${origin}: it is not a JSON object`] },
    { name: 'null is an empty config, as in Go', text: 'null' },
    { name: 'an empty object', text: '{}' },
    {
      name: 'invalid JSON: line and column, nothing quoted',
      text: '{\n  "auths": {\n    "a.example.com": {"auth": "c2VjcmV0" x}\n  }\n}',
      warnings: [`ignoring ${origin}: invalid JSON at line 3, column 42`],
    },
    { name: 'an empty file', text: '', warnings: [`ignoring ${origin}: invalid JSON at line 1, column 1`] },
    { name: 'a byte order mark, which Go refuses too', text: '\ufeff{}', warnings: [`ignoring ${origin}: invalid JSON at line 1, column 1`] },
  ];
  for (const { name, text, auths = [], rejected = [], credHelpers = [], credsStore = '', warnings = [] } of cases) {
    test(name, () => {
      const parsed = parseDockerConfig(text, origin);
      assert.deepEqual([...parsed.config.auths], auths);
      assert.deepEqual([...parsed.config.rejectedAuths], rejected);
      assert.deepEqual([...parsed.config.credHelpers], credHelpers);
      assert.equal(parsed.config.credsStore, credsStore);
      assert.deepEqual(parsed.warnings, warnings);
    });
  }
});

describe('ConvertToHostname (docker/cli file_store.go)', () => {
  const cases: [key: string, hostname: string][] = [
    ['registry.example.com', 'registry.example.com'],
    ['registry.example.com/v1/', 'registry.example.com'],
    ['registry.example.com:5000/v2/', 'registry.example.com:5000'],
    ['https://registry.example.com', 'registry.example.com'],
    ['https://registry.example.com/v2/', 'registry.example.com'],
    ['http://registry.example.com:5000/v2/', 'registry.example.com:5000'],
    ['https://registry.example.com:443', 'registry.example.com:443'],
    ['https://user:pw@registry.example.com', 'registry.example.com'],
    ['https://[::1]:5000/', '[::1]:5000'],
    ['https://[::1]/', '::1'],
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['HTTPS://Registry.Example.com/x', 'Registry.Example.com'],
    // Go's url.Parse refuses a port that is not a number; docker then cuts at the first slash.
    ['https://registry.example.com:abc/', 'https:'],
  ];
  for (const [key, hostname] of cases) {
    test(`${key} → ${hostname}`, () => assert.equal(convertToHostname(key), hostname));
  }
});

describe('which auths entry docker uses for a server', () => {
  const auths = (...keys: string[]) => new Map(keys.map((key, index) => [key, entry({ username: `user${index}` })]));
  const cases: { name: string; keys: string[]; registry: string; expected: string | undefined }[] = [
    { name: 'exact key', keys: ['https://registry.example.com', 'registry.example.com'], registry: 'registry.example.com', expected: 'user1' },
    { name: 'the first key that converts to the host', keys: ['https://registry.example.com/v2/', 'registry.example.com/v1/'], registry: 'registry.example.com', expected: 'user0' },
    { name: 'ports are part of the host', keys: ['https://registry.example.com/'], registry: 'registry.example.com:5000', expected: undefined },
    { name: 'with a port', keys: ['http://registry.example.com:5000/'], registry: 'registry.example.com:5000', expected: 'user0' },
    { name: 'Docker Hub uses its legacy URL key', keys: ['docker.io', 'https://index.docker.io/v1/'], registry: 'docker.io', expected: 'user1' },
    { name: 'Docker Hub ignores other spellings, as docker does', keys: ['docker.io', 'index.docker.io', 'https://index.docker.io/v2/'], registry: 'docker.io', expected: undefined },
    { name: 'host names are compared exactly', keys: ['Registry.Example.com'], registry: 'registry.example.com', expected: undefined },
  ];
  for (const { name, keys, registry, expected } of cases) {
    test(name, () => assert.equal(findAuthEntry(auths(...keys), dockerServerAddress(registry))?.username, expected));
  }
});

test('the credential an entry yields: registry token, else identity token, else username and password', () => {
  assert.deepEqual(credentialOfEntry(entry({ username: 'u', password: 'p', identityToken: 'i', registryToken: 'r' })), { kind: 'registryToken', token: 'r' });
  assert.deepEqual(credentialOfEntry(entry({ username: 'u', password: 'p', identityToken: 'i' })), { kind: 'identityToken', token: 'i' });
  assert.deepEqual(credentialOfEntry(entry({ username: 'u', password: 'p' })), { kind: 'basic', username: 'u', password: 'p' });
  assert.deepEqual(credentialOfEntry(entry({ username: 'u' })), { kind: 'basic', username: 'u', password: '' });
  assert.equal(credentialOfEntry(entry({})), undefined);
});

test('which helpers docker configures for a server', () => {
  const config = (credHelpers: [string, string][], credsStore: string) => ({ auths: new Map(), rejectedAuths: new Map(), credHelpers: new Map(credHelpers), credsStore });
  const origin = '/c.json';
  assert.deepEqual(helpersFor(config([['gcr.io', 'gcloud']], 'desktop'), 'gcr.io', origin), [
    { name: 'gcloud', configuredBy: 'credHelpers["gcr.io"] in /c.json' },
    { name: 'desktop', configuredBy: 'credsStore in /c.json' },
  ]);
  assert.deepEqual(helpersFor(config([['gcr.io', 'gcloud']], 'desktop'), 'ghcr.io', origin), [{ name: 'desktop', configuredBy: 'credsStore in /c.json' }]);
  assert.deepEqual(helpersFor(config([['gcr.io', 'desktop']], 'desktop'), 'gcr.io', origin), [{ name: 'desktop', configuredBy: 'credHelpers["gcr.io"] in /c.json' }]);
  // An empty helper for a server sends docker to the file, whatever credsStore says.
  assert.deepEqual(helpersFor(config([['gcr.io', '']], 'desktop'), 'gcr.io', origin), []);
  assert.deepEqual(helpersFor(config([], ''), 'gcr.io', origin), []);
  // Docker Hub's helpers are keyed by its legacy URL.
  assert.deepEqual(helpersFor(config([['https://index.docker.io/v1/', 'hub']], ''), dockerServerAddress('docker.io'), origin), [
    { name: 'hub', configuredBy: 'credHelpers["https://index.docker.io/v1/"] in /c.json' },
  ]);
});

test('the config folder: DOCKER_CONFIG, else ~/.docker', () => {
  assert.equal(dockerConfigDirectory({ DOCKER_CONFIG: '/etc/docker-ci' }, '/home/u'), '/etc/docker-ci');
  assert.equal(dockerConfigDirectory({ DOCKER_CONFIG: '' }, '/home/u'), '/home/u/.docker');
  assert.equal(dockerConfigDirectory({}, '/home/u'), '/home/u/.docker');
});

describe('the order of stores', () => {
  const home = '/home/u';
  const configPath = '/home/u/.docker/config.json';
  function memoryFiles(files: Record<string, string>): FileAccess {
    return {
      readFile: async (path) => {
        const text = files[path];
        if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
        return text;
      },
      stat: async () => ({ uid: 1000, mode: 0o600 }),
    };
  }
  /** Helpers answer from a table keyed by program name; every run is recorded. */
  function fakeHelpers(answers: Record<string, (serverUrl: string) => ProgramOutcome>) {
    const runs: string[] = [];
    const runProgram: RunProgram = async (program, args, options) => {
      runs.push(`${program} ${args.join(' ')} <${options.input}`);
      const answer = answers[program];
      return answer === undefined ? { kind: 'notFound' } : answer(options.input);
    };
    return { runs, runProgram };
  }
  const answer = (username: string, secret: string): ProgramOutcome => ({
    kind: 'exited',
    exitCode: 0,
    stdout: JSON.stringify({ ServerURL: 'ignored', Username: username, Secret: secret }),
    stderr: '',
  });
  const notFound: ProgramOutcome = { kind: 'exited', exitCode: 1, stdout: 'credentials not found in native keychain\n', stderr: '' };

  function source(env: Record<string, string>, files: Record<string, string>, helpers: ReturnType<typeof fakeHelpers>) {
    return new DockerConfigCredentialSource({
      env,
      homeDir: home,
      files: memoryFiles(files),
      helpers: new CredentialHelperClient({ runProgram: helpers.runProgram, env }),
    });
  }

  test('DOCKER_AUTH_CONFIG first, by exact key, without running helpers', async () => {
    const helpers = fakeHelpers({ 'docker-credential-desktop': () => answer('helper', 'helper-pw') });
    const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'registry.example.com': { auth: base64('env:env-pw') } } }) };
    const files = { [configPath]: JSON.stringify({ credsStore: 'desktop' }) };
    assert.deepEqual(await source(env, files, helpers).lookup('registry.example.com', 'app'), {
      credentials: [{ kind: 'basic', username: 'env', password: 'env-pw' }],
      warnings: [],
    });
    assert.deepEqual(helpers.runs, []);
  });

  test('DOCKER_AUTH_CONFIG matches exact keys only, then the helper answers', async () => {
    const helpers = fakeHelpers({ 'docker-credential-desktop': () => answer('helper', 'helper-pw') });
    const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'https://registry.example.com/v2/': { auth: base64('env:env-pw') } } }) };
    const files = { [configPath]: JSON.stringify({ credsStore: 'desktop' }) };
    assert.deepEqual(await source(env, files, helpers).lookup('registry.example.com', 'app'), {
      credentials: [{ kind: 'basic', username: 'helper', password: 'helper-pw' }],
      warnings: [],
    });
    assert.deepEqual(helpers.runs, ['docker-credential-desktop get <registry.example.com']);
  });

  test('credHelpers for the server, then credsStore, then the file', async () => {
    const files = {
      [configPath]: JSON.stringify({
        auths: { 'registry.example.com': { auth: base64('file:file-pw') } },
        credHelpers: { 'registry.example.com': 'specific' },
        credsStore: 'general',
      }),
    };
    const both = fakeHelpers({ 'docker-credential-specific': () => answer('specific', 's-pw'), 'docker-credential-general': () => answer('general', 'g-pw') });
    assert.deepEqual((await source({}, files, both).lookup('registry.example.com', 'app')).credentials, [{ kind: 'basic', username: 'specific', password: 's-pw' }]);
    assert.deepEqual(both.runs, ['docker-credential-specific get <registry.example.com']);

    const generalOnly = fakeHelpers({ 'docker-credential-specific': () => notFound, 'docker-credential-general': () => answer('<token>', 'identity') });
    assert.deepEqual(await source({}, files, generalOnly).lookup('registry.example.com', 'app'), {
      credentials: [{ kind: 'identityToken', token: 'identity' }],
      warnings: [],
    });
    assert.deepEqual(generalOnly.runs, ['docker-credential-specific get <registry.example.com', 'docker-credential-general get <registry.example.com']);

    const neither = fakeHelpers({ 'docker-credential-specific': () => notFound, 'docker-credential-general': () => notFound });
    assert.deepEqual(await source({}, files, neither).lookup('registry.example.com', 'app'), {
      credentials: [{ kind: 'basic', username: 'file', password: 'file-pw' }],
      warnings: [],
    });
  });

  test('a helper that fails is a warning naming it and where it is configured; the file still answers', async () => {
    const files = { [configPath]: JSON.stringify({ auths: { 'registry.example.com': { auth: base64('file:file-pw') } }, credsStore: 'desktop' }) };
    assert.deepEqual(await source({ PATH: '/usr/bin' }, files, fakeHelpers({})).lookup('registry.example.com', 'app'), {
      credentials: [{ kind: 'basic', username: 'file', password: 'file-pw' }],
      warnings: [
        `no credentials from docker-credential-desktop for registry.example.com (credsStore in ${configPath}): it is not on PATH (install it, or remove it from the docker config file)`,
      ],
    });
  });

  test('Docker Hub: helpers and the file are asked for https://index.docker.io/v1/', async () => {
    const helpers = fakeHelpers({ 'docker-credential-hub': () => notFound });
    const files = {
      [configPath]: JSON.stringify({
        auths: { 'https://index.docker.io/v1/': { auth: base64('hub:hub-pw') } },
        credHelpers: { 'https://index.docker.io/v1/': 'hub' },
      }),
    };
    assert.deepEqual((await source({}, files, helpers).lookup('docker.io', 'library/nginx')).credentials, [{ kind: 'basic', username: 'hub', password: 'hub-pw' }]);
    assert.deepEqual(helpers.runs, ['docker-credential-hub get <https://index.docker.io/v1/']);
  });

  test('DOCKER_CONFIG moves the file; invalid DOCKER_AUTH_CONFIG warns and is skipped', async () => {
    const env = { DOCKER_CONFIG: '/ci/docker', DOCKER_AUTH_CONFIG: '{"auths": {"registry.example.com": {"auth": "c2VjcmV0OnNlY3JldA=="}' };
    const files = {
      '/ci/docker/config.json': JSON.stringify({ auths: { 'registry.example.com': { username: 'ci', password: 'ci-pw' } } }),
      [configPath]: JSON.stringify({ auths: { 'registry.example.com': { username: 'home', password: 'home-pw' } } }),
    };
    assert.deepEqual(await source(env, files, fakeHelpers({})).lookup('registry.example.com', 'app'), {
      credentials: [{ kind: 'basic', username: 'ci', password: 'ci-pw' }],
      warnings: ['ignoring DOCKER_AUTH_CONFIG: invalid JSON at line 1, column 68'],
    });
  });

  test('an unusable entry is reported only to lookups that needed it', async () => {
    const files = {
      [configPath]: JSON.stringify({
        auths: {
          'https://broken.example.com/v2/': { auth: 'not base64' },
          'shadowed.example.com': { auth: 'not base64' },
          'https://shadowed.example.com': { username: 'u', password: 'p' },
        },
      }),
    };
    const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'broken.example.com': { auth: ':' }, 'https://other.example.com': { auth: ':' } } }) };
    const lookup = (registry: string) => source(env, files, fakeHelpers({})).lookup(registry, 'app');
    assert.deepEqual(await lookup('broken.example.com'), {
      credentials: [],
      warnings: [
        'ignoring auths["broken.example.com"] in DOCKER_AUTH_CONFIG: "auth" is not valid base64',
        `ignoring auths["https://broken.example.com/v2/"] in ${configPath}: "auth" is not valid base64`,
      ],
    });
    assert.deepEqual(await lookup('shadowed.example.com'), { credentials: [{ kind: 'basic', username: 'u', password: 'p' }], warnings: [] });
    assert.deepEqual(await lookup('unrelated.example.com'), { credentials: [], warnings: [] });
  });

  test('nothing configured: no credentials, no warnings', async () => {
    assert.deepEqual(await source({}, {}, fakeHelpers({})).lookup('registry.example.com', 'app'), { credentials: [], warnings: [] });
  });

  test('an aborted lookup rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(source({}, {}, fakeHelpers({})).lookup('registry.example.com', 'app', controller.signal), /stop/);
  });
});
