// The kubelet's node keyring: which entries of a node credentials file match an image, in which
// order, and which files the kubelet reads. Expected values are written from the upstream code
// and tests (kubernetes pkg/credentialprovider keyring.go, keyring_test.go, config.go) and Go's
// path/filepath.Match documentation, not computed.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { FileAccess } from '../../server/src/registry/credentials/credentialFiles';
import {
  goFilepathMatch,
  isDefaultRegistryMatch,
  keyringIndexKey,
  keyringUrlsMatch,
  kubeletCredentialFiles,
  KubeletNodeCredentialSource,
  lookupKeyring,
  parseKubeletCredentialFile,
} from '../../server/src/registry/credentials/kubeletKeyring';

describe('Go filepath.Match, which globs each host label', () => {
  const cases: [pattern: string, name: string, expected: boolean | undefined][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', '-', true],
    ['[\\-x]', 'a', false],
    ['[]a]', ']', undefined],
    ['[-]', '-', undefined],
    ['[x-]', 'x', undefined],
    ['[x-]', '-', undefined],
    ['[x-]', 'z', undefined],
    ['[-x]', 'x', undefined],
    ['[-x]', '-', undefined],
    ['[-x]', 'a', undefined],
    ['\\', 'a', undefined],
    ['[a-b-c]', 'a', undefined],
    ['[', 'a', undefined],
    ['[^', 'a', undefined],
    ['[^bc', 'a', undefined],
    ['a[', 'a', undefined],
    ['a[', 'ab', undefined],
    ['a[', 'x', undefined],
    ['a/b[', 'x', undefined],
    ['*x', 'xxx', true],
  ];
  for (const [pattern, name, expected] of cases) {
    test(`${JSON.stringify(pattern)} against ${JSON.stringify(name)} → ${expected === undefined ? 'bad pattern' : expected}`, () => {
      assert.equal(goFilepathMatch(pattern, name), expected);
    });
  }
});

describe('the key an entry is filed under', () => {
  const cases: [location: string, key: string | undefined][] = [
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['index.docker.io/v1/', 'index.docker.io'],
    ['https://index.docker.io/v1', 'index.docker.io/v1'],
    ['https://registry.example.com/v2/', 'registry.example.com'],
    ['https://registry.example.com/v2/team', 'registry.example.com/team'],
    ['http://registry.example.com:5000/', 'registry.example.com:5000'],
    ['registry.example.com:5000', 'registry.example.com:5000'],
    ['quay.io/coreos', 'quay.io/coreos'],
    ['quay.io/coreos/', 'quay.io/coreos/'],
    ['https://user@registry.example.com', 'registry.example.com'],
    ['*.example.com', '*.example.com'],
    ['[::1]:5000/v2/', '[::1]:5000'],
    ['REGISTRY.example.com', 'REGISTRY.example.com'],
    ['https://registry.example.com:443', 'registry.example.com:443'],
    ['registry.example.com/a%2Fb', 'registry.example.com/a/b'],
    ['registry.example.com:http', undefined],
    ['registry example.com', undefined],
    ['registry.example.com/%zz', undefined],
    ['[::1', undefined],
  ];
  for (const [location, key] of cases) {
    test(`${JSON.stringify(location)} → ${JSON.stringify(key)}`, () => assert.equal(keyringIndexKey(location), key));
  }
});

