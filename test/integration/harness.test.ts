// Proves the real-component harness that the registry and runtime integration tests stand on:
// images built in memory carry digests derived from their bytes, a real registry serves them in
// every auth mode, the fault proxy injects what it is told, and a private containerd pulls,
// runs and restarts, then leaves nothing behind.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  buildDataImage,
  buildImage,
  buildSleeperImage,
  buildTwoPlatformIndex,
  manifestAcceptHeader,
  MediaType,
  sha256Digest,
  type BuiltArtifact,
} from '../support/ociImage';
import { startRegistry, type LoopbackRegistry, type RegistryAuthMode } from '../support/registry';
import { startContainerd } from '../support/containerd';
import { containerdRequirements, missingRequirements, registryRequirements, run } from '../support/system';

describe('in-memory images', () => {
  test('a ustar layer lists, with the system tar, exactly the entries written', async () => {
    const longPath = `${'deep/'.repeat(25)}file.txt`;
    const tar = buildImage({
      layers: [
        [
          { type: 'directory', path: 'etc' },
          { type: 'file', path: 'etc/motd', content: 'hello\n', mode: 0o600 },
          { type: 'symlink', path: 'etc/link', target: 'motd' },
          { type: 'file', path: longPath, content: 'x'.repeat(513) },
        ],
      ],
    }).layers[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'kube-images-tar-'));
    try {
      writeFileSync(join(dir, 'layer.tar.gz'), tar.bytes);
      const listing = await run('tar', ['-tvzf', join(dir, 'layer.tar.gz')]);
      const lines = listing.trim().split('\n');
      assert.equal(lines.length, 4);
      assert.match(lines[0]!, /^drwxr-xr-x root\/root +0 .* etc\/$/);
      assert.match(lines[1]!, /^-rw------- root\/root +6 .* etc\/motd$/);
      assert.match(lines[2]!, /^lrwxrwxrwx root\/root +0 .* etc\/link -> motd$/);
      assert.match(lines[3]!, new RegExp(`^-rw-r--r-- root/root +513 .* ${longPath}$`));
      await run('tar', ['-xzf', join(dir, 'layer.tar.gz'), '-C', dir]);
      assert.equal(await run('cat', [join(dir, 'etc', 'motd')]), 'hello\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every descriptor names the sha256 and size of the bytes it points to', () => {
    const index = buildTwoPlatformIndex('digest check');
    const indexJson = JSON.parse(index.manifest.bytes.toString('utf8'));
    assert.equal(index.manifest.digest, sha256Digest(index.manifest.bytes));
    assert.deepEqual(
      indexJson.manifests.map((entry: { platform: { architecture: string } }) => entry.platform.architecture),
      ['amd64', 'arm64'],
    );
    for (const [position, image] of index.images.entries()) {
      assert.equal(indexJson.manifests[position].digest, sha256Digest(image.manifest.bytes));
      assert.equal(indexJson.manifests[position].size, image.manifest.bytes.length);
      const manifestJson = JSON.parse(image.manifest.bytes.toString('utf8'));
      const configJson = JSON.parse(image.config.bytes.toString('utf8'));
      assert.equal(manifestJson.config.digest, sha256Digest(image.config.bytes));
      assert.equal(manifestJson.layers[0].digest, sha256Digest(image.layers[0]!.bytes));
      assert.deepEqual(configJson.rootfs.diff_ids, [sha256Digest(gunzipSync(image.layers[0]!.bytes))]);
      assert.equal(configJson.architecture, image.platform.architecture);
    }
    assert.notEqual(index.images[0]!.layers[0]!.digest, index.images[1]!.layers[0]!.digest);
  });

  test('the same input builds the same bytes, and another variant other bytes', () => {
    assert.equal(buildDataImage('same').manifest.digest, buildDataImage('same').manifest.digest);
    assert.notEqual(buildSleeperImage({ variant: 'a' }).manifest.digest, buildSleeperImage({ variant: 'b' }).manifest.digest);
  });
});

/** What a registry client needs to HEAD a manifest in each auth mode. */
async function authorizationFor(registry: LoopbackRegistry, repository: string): Promise<string | undefined> {
  const basic = `Basic ${Buffer.from(`${registry.credentials.username}:${registry.credentials.password}`).toString('base64')}`;
  if (registry.auth === 'basic') return basic;
  if (registry.auth === 'token') {
    const token = await requestToken(registry, `repository:${repository}:pull`, basic);
    return `Bearer ${token}`;
  }
  return undefined;
}

async function requestToken(registry: LoopbackRegistry, scope: string, authorization?: string): Promise<string> {
  const issuer = registry.tokenIssuer!;
  const url = new URL(issuer.realm);
  url.searchParams.set('service', issuer.service);
  url.searchParams.set('scope', scope);
  const response = await fetch(url, { headers: authorization ? { authorization } : {} });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as { token: string; access_token: string };
  assert.equal(body.token, body.access_token);
  return body.token;
}

function headManifest(baseUrl: string, repository: string, reference: string, authorization?: string): Promise<Response> {
  return fetch(`${baseUrl}/v2/${repository}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { accept: manifestAcceptHeader, ...(authorization ? { authorization } : {}) },
  });
}

const artifacts: readonly { name: string; build: () => BuiltArtifact; mediaType: string }[] = [
  { name: 'oci-image', build: () => buildDataImage('oci single'), mediaType: MediaType.ociManifest },
  { name: 'docker-image', build: () => buildDataImage('docker single', { format: 'docker' }), mediaType: MediaType.dockerManifest },
  { name: 'oci-index', build: () => buildTwoPlatformIndex('oci multi'), mediaType: MediaType.ociIndex },
  { name: 'docker-list', build: () => buildTwoPlatformIndex('docker multi', 'docker'), mediaType: MediaType.dockerManifestList },
];

describe('loopback registry', { skip: missingRequirements(registryRequirements), concurrency: true }, () => {
  for (const mode of ['anonymous', 'basic', 'token'] as const satisfies readonly RegistryAuthMode[]) {
    test(`${mode}: HEAD by tag and by digest answers the digest computed from the pushed bytes`, async (t) => {
      const registry = await startRegistry({ auth: mode });
      t.after(() => registry.stop());
      for (const { name, build, mediaType } of artifacts) {
        const artifact = build();
        assert.equal(await registry.push(artifact, name, 'v1'), artifact.manifest.digest);
        const authorization = await authorizationFor(registry, name);
        for (const reference of ['v1', artifact.manifest.digest]) {
          const response = await headManifest(registry.url, name, reference, authorization);
          assert.equal(response.status, 200, `${name}@${reference}`);
          assert.equal(response.headers.get('docker-content-digest'), sha256Digest(artifact.manifest.bytes));
          assert.equal(response.headers.get('content-type'), mediaType);
        }
      }
    });
  }

  test('skopeo, an independent client, reads back the bytes of the pushed index', async (t) => {
    const registry = await startRegistry();
    t.after(() => registry.stop());
    const index = buildTwoPlatformIndex('skopeo');
    await registry.push(index, 'multi', 'v1');
    const raw = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.reference('multi', 'v1')}`]);
    assert.equal(sha256Digest(raw), index.manifest.digest);
  });

  test('basic: no or wrong credentials get a Basic challenge, the right ones the manifest', async (t) => {
    const registry = await startRegistry({ auth: 'basic', credentials: { username: 'alice', password: 's3cret' } });
    t.after(() => registry.stop());
    const image = buildDataImage('basic');
    await registry.push(image, 'team/app', 'v1');
    const wrong = `Basic ${Buffer.from('alice:wrong').toString('base64')}`;
    for (const authorization of [undefined, wrong]) {
      const response = await headManifest(registry.url, 'team/app', 'v1', authorization);
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm="kube-images-test"/);
    }
    const right = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
    const response = await headManifest(registry.url, 'team/app', 'v1', right);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('docker-content-digest'), image.manifest.digest);
  });

  test('token: challenge, anonymous public pulls, credentials for private ones, expiry, request log', async (t) => {
    const registry = await startRegistry({
      auth: 'token',
      publicRepositories: ['library/public'],
      identityToken: 'identity-token-for-tests',
    });
    t.after(() => registry.stop());
    const issuer = registry.tokenIssuer!;
    const privateImage = buildDataImage('private');
    const publicImage = buildDataImage('public');
    await registry.push(privateImage, 'team/private', 'v1');
    await registry.push(publicImage, 'library/public', 'v1');

    const unauthenticated = await headManifest(registry.url, 'team/private', 'v1');
    assert.equal(unauthenticated.status, 401);
    assert.equal(
      unauthenticated.headers.get('www-authenticate'),
      `Bearer realm="${issuer.realm}",service="${issuer.service}",scope="repository:team/private:pull"`,
    );

    const anonymousPrivate = await requestToken(registry, 'repository:team/private:pull');
    const refused = await headManifest(registry.url, 'team/private', 'v1', `Bearer ${anonymousPrivate}`);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);

    const anonymousPublic = await requestToken(registry, 'repository:library/public:pull');
    const publicPull = await headManifest(registry.url, 'library/public', 'v1', `Bearer ${anonymousPublic}`);
    assert.equal(publicPull.status, 200);
    assert.equal(publicPull.headers.get('docker-content-digest'), publicImage.manifest.digest);

    const badCredentials = new URL(issuer.realm);
    badCredentials.searchParams.set('service', issuer.service);
    badCredentials.searchParams.set('scope', 'repository:team/private:pull');
    const badAnswer = await fetch(badCredentials, { headers: { authorization: `Basic ${Buffer.from('tester:nope').toString('base64')}` } });
    assert.equal(badAnswer.status, 401);

    const privatePull = await headManifest(registry.url, 'team/private', 'v1', await authorizationFor(registry, 'team/private'));
    assert.equal(privatePull.status, 200);
    assert.equal(privatePull.headers.get('docker-content-digest'), privateImage.manifest.digest);

    const oauth = await fetch(issuer.realm, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'identity-token-for-tests',
        service: issuer.service,
        scope: 'repository:team/private:pull',
        client_id: 'kube-images-tests',
      }),
    });
    const oauthToken = ((await oauth.json()) as { access_token: string }).access_token;
    assert.equal((await headManifest(registry.url, 'team/private', 'v1', `Bearer ${oauthToken}`)).status, 200);

    // The registry allows 60 s of clock skew, so this token is already past it.
    issuer.tokenLifetimeSeconds = -120;
    const expired = await requestToken(registry, 'repository:library/public:pull');
    assert.equal((await headManifest(registry.url, 'library/public', 'v1', `Bearer ${expired}`)).status, 401);

    assert.deepEqual(
      issuer.requests.map(({ method, account, status, granted }) => [method, account, status, granted.length]),
      [
        ['GET', null, 200, 0],
        ['GET', null, 200, 1],
        ['GET', null, 401, 0],
        ['GET', 'tester', 200, 1],
        ['POST', 'tester', 200, 1],
        ['GET', null, 200, 1],
      ],
    );
  });

  test('fault proxy: answers 429 once, hangs and resets on demand, passes the rest through and logs all', async (t) => {
    const registry = await startRegistry();
    t.after(() => registry.stop());
    const image = buildDataImage('faults');
    await registry.push(image, 'app', 'v1');
    const proxy = await registry.openFaultProxy();
    const isManifest = ({ path }: { path: string }): boolean => path.includes('/manifests/');

    proxy.inject({ match: isManifest, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, times: 1 });
    const limited = await headManifest(proxy.url, 'app', 'v1');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    const passed = await headManifest(proxy.url, 'app', 'v1');
    assert.equal(passed.status, 200);
    assert.equal(passed.headers.get('docker-content-digest'), image.manifest.digest);

    proxy.inject({ match: isManifest, fault: { kind: 'hang' } });
    await assert.rejects(
      fetch(`${proxy.url}/v2/app/manifests/v1`, { method: 'HEAD', signal: AbortSignal.timeout(300) }),
      { name: 'TimeoutError' },
    );
    proxy.clearFaults();
    proxy.inject({ fault: { kind: 'reset' }, times: 1 });
    await assert.rejects(headManifest(proxy.url, 'app', 'v1'), { name: 'TypeError', message: 'fetch failed' });
    assert.equal((await headManifest(proxy.url, 'app', 'v1')).status, 200);

    assert.deepEqual(
      proxy.requests.map(({ method, path, outcome }) => [method, path, outcome]),
      [
        ['HEAD', '/v2/app/manifests/v1', 429],
        ['HEAD', '/v2/app/manifests/v1', 200],
        ['HEAD', '/v2/app/manifests/v1', 'hang'],
        ['HEAD', '/v2/app/manifests/v1', 'reset'],
        ['HEAD', '/v2/app/manifests/v1', 200],
      ],
    );
  });
});

