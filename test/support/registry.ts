// A real OCI registry (Debian's `docker-registry`, CNCF distribution 2.8) on loopback, in one of
// three auth modes, with our own token issuer for the token mode and an optional fault-injecting
// proxy in front. Images are pushed over the registry's HTTP API, as any client would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuiltArtifact, BuiltImage, ContentBlob } from './ociImage';
import { freeLoopbackPort, run, terminate, waitUntil } from './system';

export type RegistryAuthMode = 'anonymous' | 'basic' | 'token';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface StartRegistryOptions {
  readonly auth?: RegistryAuthMode;
  /** The one account of the basic and token modes; a random password by default. */
  readonly credentials?: RegistryCredentials;
  /** Token mode: repositories that anyone may pull without credentials, like public Docker Hub images. */
  readonly publicRepositories?: readonly string[];
  /** Token mode: seconds until an issued token expires (its `exp` claim and `expires_in`). Default 300. */
  readonly tokenLifetimeSeconds?: number;
  /** Token mode: an identity (refresh) token the issuer accepts in an OAuth2 `refresh_token` grant. */
  readonly identityToken?: string;
}

/** One `repository:NAME:ACTIONS` grant in a token's `access` claim. */
export interface ResourceAccess {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

export interface TokenRequestRecord {
  readonly method: string;
  /** The authenticated account, or `null` for an anonymous request. */
  readonly account: string | null;
  readonly service: string | null;
  readonly scopes: readonly string[];
  readonly granted: readonly ResourceAccess[];
  readonly status: number;
}

/** Our token server: issues RS256 JWTs that the registry verifies against our certificate. */
export interface TokenIssuer {
  /** The realm URL the registry names in its `WWW-Authenticate: Bearer` challenges. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** Every request to the realm, in order. */
  readonly requests: readonly TokenRequestRecord[];
  /**
   * Lifetime of tokens issued from now on. The registry allows 60 s of clock skew, so a value
   * of -120 or less yields tokens it refuses at once (for expired-token tests).
   */
  tokenLifetimeSeconds: number;
  /** Signs a token directly, bypassing the realm and its request log. */
  mint(access: readonly ResourceAccess[], options?: { account?: string; lifetimeSeconds?: number }): string;
}

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  /** Accepts the request and never answers (until the proxy closes). */
  | { readonly kind: 'hang' }
  /** Destroys the connection without an answer. */
  | { readonly kind: 'reset' };

export interface FaultRule {
  /** Which requests the fault applies to; all by default. */
  readonly match?: (request: { method: string; path: string }) => boolean;
  readonly fault: Fault;
  /** How many matching requests get the fault before it is spent; unlimited by default. */
  readonly times?: number;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The status sent back, or the fault kind when no status was sent. */
  outcome: number | 'hang' | 'reset' | 'pending';
}

/** A loopback HTTP proxy in front of the real registry that records requests and injects faults. */
export interface FaultProxy {
  readonly host: string;
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  inject(rule: FaultRule): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export interface LoopbackRegistry {
  /** `127.0.0.1:PORT`, the registry host as it appears in image references. */
  readonly host: string;
  readonly url: string;
  readonly auth: RegistryAuthMode;
  readonly credentials: RegistryCredentials;
  /** Present in token mode. */
  readonly tokenIssuer: TokenIssuer | undefined;
  /** `HOST/REPOSITORY:TAG`, or `HOST/REPOSITORY@DIGEST` when given a digest. */
  reference(repository: string, tagOrDigest: string): string;
  /**
   * Uploads an image or index (children first) and puts its manifest by digest and, when given,
   * by tag. Returns the digest the registry answered, after checking it equals the computed one.
   */
  push(artifact: BuiltArtifact, repository: string, tag?: string): Promise<string>;
  /** Starts a proxy in front of this registry; it closes with the registry at the latest. */
  openFaultProxy(): Promise<FaultProxy>;
  /** Kills the registry, closes the issuer and proxies, and removes every file it made. */
  stop(): Promise<void>;
}

const startAttempts = 3;

export async function startRegistry(options: StartRegistryOptions = {}): Promise<LoopbackRegistry> {
  const auth = options.auth ?? 'anonymous';
  const credentials = options.credentials ?? { username: 'tester', password: randomBytes(12).toString('hex') };
  const dir = mkdtempSync(join(tmpdir(), 'kube-images-registry-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    let authConfig = '';
    let tokenIssuer: TokenIssuerServer | undefined;
    if (auth === 'basic') {
      const htpasswdPath = join(dir, 'htpasswd');
      // bcrypt entries are the only kind distribution accepts.
      writeFileSync(htpasswdPath, await run('htpasswd', ['-Bbn', credentials.username, credentials.password]));
      authConfig = ['auth:', '  htpasswd:', '    realm: kube-images-test', `    path: ${htpasswdPath}`].join('\n');
    } else if (auth === 'token') {
      tokenIssuer = await startTokenIssuer(dir, credentials, options);
      cleanups.push(() => tokenIssuer!.close());
      authConfig = [
        'auth:',
        '  token:',
        `    realm: ${tokenIssuer.realm}`,
        `    service: ${tokenIssuer.service}`,
        `    issuer: ${tokenIssuer.issuer}`,
        `    rootcertbundle: ${tokenIssuer.certificatePath}`,
      ].join('\n');
    }

    let started: { child: ChildProcess; port: number } | undefined;
    for (let attempt = 1; started === undefined; attempt++) {
      try {
        started = await spawnRegistry(dir, authConfig);
      } catch (error) {
        // The port was free when picked; another process may have taken it since.
        if (attempt >= startAttempts) throw error;
      }
    }
    const { child, port } = started;
    cleanups.push(() => terminate(child));

    const host = `127.0.0.1:${port}`;
    const url = `http://${host}`;
    const proxies: FaultProxy[] = [];
    cleanups.push(async () => {
      for (const proxy of proxies.splice(0)) await proxy.close();
    });

    const authorizationFor = (repository: string): string | undefined => {
      if (auth === 'basic') return basicAuthorization(credentials);
      if (auth === 'token') {
        // A fixed lifetime: a test may have set the issuer's to one the registry refuses.
        const access = [{ type: 'repository', name: repository, actions: ['pull', 'push'] }];
        return `Bearer ${tokenIssuer!.mint(access, { account: credentials.username, lifetimeSeconds: 300 })}`;
      }
      return undefined;
    };

    return {
      host,
      url,
      auth,
      credentials,
      tokenIssuer,
      reference: (repository, tagOrDigest) =>
        tagOrDigest.includes(':') ? `${host}/${repository}@${tagOrDigest}` : `${host}/${repository}:${tagOrDigest}`,
      push: (artifact, repository, tag) => pushArtifact(url, repository, artifact, tag, authorizationFor(repository)),
      openFaultProxy: async () => {
        const proxy = await startFaultProxy(port);
        proxies.push(proxy);
        return proxy;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function spawnRegistry(dir: string, authConfig: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freeLoopbackPort();
  const configPath = join(dir, 'config.yml');
  writeFileSync(
    configPath,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      authConfig,
      '',
    ].join('\n'),
  );
  const logPath = join(dir, `registry-${port}.log`);
  const logFd = openSync(logPath, 'w');
  const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  try {
    await waitUntil(
      `docker-registry to answer on 127.0.0.1:${port}`,
      async () => {
        // Any HTTP answer to /v2/ (200, or 401 when auth is on) means it serves requests.
        const response = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        return true;
      },
      {
        abandon: () => {
          if (spawnError) return spawnError.message;
          if (child.exitCode !== null || child.signalCode !== null) {
            return `docker-registry exited (${child.exitCode ?? child.signalCode}): ${readFileSync(logPath, 'utf8').trim()}`;
          }
          return undefined;
        },
      },
    );
  } catch (error) {
    await terminate(child);
    throw error;
  }
  return { child, port };
}

function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

async function pushArtifact(
  registryUrl: string,
  repository: string,
  artifact: BuiltArtifact,
  tag: string | undefined,
  authorization: string | undefined,
): Promise<string> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const images: readonly BuiltImage[] = artifact.kind === 'index' ? artifact.images : [artifact];
  for (const image of images) {
    for (const blob of [image.config, ...image.layers]) await uploadBlob(registryUrl, repository, blob, headers);
    // An index may only name manifests the registry already has.
    if (artifact.kind === 'index') await putManifest(registryUrl, repository, image.manifest, image.manifest.digest, headers);
  }
  const digest = await putManifest(registryUrl, repository, artifact.manifest, artifact.manifest.digest, headers);
  if (tag !== undefined) await putManifest(registryUrl, repository, artifact.manifest, tag, headers);
  return digest;
}

async function uploadBlob(registryUrl: string, repository: string, blob: ContentBlob, headers: Record<string, string>): Promise<void> {
  const existing = await fetch(`${registryUrl}/v2/${repository}/blobs/${blob.digest}`, { method: 'HEAD', headers });
  if (existing.status === 200) return;
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
  await expectStatus(start, 202, `start upload of ${blob.digest} to ${repository}`);
  const location = new URL(start.headers.get('location') ?? '', registryUrl);
  location.searchParams.set('digest', blob.digest);
  const upload = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: blob.bytes,
  });
  await expectStatus(upload, 201, `upload of ${blob.digest} to ${repository}`);
  expectDigest(upload, blob.digest, `blob upload to ${repository}`);
}

async function putManifest(
  registryUrl: string,
  repository: string,
  manifest: ContentBlob,
  reference: string,
  headers: Record<string, string>,
): Promise<string> {
  const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': manifest.mediaType },
    body: manifest.bytes,
  });
  await expectStatus(response, 201, `manifest put ${repository}:${reference}`);
  return expectDigest(response, manifest.digest, `manifest put ${repository}:${reference}`);
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status === status) {
    await response.arrayBuffer();
    return;
  }
  throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${await response.text()}`);
}

function expectDigest(response: Response, expected: string, what: string): string {
  const answered = response.headers.get('docker-content-digest');
  if (answered !== expected) throw new Error(`${what}: registry answered digest ${answered}, computed ${expected}`);
  return answered;
}

interface TokenIssuerServer extends TokenIssuer {
  readonly certificatePath: string;
  close(): Promise<void>;
}

async function startTokenIssuer(
  dir: string,
  credentials: RegistryCredentials,
  options: StartRegistryOptions,
): Promise<TokenIssuerServer> {
  const { privateKey, certificate } = await tokenSigningIdentity();
  const certificatePath = join(dir, 'token-signing.crt');
  writeFileSync(certificatePath, certificate);
  const certificateDer = new X509Certificate(certificate).raw.toString('base64');
  const service = 'kube-images-test-registry';
  const issuerName = 'kube-images-test-issuer';
  const publicRepositories = new Set(options.publicRepositories ?? []);
  const requests: TokenRequestRecord[] = [];

  const mint = (access: readonly ResourceAccess[], mintOptions: { account?: string; lifetimeSeconds?: number } = {}): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certificateDer] };
    const claims = {
      iss: issuerName,
      sub: mintOptions.account ?? '',
      aud: service,
      exp: now + (mintOptions.lifetimeSeconds ?? issuer.tokenLifetimeSeconds),
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
    return `${signingInput}.${base64Url(signature)}`;
  };

  const server = createServer((request, response) => {
    handleTokenRequest(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });

  const handleTokenRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestUrl = new URL(request.url ?? '/', 'http://token.invalid');
    if (requestUrl.pathname !== '/token' || (request.method !== 'GET' && request.method !== 'POST')) {
      response.writeHead(404).end();
      return;
    }
    // GET carries its parameters in the query (docker's flow); POST in a form (OAuth2 flow).
    const form = request.method === 'POST' ? new URLSearchParams(await readBody(request)) : requestUrl.searchParams;
    const service = form.get('service');
    const scopes = form.getAll('scope').flatMap((value) => value.split(' ')).filter(Boolean);
    const record = (status: number, account: string | null, granted: readonly ResourceAccess[]): void => {
      requests.push({ method: request.method ?? '', account, service, scopes, granted, status });
    };
    const refuse = (status: number, message: string, account: string | null = null): void => {
      record(status, account, []);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ details: message }));
    };

    if (service !== issuer.service) return refuse(400, `unknown service ${JSON.stringify(service)}`);
    const identity = authenticate(request, form, credentials, options.identityToken);
    if (identity === 'invalid') return refuse(401, 'invalid credentials');

    const account = identity === 'anonymous' ? null : credentials.username;
    const granted = scopes.flatMap((scope) => grant(scope, account !== null, publicRepositories));
    const token = mint(granted, account !== null ? { account } : {});
    const body: Record<string, unknown> = {
      access_token: token,
      expires_in: issuer.tokenLifetimeSeconds,
      issued_at: new Date().toISOString(),
    };
    // Docker's GET flow answers `token`; the OAuth2 POST flow only `access_token`.
    if (request.method === 'GET') body['token'] = token;
    if (request.method === 'POST' && form.get('access_type') === 'offline' && options.identityToken) {
      body['refresh_token'] = options.identityToken;
    }
    record(200, account, granted);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('token issuer got no port'));
      else resolve(address.port);
    });
  });

  const issuer: TokenIssuerServer = {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer: issuerName,
    requests,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 300,
    certificatePath,
    mint,
    close: () => closeServer(server),
  };
  return issuer;
}

let signingIdentity: Promise<{ privateKey: string; certificate: string }> | undefined;

/**
 * The issuer's RSA key and self-signed certificate, made once per test process: key generation
 * is most of a token registry's start-up time, and sharing the identity changes nothing a test sees.
 */
function tokenSigningIdentity(): Promise<{ privateKey: string; certificate: string }> {
  signingIdentity ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-images-token-key-'));
    try {
      const keyPath = join(dir, 'signing.key');
      const certificatePath = join(dir, 'signing.crt');
      // The registry trusts a token whose x5c chain ends at a certificate of its rootcertbundle.
      await run('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
        '-subj', '/CN=kube-images test token issuer',
        '-keyout', keyPath, '-out', certificatePath,
      ]);
      return { privateKey: readFileSync(keyPath, 'utf8'), certificate: readFileSync(certificatePath, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  signingIdentity.catch(() => (signingIdentity = undefined));
  return signingIdentity;
}

function authenticate(
  request: IncomingMessage,
  form: URLSearchParams,
  credentials: RegistryCredentials,
  identityToken: string | undefined,
): 'anonymous' | 'authenticated' | 'invalid' {
  const grantType = form.get('grant_type');
  if (grantType === 'refresh_token') {
    return identityToken !== undefined && form.get('refresh_token') === identityToken ? 'authenticated' : 'invalid';
  }
  if (grantType === 'password') {
    const matches = form.get('username') === credentials.username && form.get('password') === credentials.password;
    return matches ? 'authenticated' : 'invalid';
  }
  const header = request.headers.authorization;
  if (header === undefined) return 'anonymous';
  return header === basicAuthorization(credentials) ? 'authenticated' : 'invalid';
}

/**
 * Grants what a scope asks for to the account, and only `pull` of public repositories to anonymous
 * callers. A refused scope yields no grant rather than an error, as Docker Hub does: the token is
 * issued and the registry then answers 401 `insufficient_scope`.
 */
function grant(scope: string, authenticated: boolean, publicRepositories: ReadonlySet<string>): ResourceAccess[] {
  // repository:NAME:ACTIONS, where NAME may itself contain a colon (a registry port).
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return [];
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const requested = scope.slice(last + 1).split(',').filter(Boolean);
  const actions = authenticated
    ? requested
    : requested.filter((action) => action === 'pull' && type === 'repository' && publicRepositories.has(name));
  return actions.length > 0 ? [{ type, name, actions }] : [];
}

function base64Url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function closeServer(server: Server): Promise<void> {
  // Hanging requests would keep close() waiting forever; they are ended here on purpose.
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startFaultProxy(registryPort: number): Promise<FaultProxy> {
  const rules: { rule: FaultRule; remaining: number }[] = [];
  const requests: ProxiedRequest[] = [];

  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const entry: ProxiedRequest = { method, path, headers: request.headers, outcome: 'pending' };
    requests.push(entry);

    const active = rules.find(({ rule, remaining }) => remaining > 0 && (rule.match?.({ method, path }) ?? true));
    if (active) {
      active.remaining -= 1;
      const fault = active.rule.fault;
      if (fault.kind === 'hang') {
        entry.outcome = 'hang';
        request.resume();
        return;
      }
      if (fault.kind === 'reset') {
        entry.outcome = 'reset';
        request.socket.destroy();
        return;
      }
      entry.outcome = fault.status;
      request.resume();
      response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end(fault.body ?? '');
      return;
    }

    const upstream = httpRequest(
      { host: '127.0.0.1', port: registryPort, method, path, headers: request.headers },
      (answer) => {
        entry.outcome = answer.statusCode ?? 502;
        // rawHeaders keeps the registry's header names and order exactly.
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(response);
      },
    );
    upstream.once('error', (error) => {
      entry.outcome = 502;
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`fault proxy: registry unreachable: ${error.message}`);
    });
    request.pipe(upstream);
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('fault proxy got no port'));
      else resolve(address.port);
    });
  });

  let closed: Promise<void> | undefined;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (rule) => {
      rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults: () => {
      rules.splice(0);
    },
    close: () => (closed ??= closeServer(server)),
  };
}