describe('URLsMatchStr: ports, label counts, globs, path prefixes', () => {
  // The first fifteen rows are kubernetes' TestUrlsMatch.
  const cases: [glob: string, target: string, expected: boolean][] = [
    ['*.kubernetes.io', 'prefix.kubernetes.io', true],
    ['prefix.*.io', 'prefix.kubernetes.io', true],
    ['prefix.kubernetes.*', 'prefix.kubernetes.io', true],
    ['*-good.kubernetes.io', 'prefix-good.kubernetes.io', true],
    ['*.kubernetes.io/blah', 'prefix.kubernetes.io/blah', true],
    ['prefix.*.io/foo', 'prefix.kubernetes.io/foo/bar', true],
    ['*.kubernetes.io:1111/blah', 'prefix.kubernetes.io:1111/blah', true],
    ['prefix.*.io:1111/foo', 'prefix.kubernetes.io:1111/foo/bar', true],
    ['*.kubernetes.io', 'kubernetes.io', false],
    ['*.*.kubernetes.io', 'prefix.kubernetes.io', false],
    ['*.*.kubernetes.io', 'kubernetes.io', false],
    ['kubernetes.io', 'kubernetes.com', false],
    ['k*.io', 'quay.io', false],
    ['*.kubernetes.io:1234/blah', 'prefix.kubernetes.io:1111/blah', false],
    ['prefix.*.io/foo', 'prefix.kubernetes.io:1111/foo/bar', false],
    ['*.example.com', 'a.b.example.com', false],
    ['registry.example.com', 'registry.example.com:443/app', false],
    ['registry.example.com:5000', 'registry.example.com/app', false],
    ['quay.io/coreos', 'quay.io/coreosx/etcd', true],
    ['quay.io/coreos/', 'quay.io/coreosx/etcd', false],
    ['Registry.example.com', 'registry.example.com/app', false],
    ['[::1]:5000', '[::1]:5000/app', true],
    ['[::1]:5000', '[::1]:5001/app', false],
    ['reg[0-9].example.com', 'reg7.example.com/app', true],
    ['reg[0-9].example.com', 'regx.example.com/app', false],
    ['reg[.example.com', 'reg[.example.com/app', false],
    ['localhost', 'localhost/app', true],
    ['localhost:5000', 'localhost:5000/app', true],
  ];
  for (const [glob, target, expected] of cases) {
    test(`${glob} ${expected ? 'matches' : 'does not match'} ${target}`, () => assert.equal(keyringUrlsMatch(glob, target), expected));
  }
});

describe('isDefaultRegistryMatch (kubernetes TestIsDefaultRegistryMatch)', () => {
  const cases: [image: string, expected: boolean][] = [
    ['foo/bar', true],
    ['docker.io/foo/bar', true],
    ['index.docker.io/foo/bar', true],
    ['foo', true],
    ['', false],
    ['registry.tld/foo/bar', false],
    ['registry:5000/foo/bar', false],
    ['myhostdocker.io/foo/bar', false],
  ];
  for (const [image, expected] of cases) {
    test(`${JSON.stringify(image)} → ${expected}`, () => assert.equal(isDefaultRegistryMatch(image), expected));
  }
});

