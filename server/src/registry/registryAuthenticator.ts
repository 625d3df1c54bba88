/**
 * Registry authentication (FACTS.md §6): answers `401` challenges with Bearer tokens from the
 * registry's token service (anonymous, Basic credentials, or an identity token in the OAuth2 POST
 * flow), registry tokens sent as they are, or Basic credentials, trying each credential the
 * source offers until one works and anonymous access last.
 *
 * What worked is reused: the `Authorization` per (registry, scope) until the token expires, and
 * the registry's challenge, so the next repository on the same registry fetches its token at once
 * instead of being refused first. A cached authorization the registry refuses is dropped and the
 * request authenticated afresh, once.
 *
 * Concurrent lookups share that work instead of racing for it: while the first request to a
 * registry learns its challenge the others wait, and while one lookup fetches the token for a
 * scope, the other lookups of that repository wait for it. Pinning a file of 100 images on 8
 * repositories then costs 8 token requests, not 100. Waiters hold no connection slot.
 */
import type { HttpRequest, HttpResponse } from './httpTransport';
import { parseAuthChallenges, selectChallenge, type SupportedChallenge } from './authChallenge';
import { cancelledError, malformedError, redirectedChallengeError, serverFailureError, unauthorizedError } from './registryErrors';
import { repositoryPullScope } from './registryHost';
import type { RegistryHttp, RequestContext } from './registryHttp';
import { TtlCache } from './ttlCache';
import { MINIMUM_TOKEN_LIFETIME_SECONDS, parseTokenResponse } from './tokenResponse';
import type { CredentialSource, RegistryCredential } from './types';

