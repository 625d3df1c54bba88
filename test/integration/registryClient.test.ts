// The registry client against a real registry (Debian's docker-registry, CNCF distribution 2.8)
// in every auth mode, behind the harness's fault proxy and behind forwarders of our own (TLS, a
// non-loopback address, an in-flight counter). Every digest is checked against the one computed
// from the bytes the test pushed; every error message is searched for every secret in play.
import { after, before, describe, test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient, type RegistryClientOptions } from '../../server/src/registry/registryClient';
import { RegistryError, type CredentialSource, type RegistryCredential, type RegistryErrorKind } from '../../server/src/registry/types';
import { buildDataImage, buildTwoPlatformIndex, sha256Digest, type ManifestFormat } from '../support/ociImage';
import { startRegistry, type FaultProxy, type LoopbackRegistry } from '../support/registry';
import { REGISTRY_HINTS } from '../../server/src/registry/registryErrors';
import { freeLoopbackPort, missingRequirements, registryRequirements, run, waitUntil } from '../support/system';

const IDENTITY_TOKEN = `identity-${randomBytes(12).toString('hex')}`;
const WRONG_PASSWORD = `wrong-${randomBytes(12).toString('hex')}`;
const PUBLIC_REPOSITORIES = ['library/public', 'public/reuse', 'public/expiry', 'public/refused', 'public/burst-a', 'public/burst-b', 'public/burst-c'];

/** Every secret the suite hands to a client, in the forms that could leak (plain and Basic-encoded). */
const secrets = new Set<string>([IDENTITY_TOKEN, WRONG_PASSWORD]);

function rememberSecret(username: string, password: string): void {
  secrets.add(password);
  secrets.add(Buffer.from(`${username}:${password}`).toString('base64'));
}

function assertNoSecrets(text: string, where: string): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${where} contains a secret: ${text}`);
}

/** Nothing in a request log may carry a secret except the Authorization header meant for that host. */
function assertNoSecretsInRequests(requests: readonly { path: string; headers: IncomingHttpHeaders }[], where: string): void {
  for (const { path, headers } of requests) {
    assertNoSecrets(path, `${where} request path`);
    for (const [name, value] of Object.entries(headers)) {
      if (name !== 'authorization') assertNoSecrets(String(value), `${where} header ${name}`);
    }
  }
}

/** Awaits a rejection with a `RegistryError` of `kind` whose message names the lookup and holds no secret. */
async function expectFailure(promise: Promise<unknown>, kind: RegistryErrorKind, names: { reference: string; registry: string }): Promise<RegistryError> {
  const error = await promise.then(
    (value) => assert.fail(`expected a ${kind} error, got ${JSON.stringify(value)}`),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof RegistryError, `not a RegistryError: ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  assert.ok(error.message.includes(names.reference), `the message names the reference ${names.reference}: ${error.message}`);
  assert.ok(error.message.includes(names.registry), `the message names the registry ${names.registry}: ${error.message}`);
  assertNoSecrets(error.message, 'error message');
  assertNoSecrets(String(error.cause ?? ''), 'error cause');
  return error;
}

/** A credential source that answers from a table and records what it was asked. */
class TableCredentials implements CredentialSource {
  readonly lookups: [registry: string, repository: string][] = [];

  constructor(
    private readonly table: Readonly<Record<string, RegistryCredential[]>>,
    private readonly warnings: string[] = [],
  ) {}

  async lookup(registry: string, repository: string): Promise<{ credentials: RegistryCredential[]; warnings: string[] }> {
    this.lookups.push([registry, repository]);
    return { credentials: this.table[registry] ?? [], warnings: this.warnings };
  }
}

function newClient(t: TestContext, options: RegistryClientOptions = {}): RegistryClient {
  const client = new RegistryClient(options);
  t.after(() => client.dispose());
  return client;
}

const isManifest = ({ path }: { path: string }): boolean => path.includes('/manifests/');

function outcomes(proxy: FaultProxy): [string, string, number | string][] {
  return proxy.requests.map(({ method, path, outcome }) => [method, path, outcome]);
}