describe('keyring lookup', () => {
  // Each credential is named after the entry it comes from, so a result shows where it came from.
  const entries = (...keys: string[]) => keys.map((key, index) => ({ key, credential: `${index}:${key}` }));
  const cases: { name: string; keys: string[]; image: string; expected: string[] }[] = [
    {
      name: 'longest path first, every match returned',
      keys: ['quay.io', 'quay.io/coreos', 'quay.io/coreos/etcd', 'gcr.io'],
      image: 'quay.io/coreos/etcd',
      expected: ['2:quay.io/coreos/etcd', '1:quay.io/coreos', '0:quay.io'],
    },
    {
      name: 'reverse byte order, not length: a glob sorts after letters',
      keys: ['*.example.com', 'registry.example.com'],
      image: 'registry.example.com/app',
      expected: ['1:registry.example.com', '0:*.example.com'],
    },
    {
      name: 'keys with a scheme or /v2/ land on the same key and keep file order',
      keys: ['https://registry.example.com/v2/', 'registry.example.com', 'http://registry.example.com'],
      image: 'registry.example.com/app',
      expected: ['0:https://registry.example.com/v2/', '1:registry.example.com', '2:http://registry.example.com'],
    },
    {
      name: 'Docker Hub: the index.docker.io entry is the fallback for docker.io images',
      keys: ['https://index.docker.io/v1/'],
      image: 'docker.io/library/nginx',
      expected: ['0:https://index.docker.io/v1/'],
    },
    {
      name: 'Docker Hub: a docker.io entry matches directly, so the fallback is not used',
      keys: ['https://index.docker.io/v1/', 'docker.io'],
      image: 'docker.io/library/nginx',
      expected: ['1:docker.io'],
    },
    {
      name: 'Docker Hub fallback only for Docker Hub images',
      keys: ['https://index.docker.io/v1/'],
      image: 'world.mesos.org/foo/bar',
      expected: [],
    },
    {
      name: 'kubernetes TestKeyringHitWithQualifiedDockerHub',
      keys: ['https://index.docker.io/v1/'],
      image: 'index.docker.io/v1//google/docker-registry',
      expected: ['0:https://index.docker.io/v1/'],
    },
    {
      name: 'ports must be equal',
      keys: ['registry.example.com:5000', 'registry.example.com'],
      image: 'registry.example.com:5000/app',
      expected: ['0:registry.example.com:5000'],
    },
    {
      name: 'a key the kubelet cannot parse is skipped',
      keys: ['registry.example.com:http', 'registry.example.com'],
      image: 'registry.example.com/app',
      expected: ['1:registry.example.com'],
    },
    {
      name: 'a bad glob is no match',
      keys: ['reg[.example.com'],
      image: 'reg[.example.com/app',
      expected: [],
    },
    { name: 'no entries', keys: [], image: 'docker.io/library/nginx', expected: [] },
  ];
  for (const { name, keys, image, expected } of cases) {
    test(name, () => assert.deepEqual(lookupKeyring(entries(...keys), image), expected));
  }

  // kubernetes TestDockerKeyringForGlob and TestKeyringMiss, looked up as `<target>/foo/bar`.
  const globHits: [key: string, target: string][] = [
    ['https://hello.kubernetes.io', 'hello.kubernetes.io'],
    ['https://*.docker.io', 'prefix.docker.io'],
    ['https://prefix.*.io', 'prefix.docker.io'],
    ['https://prefix.docker.*', 'prefix.docker.io'],
    ['https://*.docker.io/path', 'prefix.docker.io/path'],
    ['https://prefix.*.io/path', 'prefix.docker.io/path/subpath'],
    ['https://prefix.docker.*/path', 'prefix.docker.io/path'],
    ['https://*.docker.io:8888', 'prefix.docker.io:8888'],
    ['https://prefix.*.io:8888', 'prefix.docker.io:8888'],
    ['https://prefix.docker.*:8888', 'prefix.docker.io:8888'],
    ['https://*.docker.io/path:1111', 'prefix.docker.io/path:1111'],
    ['https://*.docker.io/v1/', 'prefix.docker.io/path:1111'],
    ['https://*.docker.io/v2/', 'prefix.docker.io/path:1111'],
    ['https://prefix.docker.*/path:1111', 'prefix.docker.io/path:1111'],
    ['prefix.docker.io:1111', 'prefix.docker.io:1111/path'],
    ['*.docker.io:1111', 'prefix.docker.io:1111/path'],
  ];
  for (const [key, target] of globHits) {
    test(`glob hit: ${key} for ${target}`, () => assert.deepEqual(lookupKeyring(entries(key), `${target}/foo/bar`), [`0:${key}`]));
  }
  const globMisses: [key: string, target: string][] = [
    ['https://hello.kubernetes.io', 'world.mesos.org/foo/bar'],
    ['https://*.docker.com', 'prefix.docker.io'],
    ['https://suffix.*.io', 'prefix.docker.io'],
    ['https://prefix.docker.c*', 'prefix.docker.io'],
    ['https://prefix.*.io/path:1111', 'prefix.docker.io/path/subpath:1111'],
    ['suffix.*.io', 'prefix.docker.io'],
  ];
  for (const [key, target] of globMisses) {
    test(`glob miss: ${key} for ${target}`, () => assert.deepEqual(lookupKeyring(entries(key), `${target}/foo/bar`), []));
  }
});

test('the node files the kubelet reads, in its order', () => {
  assert.deepEqual(kubeletCredentialFiles({ rootDir: '/var/lib/kubelet', workingDir: '/srv', homeDir: '/root' }), [
    { path: '/var/lib/kubelet/config.json', format: 'config.json' },
    { path: '/srv/config.json', format: 'config.json' },
    { path: '/root/.docker/config.json', format: 'config.json' },
    { path: '/.docker/config.json', format: 'config.json' },
    { path: '/var/lib/kubelet/.dockercfg', format: '.dockercfg' },
    { path: '/srv/.dockercfg', format: '.dockercfg' },
    { path: '/root/.dockercfg', format: '.dockercfg' },
    { path: '/.dockercfg', format: '.dockercfg' },
  ]);
  // systemd starts the kubelet in `/`, so the working directory repeats `/` for .dockercfg.
  assert.deepEqual(
    kubeletCredentialFiles({ rootDir: '/var/lib/kubelet', workingDir: '/', homeDir: '/root' }).map(({ path }) => path),
    ['/var/lib/kubelet/config.json', '/config.json', '/root/.docker/config.json', '/.docker/config.json', '/var/lib/kubelet/.dockercfg', '/.dockercfg', '/root/.dockercfg'],
  );
});