/** Sent as OAuth2 `client_id`, which token services log. */
const CLIENT_ID = 'kube-images';
/** Header values must be visible ASCII; a token with anything else cannot be sent. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

interface Authorization {
  readonly header: string;
  readonly lifetimeSeconds: number;
}

export class RegistryAuthenticator {
  /** The last challenge each registry sent: its auth scheme and token service do not vary by repository. */
  private readonly challenges = new Map<string, SupportedChallenge>();
  /** `Authorization` values that worked, per registry and scope. */
  private readonly authorizations: TtlCache<string>;
  /** Registries that answered without a challenge: their lookups need not wait for a first contact. */
  private readonly openRegistries = new Set<string>();
  /** Per registry: settles once the first request to it has been answered and its challenge, if any, remembered. */
  private readonly firstContacts = new Map<string, Promise<void>>();
  /** Per registry and scope: settles once the authentication under way has finished, successfully or not. */
  private readonly authentications = new Map<string, Promise<void>>();

  constructor(
    private readonly http: RegistryHttp,
    private readonly credentials: CredentialSource | undefined,
    now: () => number,
  ) {
    this.authorizations = new TtlCache(now);
  }

  /** Sends a request to the registry, authenticating as needed; throws `unauthorized` when nothing works. */
  async send(context: RequestContext, request: HttpRequest): Promise<HttpResponse> {
    const key = `${context.registry} ${repositoryPullScope(context.repository)}`;
    // Await only what is pending: an await of nothing would still yield, and every lookup of a burst
    // would pass this point before the first one registered itself as the first contact.
    const firstContactUnderWay = this.firstContacts.get(context.registry);
    if (firstContactUnderWay !== undefined) await this.waitFor(context, firstContactUnderWay);
    const authenticationUnderWay = this.authentications.get(key);
    if (authenticationUnderWay !== undefined) await this.waitFor(context, authenticationUnderWay);
    const cached = this.authorizations.get(key);
    const remembered = this.challenges.get(context.registry);
    if (cached === undefined && remembered !== undefined) return this.authenticateShared(context, request, key, remembered, undefined);

    const firstContact = cached === undefined && remembered === undefined && !this.openRegistries.has(context.registry) && !this.firstContacts.has(context.registry);
    let contacted: () => void = () => undefined;
    if (firstContact) {
      const settled = new Promise<void>((resolve) => (contacted = resolve));
      this.firstContacts.set(context.registry, settled);
    }
    let challenge: SupportedChallenge | undefined;
    let response: HttpResponse;
    try {
      response = await this.http.send(context, withAuthorization(request, cached));
      if (!isRefusal(response.status)) {
        if (cached === undefined) this.openRegistries.add(context.registry);
        return response;
      }
      if (cached !== undefined) this.authorizations.delete(key);
      if (response.leftHost) throw redirectedChallengeError(context, response.url.host, response.status);
      challenge = selectChallenge(parseAuthChallenges(response.headers['www-authenticate']));
      // No challenge this client can answer: credentials could not be sent anyway.
      if (challenge === undefined) throw unauthorizedError(context, { status: response.status, storedCredentials: undefined, warnings: [] });
      this.challenges.set(context.registry, challenge);
    } finally {
      if (firstContact) {
        this.firstContacts.delete(context.registry);
        contacted();
      }
    }
    return this.authenticateShared(context, request, key, challenge, response.status);
  }

  clear(): void {
    this.openRegistries.clear();
    this.challenges.clear();
    this.authorizations.clear();
  }

  /**
   * Authenticates for `key`, unless another lookup already is: then waits for it and reuses what
   * it obtained, authenticating itself only if that failed.
   */
  private async authenticateShared(
    context: RequestContext,
    request: HttpRequest,
    key: string,
    challenge: SupportedChallenge,
    refusedStatus: number | undefined,
  ): Promise<HttpResponse> {
    const underWay = this.authentications.get(key);
    if (underWay !== undefined) {
      await this.waitFor(context, underWay);
      const obtained = this.authorizations.get(key);
      if (obtained !== undefined) {
        const response = await this.http.send(context, withAuthorization(request, obtained));
        if (!isRefusal(response.status)) return response;
        this.authorizations.delete(key);
      }
    }
    const attempt = this.authenticate(context, request, key, challenge, refusedStatus);
    const settled = attempt.then(
      () => undefined,
      () => undefined,
    );
    this.authentications.set(key, settled);
    void settled.then(() => {
      if (this.authentications.get(key) === settled) this.authentications.delete(key);
    });
    return attempt;
  }

  /** Waits for another lookup's step, but no longer than this lookup may run. */
  private async waitFor(context: RequestContext, step: Promise<void>): Promise<void> {
    if (context.signal.aborted) throw cancelledError(context);
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(cancelledError(context));
      context.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([step, aborted]);
    } finally {
      context.signal.removeEventListener('abort', onAbort);
    }
  }

  private async authenticate(
    context: RequestContext,
    request: HttpRequest,
    key: string,
    challenge: SupportedChallenge,
    refusedStatus: number | undefined,
  ): Promise<HttpResponse> {
    const { credentials, warnings } = await this.lookUpCredentials(context);
    let status = refusedStatus;
    // `undefined` stands for anonymous access, tried last: a public image resolves even when a stored credential is stale.
    for (const credential of [...credentials, undefined]) {
      const authorization = await this.authorizationFor(context, challenge, credential);
      if (authorization === 'not-applicable') continue;
      if (typeof authorization === 'number') {
        status = authorization;
        continue;
      }
      const response = await this.http.send(context, withAuthorization(request, authorization.header));
      if (!isRefusal(response.status)) {
        this.authorizations.set(key, authorization.header, authorization.lifetimeSeconds * 1000);
        return response;
      }
      if (response.leftHost) throw redirectedChallengeError(context, response.url.host, response.status);
      status = response.status;
    }
    throw unauthorizedError(context, { status, storedCredentials: credentials.length, warnings });
  }

  /**
   * The `Authorization` to try with this credential, `'not-applicable'` when it does not fit the
   * challenge, or the status with which the token service refused it.
   */
  private async authorizationFor(
    context: RequestContext,
    challenge: SupportedChallenge,
    credential: RegistryCredential | undefined,
  ): Promise<Authorization | 'not-applicable' | number> {
    if (challenge.scheme === 'basic') {
      if (credential?.kind !== 'basic') return 'not-applicable';
      const encoded = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
      return { header: `Basic ${encoded}`, lifetimeSeconds: MINIMUM_TOKEN_LIFETIME_SECONDS };
    }
    if (credential?.kind === 'registryToken') {
      if (!HEADER_SAFE.test(credential.token)) return 'not-applicable';
      return { header: `Bearer ${credential.token}`, lifetimeSeconds: MINIMUM_TOKEN_LIFETIME_SECONDS };
    }
    return this.requestToken(context, challenge, credential);
  }

  private async requestToken(
    context: RequestContext,
    challenge: Extract<SupportedChallenge, { scheme: 'bearer' }>,
    credential: Extract<RegistryCredential, { kind: 'basic' | 'identityToken' }> | undefined,
  ): Promise<Authorization | number> {
    const realm = parseRealm(challenge.realm);
    if (realm === undefined) throw malformedError(context, 'its token service address (realm) is not an http(s) URL');
    const scope = repositoryPullScope(context.repository);
    let request: HttpRequest;
    if (credential?.kind === 'identityToken') {
      // OAuth2 refresh-token grant, as docker sends it for an identity token.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.token, client_id: CLIENT_ID, scope });
      if (challenge.service !== undefined) form.set('service', challenge.service);
      request = { method: 'POST', url: realm, headers: {}, form };
    } else {
      const url = new URL(realm);
      if (challenge.service !== undefined) url.searchParams.set('service', challenge.service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = {};
      if (credential !== undefined) {
        headers['authorization'] = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
      }
      request = { method: 'GET', url, headers };
    }

    const response = await this.http.send(context, request);
    if (response.status === 200) {
      const issued = parseTokenResponse(response.body.toString('utf8'));
      if (issued === undefined || !HEADER_SAFE.test(issued.token)) {
        throw malformedError(context, 'its token service answered without a usable token', response.status);
      }
      return { header: `Bearer ${issued.token}`, lifetimeSeconds: issued.expiresInSeconds };
    }
    // 400 is OAuth2's answer to a refused grant (invalid_grant); 401 and 403 are docker's.
    if (response.status === 400 || isRefusal(response.status)) return response.status;
    if (response.status >= 500) throw serverFailureError(context, response.status, response.url.host);
    throw malformedError(context, `its token service answered HTTP ${response.status}`, response.status);
  }

  private async lookUpCredentials(context: RequestContext): Promise<{ credentials: readonly RegistryCredential[]; warnings: readonly string[] }> {
    if (this.credentials === undefined) return { credentials: [], warnings: [] };
    let found: { credentials: readonly RegistryCredential[]; warnings: readonly string[] };
    try {
      found = await this.credentials.lookup(context.registry, context.repository, context.signal);
    } catch {
      // The contract says lookup never throws; if one does, resolve as if it had found nothing.
      found = { credentials: [], warnings: ['the credential lookup failed unexpectedly'] };
    }
    if (context.signal.aborted) throw cancelledError(context);
    return found;
  }
}

function isRefusal(status: number): boolean {
  return status === 401 || status === 403;
}

function withAuthorization(request: HttpRequest, authorization: string | undefined): HttpRequest {
  if (authorization === undefined) return request;
  return { ...request, headers: { ...request.headers, authorization } };
}

function parseRealm(realm: string): URL | undefined {
  try {
    const url = new URL(realm);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}