interface Forwarder {
  readonly host: string;
  readonly requests: { method: string; path: string; headers: IncomingHttpHeaders }[];
  /** The most requests that were in flight at once. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/**
 * A forwarder to a registry of our own, for what the harness's fault proxy cannot do: serve TLS,
 * listen on another address, or count requests in flight. With `holdUntilInFlight`, the first
 * requests are held until that many are in flight at once, so reaching a concurrency limit does
 * not depend on how fast the registry answers; `passFirst` requests go through before holding starts.
 */
async function startForwarder(
  registry: LoopbackRegistry,
  options: { address?: string; tls?: { key: string; cert: string }; holdUntilInFlight?: number; passFirst?: number } = {},
): Promise<Forwarder> {
  const registryPort = Number(registry.host.slice(registry.host.lastIndexOf(':') + 1));
  const requests: Forwarder['requests'] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const held: (() => void)[] = [];
  let holding = options.holdUntilInFlight !== undefined;

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.once('close', () => (inFlight -= 1));
    const forward = (): void => {
      const upstream = httpRequest(
        { host: '127.0.0.1', port: registryPort, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.once('error', () => response.destroy());
      request.pipe(upstream);
    };
    if (!holding || requests.length <= (options.passFirst ?? 0)) return forward();
    held.push(forward);
    if (inFlight >= options.holdUntilInFlight!) {
      holding = false;
      for (const release of held.splice(0)) release();
    }
  };

  const server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  const address = options.address ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => {
      const bound = server.address();
      if (bound === null || typeof bound === 'string') reject(new Error('forwarder got no port'));
      else resolve(bound.port);
    });
  });
  return {
    host: `${address}:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function nonLoopbackIpv4(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;
}

describe('RegistryClient against a real registry', { skip: missingRequirements(registryRequirements) }, () => {
  let anonymous: LoopbackRegistry;
  let basic: LoopbackRegistry;
  let token: LoopbackRegistry;
  const started: LoopbackRegistry[] = [];

  before(async () => {
    const track = async (registry: Promise<LoopbackRegistry>): Promise<LoopbackRegistry> => {
      const running = await registry;
      started.push(running);
      return running;
    };
    [anonymous, basic, token] = await Promise.all([
      track(startRegistry()),
      track(startRegistry({ auth: 'basic' })),
      track(startRegistry({ auth: 'token', publicRepositories: PUBLIC_REPOSITORIES, identityToken: IDENTITY_TOKEN })),
    ]);
    for (const registry of [basic, token]) rememberSecret(registry.credentials.username, registry.credentials.password);
    rememberSecret(basic.credentials.username, WRONG_PASSWORD);
  });

  after(async () => {
    await Promise.all(started.map((registry) => registry.stop()));
  });

  describe('resolving', () => {
    for (const format of ['oci', 'docker'] as const satisfies readonly ManifestFormat[]) {
      test(`a ${format} image's tag resolves to the digest of the manifest pushed`, async (t) => {
        const image = buildDataImage(`single ${format}`, { format });
        await anonymous.push(image, `single/${format}`, 'v1');
        const reference = anonymous.reference(`single/${format}`, 'v1');
        const resolved = await newClient(t).resolve(reference);
        assert.ok(resolved.resolvedAt instanceof Date);
        assert.deepEqual(
          { ...resolved, resolvedAt: undefined },
          {
            reference,
            registry: anonymous.host,
            repository: `single/${format}`,
            tag: 'v1',
            digest: sha256Digest(image.manifest.bytes),
            mediaType: image.manifest.mediaType,
            platforms: undefined,
            platformDigest: undefined,
            resolvedAt: undefined,
          },
        );
      });
    }

    test('no tag means latest; a digest alone is confirmed; tag@digest resolves the tag', async (t) => {
      const current = buildDataImage('current');
      const old = buildDataImage('old');
      await anonymous.push(old, 'forms');
      await anonymous.push(current, 'forms', 'latest');
      const client = newClient(t);

      const implied = await client.resolve(`${anonymous.host}/forms`);
      assert.equal(implied.reference, `${anonymous.host}/forms:latest`);
      assert.equal(implied.tag, 'latest');
      assert.equal(implied.digest, sha256Digest(current.manifest.bytes));

      const byDigest = await client.resolve(anonymous.reference('forms', old.manifest.digest));
      assert.equal(byDigest.reference, `${anonymous.host}/forms@${old.manifest.digest}`);
      assert.equal(byDigest.tag, undefined);
      assert.equal(byDigest.digest, sha256Digest(old.manifest.bytes));

      // A pin that drifted: the answer is what the tag names now, not the pinned digest.
      const drifted = await client.resolve(`${anonymous.host}/forms:latest@${old.manifest.digest}`);
      assert.equal(drifted.reference, `${anonymous.host}/forms:latest`);
      assert.equal(drifted.digest, sha256Digest(current.manifest.bytes));
    });

    for (const format of ['oci', 'docker'] as const satisfies readonly ManifestFormat[]) {
      test(`a ${format} multi-platform image pins its index digest; platforms cost one GET, only when asked`, async (t) => {
        const index = buildTwoPlatformIndex(`multi ${format}`, format);
        await anonymous.push(index, `multi/${format}`, 'v1');
        const proxy = await anonymous.openFaultProxy();
        const client = newClient(t);
        const reference = `${proxy.host}/multi/${format}:v1`;
        const indexDigest = sha256Digest(index.manifest.bytes);

        const plain = await client.resolve(reference);
        assert.equal(plain.digest, indexDigest);
        assert.equal(plain.mediaType, index.manifest.mediaType);
        assert.equal(plain.platforms, undefined);
        assert.deepEqual(outcomes(proxy), [['HEAD', `/v2/multi/${format}/manifests/v1`, 200]]);

        const detailed = await client.resolve(reference, { includePlatforms: true });
        assert.equal(detailed.digest, indexDigest);
        assert.deepEqual(
          detailed.platforms,
          index.images.map((image) => ({ ...image.platform, digest: sha256Digest(image.manifest.bytes) })),
        );

        const arm = await client.resolve(reference, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
        assert.equal(arm.digest, indexDigest);
        assert.equal(arm.platformDigest, sha256Digest(index.images[1]!.manifest.bytes));
        const absent = await client.resolve(reference, { platform: { os: 'linux', architecture: 's390x' } });
        assert.equal(absent.platformDigest, undefined);

        // The index was fetched by digest once; the platform answers came from the cache.
        assert.deepEqual(outcomes(proxy).slice(1), [
          ['HEAD', `/v2/multi/${format}/manifests/v1`, 200],
          ['GET', `/v2/multi/${format}/manifests/${indexDigest}`, 200],
        ]);
      });
    }

    test('a single-platform image asked for a platform answers its own digest and no platform digest', async (t) => {
      const image = buildDataImage('single with platform');
      await anonymous.push(image, 'single/platform', 'v1');
      const resolved = await newClient(t).resolve(anonymous.reference('single/platform', 'v1'), {
        platform: { os: 'linux', architecture: 'arm64' },
      });
      assert.equal(resolved.digest, sha256Digest(image.manifest.bytes));
      assert.equal(resolved.platforms, undefined);
      assert.equal(resolved.platformDigest, undefined);
    });

    test('without Docker-Content-Digest on HEAD, a GET is hashed (and its own header checked)', async (t) => {
      const image = buildDataImage('no digest header');
      await anonymous.push(image, 'nodigest', 'v1');
      await anonymous.push(image, 'nodigest', 'v2');
      const proxy = await anonymous.openFaultProxy();
      proxy.inject({ match: ({ method }) => method === 'HEAD', fault: { kind: 'status', status: 200, headers: { 'content-type': image.manifest.mediaType } } });
      const client = newClient(t);

      // The registry's GET names the digest: it is checked against the body.
      assert.equal((await client.resolve(`${proxy.host}/nodigest:v1`)).digest, sha256Digest(image.manifest.bytes));
      // A GET without a digest header: the digest is the body's hash alone.
      proxy.inject({
        match: ({ method }) => method === 'GET',
        fault: { kind: 'status', status: 200, headers: { 'content-type': image.manifest.mediaType }, body: image.manifest.bytes.toString('utf8') },
      });
      const hashed = await client.resolve(`${proxy.host}/nodigest:v2`);
      assert.equal(hashed.digest, sha256Digest(image.manifest.bytes));
      assert.equal(hashed.mediaType, image.manifest.mediaType);
      assert.deepEqual(
        proxy.requests.map(({ method, outcome }) => [method, outcome]),
        [['HEAD', 200], ['GET', 200], ['HEAD', 200], ['GET', 200]],
      );
    });

    test('a GET whose Docker-Content-Digest does not match its body is malformed', async (t) => {
      const image = buildDataImage('lying registry');
      await anonymous.push(image, 'lying', 'v1');
      const proxy = await anonymous.openFaultProxy();
      proxy.inject({ match: ({ method }) => method === 'HEAD', fault: { kind: 'status', status: 200, headers: { 'content-type': image.manifest.mediaType } } });
      proxy.inject({
        match: ({ method }) => method === 'GET',
        fault: {
          kind: 'status',
          status: 200,
          headers: { 'content-type': image.manifest.mediaType, 'docker-content-digest': sha256Digest('other bytes') },
          body: image.manifest.bytes.toString('utf8'),
        },
      });
      const reference = `${proxy.host}/lying:v1`;
      const error = await expectFailure(newClient(t).resolve(reference), 'malformed', { reference, registry: proxy.host });
      assert.ok(error.message.includes(sha256Digest('other bytes')), error.message);
    });

    test('identical lookups in flight share one request; answers are cached for the TTL on the injected clock', async (t) => {
      const image = buildDataImage('shared');
      await anonymous.push(image, 'shared', 'v1');
      const proxy = await anonymous.openFaultProxy();
      let now = Date.parse('2025-01-01T00:00:00Z');
      const client = newClient(t, { now: () => now, cacheTtlMs: 60_000 });
      const reference = `${proxy.host}/shared:v1`;

      const [first, second] = await Promise.all([client.resolve(reference), client.resolve(reference)]);
      assert.equal(first.digest, sha256Digest(image.manifest.bytes));
      assert.deepEqual(second, first);
      assert.equal(proxy.requests.length, 1);
      assert.deepEqual(first.resolvedAt, new Date(now));

      now += 59_999;
      assert.deepEqual(await client.resolve(reference), first);
      assert.equal(proxy.requests.length, 1);
      now += 1;
      assert.deepEqual((await client.resolve(reference)).resolvedAt, new Date(now));
      assert.equal(proxy.requests.length, 2);
      await client.resolve(reference, { bypassCache: true });
      assert.equal(proxy.requests.length, 3);
    });

    test('requests per registry never exceed the limit', async (t) => {
      const image = buildDataImage('fan out');
      const tags = Array.from({ length: 12 }, (_, position) => `t${position}`);
      for (const tag of tags) await anonymous.push(image, 'fanout', tag);
      // The client's first request to a registry goes alone (it learns whether the registry wants
      // credentials); the burst after it is what the limit is about.
      const forwarder = await startForwarder(anonymous, { holdUntilInFlight: 3, passFirst: 1 });
      t.after(() => forwarder.close());
      const client = newClient(t, { maxConcurrentRequestsPerRegistry: 3, requestTimeoutMs: 10_000 });

      const [first, ...burst] = tags;
      const resolved = [await client.resolve(`${forwarder.host}/fanout:${first}`)];
      resolved.push(...(await Promise.all(burst.map((tag) => client.resolve(`${forwarder.host}/fanout:${tag}`)))));
      assert.deepEqual(new Set(resolved.map(({ digest }) => digest)), new Set([sha256Digest(image.manifest.bytes)]));
      assert.equal(forwarder.requests.length, tags.length);
      assert.equal(forwarder.maxInFlight, 3);
    });
  });

  describe('authentication', () => {
    test('basic: the stored credential is sent after the Basic challenge; the next good one after a bad one', async (t) => {
      const image = buildDataImage('basic');
      await basic.push(image, 'team/app', 'v1');
      const reference = basic.reference('team/app', 'v1');
      const right: RegistryCredential = { kind: 'basic', ...basic.credentials };
      const credentials = new TableCredentials({ [basic.host]: [right] });
      assert.equal((await newClient(t, { credentials }).resolve(reference)).digest, sha256Digest(image.manifest.bytes));
      assert.deepEqual(credentials.lookups, [[basic.host, 'team/app']]);

      const wrongFirst = new TableCredentials({ [basic.host]: [{ kind: 'basic', username: basic.credentials.username, password: WRONG_PASSWORD }, right] });
      assert.equal((await newClient(t, { credentials: wrongFirst }).resolve(reference)).digest, sha256Digest(image.manifest.bytes));
    });

    test('basic: a wrong password or none is unauthorized, with how to add credentials and no secret', async (t) => {
      const image = buildDataImage('basic refused');
      await basic.push(image, 'team/refused', 'v1');
      const proxy = await basic.openFaultProxy();
      const reference = `${proxy.host}/team/refused:v1`;
      const wrong = new TableCredentials(
        { [proxy.host]: [{ kind: 'basic', username: basic.credentials.username, password: WRONG_PASSWORD }] },
        ['credential helper docker-credential-example is not installed'],
      );
      const refused = await expectFailure(newClient(t, { credentials: wrong }).resolve(reference), 'unauthorized', { reference, registry: proxy.host });
      assert.equal(refused.status, 401);
      assert.ok(refused.message.includes(`docker login ${proxy.host}`), refused.message);
      assert.ok(refused.message.includes('"Kubernetes Images: Add Registry Credentials"'), refused.message);
      assert.ok(refused.message.includes('The stored credential did not work.'), refused.message);
      assert.ok(refused.message.includes('docker-credential-example is not installed'), refused.message);

      const none = await expectFailure(newClient(t).resolve(reference), 'unauthorized', { reference, registry: proxy.host });
      assert.ok(none.message.includes('No credentials are stored for it.'), none.message);
      assertNoSecretsInRequests(proxy.requests, 'basic registry');
    });

    test('token: a public repository gets an anonymous token, a private one a token for the credential', async (t) => {
      const issuer = token.tokenIssuer!;
      const publicImage = buildDataImage('token public');
      const privateImage = buildDataImage('token private');
      await token.push(publicImage, 'library/public', 'v1');
      await token.push(privateImage, 'team/private', 'v1');
      const credentials = new TableCredentials({ [token.host]: [{ kind: 'basic', ...token.credentials }] });

      const publicReference = token.reference('library/public', 'v1');
      assert.equal((await newClient(t).resolve(publicReference)).digest, sha256Digest(publicImage.manifest.bytes));
      const privateReference = token.reference('team/private', 'v1');
      assert.equal((await newClient(t, { credentials }).resolve(privateReference)).digest, sha256Digest(privateImage.manifest.bytes));
      await expectFailure(newClient(t).resolve(privateReference), 'unauthorized', { reference: privateReference, registry: token.host });

      const forScope = (repository: string) =>
        issuer.requests
          .filter(({ scopes }) => scopes.includes(`repository:${repository}:pull`))
          .map(({ method, account, service, status, granted }) => [method, account, service, status, granted.length]);
      assert.deepEqual(forScope('library/public'), [['GET', null, issuer.service, 200, 1]]);
      assert.deepEqual(forScope('team/private'), [
        ['GET', token.credentials.username, issuer.service, 200, 1],
        // The client without credentials: an anonymous token without the grant, which the registry refuses.
        ['GET', null, issuer.service, 200, 0],
      ]);
    });

    test('token: an identity token is exchanged in the OAuth2 refresh_token POST', async (t) => {
      const image = buildDataImage('identity');
      await token.push(image, 'team/identity', 'v1');
      const credentials = new TableCredentials({ [token.host]: [{ kind: 'identityToken', token: IDENTITY_TOKEN }] });
      const resolved = await newClient(t, { credentials }).resolve(token.reference('team/identity', 'v1'));
      assert.equal(resolved.digest, sha256Digest(image.manifest.bytes));
      const requests = token.tokenIssuer!.requests.filter(({ scopes }) => scopes.includes('repository:team/identity:pull'));
      assert.deepEqual(
        requests.map(({ method, account, status }) => [method, account, status]),
        [['POST', token.credentials.username, 200]],
      );
    });

    test('token: a registry token is sent as the bearer token, without asking the token service', async (t) => {
      const issuer = token.tokenIssuer!;
      const image = buildDataImage('registry token');
      await token.push(image, 'team/direct', 'v1');
      const registryToken = issuer.mint([{ type: 'repository', name: 'team/direct', actions: ['pull'] }], { account: 'robot', lifetimeSeconds: 300 });
      secrets.add(registryToken);
      const credentials = new TableCredentials({ [token.host]: [{ kind: 'registryToken', token: registryToken }] });
      const resolved = await newClient(t, { credentials }).resolve(token.reference('team/direct', 'v1'));
      assert.equal(resolved.digest, sha256Digest(image.manifest.bytes));
      assert.deepEqual(issuer.requests.filter(({ scopes }) => scopes.includes('repository:team/direct:pull')), []);
    });

    test('token: a wrong password is unauthorized after the token service refuses it', async (t) => {
      const image = buildDataImage('token refused');
      await token.push(image, 'team/refused', 'v1');
      const reference = token.reference('team/refused', 'v1');
      const credentials = new TableCredentials({ [token.host]: [{ kind: 'basic', username: token.credentials.username, password: WRONG_PASSWORD }] });
      const error = await expectFailure(newClient(t, { credentials }).resolve(reference), 'unauthorized', { reference, registry: token.host });
      assert.equal(error.status, 401);
      assert.ok(error.message.includes('The stored credential did not work.'), error.message);
      const requests = token.tokenIssuer!.requests.filter(({ scopes }) => scopes.includes('repository:team/refused:pull'));
      // The wrong password is refused, then anonymous access is tried and has no grant.
      assert.deepEqual(requests.map(({ account, status, granted }) => [account, status, granted.length]), [[null, 401, 0], [null, 200, 0]]);
    });

    test('token: one token serves every tag of a repository; the next repository gets its token before asking', async (t) => {
      const image = buildDataImage('reuse');
      for (const tag of ['v1', 'v2', 'v3']) await token.push(image, 'public/reuse', tag);
      await token.push(image, 'library/public', 'reuse');
      const proxy = await token.openFaultProxy();
      const client = newClient(t);
      for (const tag of ['v1', 'v2', 'v3']) {
        assert.equal((await client.resolve(`${proxy.host}/public/reuse:${tag}`)).digest, sha256Digest(image.manifest.bytes));
      }
      const issued = token.tokenIssuer!.requests.filter(({ scopes }) => scopes.includes('repository:public/reuse:pull'));
      assert.equal(issued.length, 1);
      await client.resolve(`${proxy.host}/library/public:reuse`);
      // Only the very first request met a challenge.
      assert.deepEqual(proxy.requests.map(({ outcome }) => outcome), [401, 200, 200, 200, 200]);
    });

    test('token: a cold burst of lookups learns the challenge once and fetches one token per repository', async (t) => {
      const image = buildDataImage('burst');
      const repositories = ['public/burst-a', 'public/burst-b', 'public/burst-c'];
      const tags = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'];
      for (const repository of repositories) for (const tag of tags) await token.push(image, repository, tag);
      const proxy = await token.openFaultProxy();
      const client = newClient(t);
      const issuedBefore = token.tokenIssuer!.requests.length;
      const references = repositories.flatMap((repository) => tags.map((tag) => `${proxy.host}/${repository}:${tag}`));
      const resolved = await Promise.all(references.map((reference) => client.resolve(reference)));
      assert.ok(resolved.every(({ digest }) => digest === sha256Digest(image.manifest.bytes)));
      const issued = token.tokenIssuer!.requests.slice(issuedBefore);
      assert.deepEqual(issued.map(({ scopes }) => scopes.join(' ')).sort(), repositories.map((repository) => `repository:${repository}:pull`));
      // One request met the challenge; every other lookup went out with its repository's token.
      assert.equal(proxy.requests.filter(({ outcome }) => outcome === 401).length, 1);
    });

    test('token: an expired token is replaced before it is sent (injected clock)', async (t) => {
      const issuer = token.tokenIssuer!;
      const image = buildDataImage('expiry');
      for (const tag of ['v1', 'v2']) await token.push(image, 'public/expiry', tag);
      const proxy = await token.openFaultProxy();
      let now = Date.now();
      const client = newClient(t, { now: () => now });
      await client.resolve(`${proxy.host}/public/expiry:v1`);
      now += (issuer.tokenLifetimeSeconds + 1) * 1000;
      assert.equal((await client.resolve(`${proxy.host}/public/expiry:v2`)).digest, sha256Digest(image.manifest.bytes));
      assert.equal(issuer.requests.filter(({ scopes }) => scopes.includes('repository:public/expiry:pull')).length, 2);
      assert.deepEqual(proxy.requests.map(({ outcome }) => outcome), [401, 200, 200]);
    });

    test('token: a cached token the registry refuses is dropped and the request retried with a new one', async (t) => {
      const issuer = token.tokenIssuer!;
      const image = buildDataImage('refused token');
      for (const tag of ['v1', 'v2']) await token.push(image, 'public/refused', tag);
      const proxy = await token.openFaultProxy();
      const client = newClient(t);
      await client.resolve(`${proxy.host}/public/refused:v1`);
      proxy.inject({
        match: isManifest,
        fault: {
          kind: 'status',
          status: 401,
          headers: { 'www-authenticate': `Bearer realm="${issuer.realm}",service="${issuer.service}",scope="repository:public/refused:pull"` },
        },
        times: 1,
      });
      assert.equal((await client.resolve(`${proxy.host}/public/refused:v2`)).digest, sha256Digest(image.manifest.bytes));
      assert.equal(issuer.requests.filter(({ scopes }) => scopes.includes('repository:public/refused:pull')).length, 2);
      assert.deepEqual(proxy.requests.map(({ outcome }) => outcome), [401, 200, 401, 200]);
    });

    test('a redirect to another host never carries the credentials', async (t) => {
      const image = buildDataImage('redirected');
      await basic.push(image, 'team/moved', 'warmup');
      await anonymous.push(image, 'team/moved', 'v1');
      const front = await basic.openFaultProxy();
      const elsewhere = await anonymous.openFaultProxy();
      const challenging = await basic.openFaultProxy();
      const credentials = new TableCredentials({ [front.host]: [{ kind: 'basic', ...basic.credentials }] });
      const client = newClient(t, { credentials });
      // Learn the registry's Basic challenge, so the next request carries the credential at once.
      await client.resolve(`${front.host}/team/moved:warmup`);

      front.inject({
        match: ({ path }) => path === '/v2/team/moved/manifests/v1',
        fault: { kind: 'status', status: 307, headers: { location: `${elsewhere.url}/v2/team/moved/manifests/v1` } },
      });
      assert.equal((await client.resolve(`${front.host}/team/moved:v1`)).digest, sha256Digest(image.manifest.bytes));

      front.inject({
        match: ({ path }) => path === '/v2/team/moved/manifests/v2',
        fault: { kind: 'status', status: 307, headers: { location: `${challenging.url}/v2/team/moved/manifests/v2` } },
      });
      const reference = `${front.host}/team/moved:v2`;
      const error = await expectFailure(client.resolve(reference), 'unauthorized', { reference, registry: front.host });
      assert.ok(error.message.includes(challenging.host), error.message);

      // The credential went to the registry it belongs to, and only there.
      const redirected = front.requests.filter(({ outcome }) => outcome === 307);
      assert.equal(redirected.length, 2);
      assert.ok(redirected.every(({ headers }) => headers.authorization?.startsWith('Basic ')));
      for (const proxy of [elsewhere, challenging]) {
        assert.ok(proxy.requests.length > 0);
        assert.deepEqual(proxy.requests.filter(({ headers }) => headers.authorization !== undefined), []);
        assertNoSecretsInRequests(proxy.requests, 'redirect target');
      }
      assertNoSecretsInRequests(front.requests, 'registry');
    });
  });

  describe('failures', () => {
    test('404 tells a missing tag, a missing repository and a missing digest apart', async (t) => {
      const image = buildDataImage('present');
      await anonymous.push(image, 'present', 'v1');
      const client = newClient(t);
      const cases = [
        { reference: anonymous.reference('present', 'v9'), missing: 'tag' },
        { reference: anonymous.reference('absent', 'v1'), missing: 'repository' },
        { reference: anonymous.reference('present', sha256Digest('never pushed')), missing: 'digest' },
      ] as const;
      for (const { reference, missing } of cases) {
        const error = await expectFailure(client.resolve(reference), 'not-found', { reference, registry: anonymous.host });
        assert.equal(error.missing, missing, error.message);
        assert.equal(error.status, 404);
      }
    });

    test('429 with a short Retry-After is retried once', async (t) => {
      const image = buildDataImage('rate limited');
      await anonymous.push(image, 'limited', 'v1');
      const proxy = await anonymous.openFaultProxy();
      proxy.inject({ match: isManifest, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, times: 1 });
      const startedAt = Date.now();
      assert.equal((await newClient(t).resolve(`${proxy.host}/limited:v1`)).digest, sha256Digest(image.manifest.bytes));
      assert.ok(Date.now() - startedAt >= 950, 'waited as long as Retry-After asked');
      assert.deepEqual(proxy.requests.map(({ outcome }) => outcome), [429, 200]);
    });

    test('429 with a long, a dated, a missing or a repeated Retry-After is rate-limited, with when to retry', async (t) => {
      const image = buildDataImage('rate limited long');
      await anonymous.push(image, 'limited', 'long');
      const cases: readonly { headers: Record<string, string>; times: number; expected: (seconds: number | undefined) => boolean; requests: number }[] = [
        { headers: { 'retry-after': '120' }, times: 1, expected: (seconds) => seconds === 120, requests: 1 },
        { headers: { 'retry-after': new Date(Date.now() + 90_000).toUTCString() }, times: 1, expected: (seconds) => seconds !== undefined && seconds >= 85 && seconds <= 91, requests: 1 },
        { headers: {}, times: 1, expected: (seconds) => seconds === undefined, requests: 1 },
        { headers: { 'retry-after': '0' }, times: 2, expected: (seconds) => seconds === 0, requests: 2 },
      ];
      for (const { headers, times, expected, requests } of cases) {
        const proxy = await anonymous.openFaultProxy();
        proxy.inject({ match: isManifest, fault: { kind: 'status', status: 429, headers }, times });
        const reference = `${proxy.host}/limited:long`;
        const error = await expectFailure(newClient(t).resolve(reference), 'rate-limited', { reference, registry: proxy.host });
        assert.ok(expected(error.retryAfterSeconds), `${JSON.stringify(headers)} → ${error.retryAfterSeconds}`);
        assert.equal(error.status, 429);
        assert.equal(proxy.requests.length, requests);
      }
    });

    test('a registry that hangs times out after requestTimeoutMs', async (t) => {
      const proxy = await anonymous.openFaultProxy();
      proxy.inject({ match: isManifest, fault: { kind: 'hang' } });
      const reference = `${proxy.host}/hanging:v1`;
      const startedAt = Date.now();
      const error = await expectFailure(newClient(t, { requestTimeoutMs: 300 }).resolve(reference), 'timeout', { reference, registry: proxy.host });
      const elapsed = Date.now() - startedAt;
      assert.ok(elapsed >= 300 && elapsed < 3_000, `timed out after ${elapsed} ms`);
      assert.ok(error.message.includes('300 ms'), error.message);
      assert.deepEqual(proxy.requests.map(({ outcome }) => outcome), ['hang']);
    });

    test('cancelling a lookup rejects it as cancelled; so does disposing the client', async (t) => {
      const proxy = await anonymous.openFaultProxy();
      proxy.inject({ match: isManifest, fault: { kind: 'hang' } });
      const client = newClient(t);
      const hanging = (count: number) => waitUntil('the request to reach the registry', () => (proxy.requests.length >= count ? true : undefined));

      const controller = new AbortController();
      const reference = `${proxy.host}/hanging:v1`;
      const cancelled = client.resolve(reference, { signal: controller.signal });
      await hanging(1);
      controller.abort();
      await expectFailure(cancelled, 'cancelled', { reference, registry: proxy.host });

      const disposedReference = `${proxy.host}/hanging:v2`;
      const inFlight = client.resolve(disposedReference);
      await hanging(2);
      client.dispose();
      await expectFailure(inFlight, 'cancelled', { reference: disposedReference, registry: proxy.host });
      await expectFailure(client.resolve(disposedReference), 'cancelled', { reference: disposedReference, registry: proxy.host });
    });

    test('a refused connection, an unknown host and a reset connection are unreachable', async (t) => {
      const closedPort = await freeLoopbackPort();
      const refusedReference = `127.0.0.1:${closedPort}/app:v1`;
      const refused = await expectFailure(newClient(t).resolve(refusedReference), 'unreachable', { reference: refusedReference, registry: `127.0.0.1:${closedPort}` });
      assert.ok(refused.message.includes('connection refused (ECONNREFUSED)'), refused.message);

      // .invalid never resolves (RFC 6761).
      const unknownReference = 'registry.invalid/app:v1';
      const unknown = await expectFailure(newClient(t, { requestTimeoutMs: 5_000 }).resolve(unknownReference), 'unreachable', { reference: unknownReference, registry: 'registry.invalid' });
      assert.match(unknown.message, /host name/);

      const proxy = await anonymous.openFaultProxy();
      proxy.inject({ fault: { kind: 'reset' } });
      const resetReference = `${proxy.host}/app:v1`;
      await expectFailure(newClient(t).resolve(resetReference), 'unreachable', { reference: resetReference, registry: proxy.host });
    });

    test('an invalid reference is refused before any request', async (t) => {
      const client = newClient(t);
      for (const reference of ['Foo/Bar', '', 'nginx@sha256:abc', 'a'.repeat(64), 'registry.example:99999/app:v1']) {
        const error = await client.resolve(reference).then(
          () => assert.fail(`${reference} resolved`),
          (reason: unknown) => reason,
        );
        assert.ok(error instanceof RegistryError);
        assert.equal(error.kind, 'invalid-reference', error.message);
        assert.ok(error.message.includes(`"${reference}"`), error.message);
      }
    });
  });

  describe('transport', () => {
    test('HTTPS with an unknown CA is a TLS error that says to configure the CA; with the CA configured it resolves', async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'kube-images-registry-tls-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      await run('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
        '-subj', '/CN=kube-images test registry',
        '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ]);
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const forwarder = await startForwarder(anonymous, { tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert } });
      t.after(() => forwarder.close());
      const image = buildDataImage('over tls');
      await anonymous.push(image, 'tls/app', 'v1');
      const reference = `${forwarder.host}/tls/app:v1`;

      const error = await expectFailure(newClient(t).resolve(reference), 'tls', { reference, registry: forwarder.host });
      assert.ok(error.message.includes('unknown authority'), error.message);
      assert.ok(error.message.includes(REGISTRY_HINTS.certificateAuthoritiesSetting), error.message);
      // It speaks TLS, so no fallback to plain HTTP was tried.
      assert.deepEqual(forwarder.requests, []);

      const trusted = await newClient(t, { certificateAuthorities: { [forwarder.host]: cert } }).resolve(reference);
      assert.equal(trusted.digest, sha256Digest(image.manifest.bytes));
      assert.equal(forwarder.requests.length, 1);
    });

    const address = nonLoopbackIpv4();
    test(
      'plain HTTP beyond loopback is refused unless the registry is listed as insecure',
      { skip: address === undefined ? 'this machine has no non-loopback IPv4 address' : false },
      async (t) => {
        const forwarder = await startForwarder(anonymous, { address: address! });
        t.after(() => forwarder.close());
        const image = buildDataImage('insecure');
        await anonymous.push(image, 'insecure/app', 'v1');
        const reference = `${forwarder.host}/insecure/app:v1`;

        const error = await expectFailure(newClient(t).resolve(reference), 'insecure-refused', { reference, registry: forwarder.host });
        assert.ok(error.message.includes(REGISTRY_HINTS.insecureRegistriesSetting), error.message);
        assert.ok(error.message.includes(`--insecure-registry ${forwarder.host}`), error.message);
        assert.deepEqual(forwarder.requests, []);

        for (const listed of [forwarder.host, address!]) {
          const resolved = await newClient(t, { insecureRegistries: [listed] }).resolve(reference);
          assert.equal(resolved.digest, sha256Digest(image.manifest.bytes));
        }
      },
    );
  });
});