describe('node credential files as the kubelet parses them', () => {
  const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
  const cases: { name: string; text: string; format: 'config.json' | '.dockercfg'; expected: unknown }[] = [
    {
      name: 'config.json auths with auth, username/password, and auth winning over both',
      format: 'config.json',
      text: JSON.stringify({
        auths: {
          'a.example.com': { auth: basic('alice', 'pw:with:colons') },
          'b.example.com': { username: 'bob', password: 'bpw' },
          'c.example.com': { username: 'ignored', password: 'ignored', auth: basic('carol', 'cpw') },
        },
      }),
      expected: {
        ok: true,
        entries: [
          { key: 'a.example.com', credential: { username: 'alice', password: 'pw:with:colons' } },
          { key: 'b.example.com', credential: { username: 'bob', password: 'bpw' } },
          { key: 'c.example.com', credential: { username: 'carol', password: 'cpw' } },
        ],
      },
    },
    {
      name: 'field names match ignoring case, as Go decodes them; tokens are not read',
      format: 'config.json',
      text: JSON.stringify({ Auths: { 'a.example.com': { Username: 'u', PASSWORD: 'p', identitytoken: 'not-read' } } }),
      expected: { ok: true, entries: [{ key: 'a.example.com', credential: { username: 'u', password: 'p' } }] },
    },
    {
      name: '.dockercfg is the map itself',
      format: '.dockercfg',
      text: JSON.stringify({ 'https://index.docker.io/v1/': { auth: basic('hub', 'hpw'), email: 'a@b.c' } }),
      expected: { ok: true, entries: [{ key: 'https://index.docker.io/v1/', credential: { username: 'hub', password: 'hpw' } }] },
    },
    {
      name: 'unpadded base64 and an empty username are fine for the kubelet',
      format: 'config.json',
      text: JSON.stringify({ auths: { 'a.example.com': { auth: basic('', 'only-password').replace(/=+$/, '') } } }),
      expected: { ok: true, entries: [{ key: 'a.example.com', credential: { username: '', password: 'only-password' } }] },
    },
    {
      name: 'a null document and null auths are empty, not errors',
      format: 'config.json',
      text: '{"auths": null}',
      expected: { ok: true, entries: [] },
    },
    {
      name: 'one bad auth field makes the whole file invalid',
      format: 'config.json',
      text: JSON.stringify({ auths: { 'good.example.com': { auth: basic('u', 'p') }, 'bad.example.com': { auth: '!!!' } } }),
      expected: { ok: false, problem: 'entry "bad.example.com": "auth" is not valid base64' },
    },
    {
      name: 'auth without a colon',
      format: 'config.json',
      text: JSON.stringify({ auths: { 'a.example.com': { auth: Buffer.from('nocolon').toString('base64') } } }),
      expected: { ok: false, problem: 'entry "a.example.com": "auth" does not decode to username:password' },
    },
    {
      name: 'a field of the wrong type',
      format: 'config.json',
      text: JSON.stringify({ auths: { 'a.example.com': { username: 42 } } }),
      expected: { ok: false, problem: 'entry "a.example.com": "username" is not a string' },
    },
    { name: 'auths not an object', format: 'config.json', text: '{"auths": []}', expected: { ok: false, problem: '"auths" is not a JSON object' } },
    { name: 'not an object', format: '.dockercfg', text: '[]', expected: { ok: false, problem: 'it is not a JSON object' } },
    { name: 'invalid JSON', format: 'config.json', text: '{\n  "auths": {,}\n}', expected: { ok: false, problem: 'invalid JSON', line: 2, column: 13 } },
  ];
  for (const { name, text, format, expected } of cases) {
    test(name, () => assert.deepEqual(parseKubeletCredentialFile(text, format), expected));
  }
});