describe('private containerd', { skip: missingRequirements(containerdRequirements) }, () => {
  test('pulls over CRI, runs a pod and a container, survives a restart, and leaves nothing behind', async (t) => {
    const registry = await startRegistry();
    t.after(() => registry.stop());
    const privateRegistry = await startRegistry({ auth: 'basic' });
    t.after(() => privateRegistry.stop());

    const pause = buildSleeperImage({ variant: 'pause' });
    const app = buildSleeperImage({ variant: 'app' });
    const privateApp = buildSleeperImage({ variant: 'private-app', format: 'docker' });
    await registry.push(pause, 'pause', '1');
    await registry.push(app, 'app', '1');
    await privateRegistry.push(privateApp, 'team/app', '1');

    const containerd = await startContainerd({
      sandboxImage: registry.reference('pause', '1'),
      insecureRegistries: [registry.host],
    });
    t.after(() => containerd.stop());
    const version = await containerd.cri.version();
    assert.equal(version.runtimeName, 'containerd');
    assert.equal(version.runtimeApiVersion, 'v1');

    // containerd names an image by its config digest.
    assert.equal(await containerd.cri.pullImage(registry.reference('app', '1')), app.config.digest);
    containerd.addInsecureRegistry(privateRegistry.host);
    await assert.rejects(containerd.cri.pullImage(privateRegistry.reference('team/app', '1')), /401 Unauthorized/);
    const { username, password } = privateRegistry.credentials;
    assert.equal(
      await containerd.cri.pullImage(privateRegistry.reference('team/app', '1'), { username, password }),
      privateApp.config.digest,
    );

    const images = await containerd.cri.listImages();
    const listed = images.find((image) => image.id === app.config.digest);
    assert.deepEqual(listed?.repoTags, [registry.reference('app', '1')]);
    assert.deepEqual(listed?.repoDigests, [registry.reference('app', app.manifest.digest)]);
    assert.match(await containerd.ctr('images', 'ls', '--quiet'), new RegExp(`^${registry.reference('app', '1')}$`, 'm'));

    const pod = await containerd.runPod('harness');
    const containerId = await containerd.runContainer(pod, registry.reference('app', '1'), 'sleeper');
    const running = (await containerd.cri.listContainers()).find((container) => container.id === containerId);
    assert.equal(running?.state, 'CONTAINER_RUNNING');
    assert.equal(running?.imageRef, app.config.digest);
    // The leftover probe must see a live instance, or its empty answer below would prove nothing.
    const live = containerd.leftovers();
    assert.ok(live.processes.some(({ what }) => what.startsWith('container sleeper')), JSON.stringify(live.processes));
    assert.ok(live.mounts.length > 0);
    assert.ok(live.shimSockets.length > 0);

    await containerd.restart();
    const afterRestart = (await containerd.cri.listContainers()).find((container) => container.id === containerId);
    assert.equal(afterRestart?.state, 'CONTAINER_RUNNING');
    assert.deepEqual(
      (await containerd.cri.listPodSandbox()).map(({ id, state }) => [id, state]),
      [[pod.id, 'SANDBOX_READY']],
    );

    await containerd.stop();
    assert.deepEqual(containerd.leftovers(), { processes: [], mounts: [], shimSockets: [], directoryExists: false });
  });
});