describe('the node credential source', () => {
  const locations = { rootDir: '/var/lib/kubelet', workingDir: '/', homeDir: '/root' };
  const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });
  function memoryFiles(files: Record<string, string | { code: string; uid?: number; mode?: number }>): FileAccess {
    const lookup = (path: string) => {
      const file = files[path];
      if (file === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return file;
    };
    return {
      readFile: async (path) => {
        const file = lookup(path);
        if (typeof file !== 'string') throw Object.assign(new Error(`${file.code}: ${path}`), { code: file.code });
        return file;
      },
      stat: async (path) => {
        const file = lookup(path);
        return typeof file === 'string' ? { uid: 0, mode: 0o644 } : { uid: file.uid ?? 0, mode: file.mode ?? 0o600 };
      },
    };
  }

  test('the first file that reads and parses wins; unreadable and invalid ones warn and are skipped', async () => {
    const source = new KubeletNodeCredentialSource({
      ...locations,
      files: memoryFiles({
        '/var/lib/kubelet/config.json': { code: 'EACCES', uid: 0, mode: 0o600 },
        '/config.json': '{"auths": {"registry.example.com": {"auth": "!!"}}}',
        '/root/.docker/config.json': JSON.stringify({ auths: { 'registry.example.com': auth('node', 'node-pw'), 'bad key:x': auth('a', 'b') } }),
        '/.docker/config.json': JSON.stringify({ auths: { 'registry.example.com': auth('never', 'read') } }),
      }),
    });
    assert.deepEqual(await source.lookup('registry.example.com', 'team/app'), {
      credentials: [{ kind: 'basic', username: 'node', password: 'node-pw' }],
      warnings: [
        'cannot read /var/lib/kubelet/config.json: permission denied — it is readable by root only (mode 0600); run as root, or copy the credentials to ~/.docker/config.json',
        'ignoring /config.json: entry "registry.example.com": "auth" is not valid base64; the kubelet skips it too',
        'ignoring entry "bad key:x" in /root/.docker/config.json: the kubelet cannot read it as a registry address',
      ],
    });
  });

  test('.dockercfg is read only when no config.json is valid', async () => {
    const source = new KubeletNodeCredentialSource({
      ...locations,
      files: memoryFiles({
        '/var/lib/kubelet/config.json': '{"auths": {"registry.example.com": {"auth": "',
        '/root/.dockercfg': JSON.stringify({ 'https://index.docker.io/v1/': auth('hub', 'hub-pw') }),
      }),
    });
    assert.deepEqual(await source.lookup('docker.io', 'library/nginx'), {
      credentials: [{ kind: 'basic', username: 'hub', password: 'hub-pw' }],
      warnings: ['ignoring /var/lib/kubelet/config.json: invalid JSON at line 1, column 46; the kubelet skips it too'],
    });
  });

  test('an empty docker.io entry matches first and shadows the index.docker.io fallback, as in the kubelet', async () => {
    const source = new KubeletNodeCredentialSource({
      ...locations,
      files: memoryFiles({ '/var/lib/kubelet/config.json': JSON.stringify({ auths: { 'https://index.docker.io/v1/': auth('hub', 'hub-pw'), 'docker.io': {} } }) }),
    });
    assert.deepEqual(await source.lookup('docker.io', 'library/nginx'), { credentials: [], warnings: [] });
  });

  test('a locked kubelet root dir is reported once, though two of the files are in it', async () => {
    const files = memoryFiles({});
    const source = new KubeletNodeCredentialSource({
      ...locations,
      files: {
        readFile: async (path) =>
          path.startsWith('/var/lib/kubelet/') ? Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) : files.readFile(path),
        stat: async (path) =>
          path.startsWith('/var/lib/kubelet/') ? Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) : files.stat(path),
      },
    });
    assert.deepEqual(await source.lookup('registry.example.com', 'app'), {
      credentials: [],
      warnings: [
        'cannot read /var/lib/kubelet/config.json: permission denied — a folder on its path cannot be searched by this user; run as root, or copy the credentials to ~/.docker/config.json',
      ],
    });
  });

  test('no files at all is no credentials and no warnings', async () => {
    const source = new KubeletNodeCredentialSource({ ...locations, files: memoryFiles({}) });
    assert.deepEqual(await source.lookup('registry.example.com', 'app'), { credentials: [], warnings: [] });
  });
});
