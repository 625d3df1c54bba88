/**
 * Resolves image references to manifest digests against real registries, the way a runtime would
 * before pulling (FACTS.md §6): `HEAD /v2/<name>/manifests/<tag>` with every manifest type
 * accepted, so a multi-platform image answers its index digest; `GET` and hash the body when the
 * registry names no digest, and to read an index's platforms when they are asked for.
 *
 * Around that: authentication (`registryAuthenticator.ts`), transport rules (`httpTransport.ts`), a limit
 * on concurrent requests per host, a timeout per request, one bounded retry on a short 429
 * (`registryHttp.ts`), a short-lived cache of results and in-flight deduplication of identical
 * lookups. Every failure is a `RegistryError`.
 */
import { ConcurrencyLimiter } from './concurrencyLimiter';
import { headerValue, HttpTransport, type HttpRequest, type HttpResponse } from './httpTransport';
import {
  digestOf,
  isDigest,
  isIndexMediaType,
  MANIFEST_ACCEPT,
  mediaTypeInBody,
  mediaTypeOf,
  parseIndexManifests,
  registryErrorCodes,
  selectPlatformManifest,
  type PlatformManifest,
} from './manifest';
import { RegistryAuthenticator } from './registryAuthenticator';
import {
  cancelledError,
  invalidReferenceError,
  malformedError,
  notFoundError,
  serverFailureError,
  type NotFound,
} from './registryErrors';
import { registryApiHost } from './registryHost';
import { RegistryHttp, type RequestContext } from './registryHttp';
import { SharedRequests } from './sharedRequests';
import { TtlCache } from './ttlCache';
import { RegistryError, type CredentialSource, type Platform, type ResolvedImage } from './types';
import { parseNormalizedReference } from '../core/reference';

export interface RegistryClientOptions {
  credentials?: CredentialSource;
  /** host[:port] entries that may be reached over plain HTTP beyond loopback; an entry without a port covers every port. */
  insecureRegistries?: string[];
  /** host[:port] → PEM of a CA to trust for that registry (or token service), on top of the system's. */
  certificateAuthorities?: Record<string, string>;
  /** Requests in flight per host at most. Default 4. */
  maxConcurrentRequestsPerRegistry?: number;
  /** How long a resolved digest is reused. Default 60 s. */
  cacheTtlMs?: number;
  /** Timeout of each HTTP request. Default 15 s. */
  requestTimeoutMs?: number;
  userAgent?: string;
  /** The clock for cache and token expiry. Default `Date.now`. */
  now?: () => number;
}

export interface ResolveOptions {
  signal?: AbortSignal;
  /** For an index, also answer the digest of this platform's manifest (`platformDigest`). */
  platform?: Platform;
  /** For an index, also answer the platforms it offers (costs a GET of the index). */
  includePlatforms?: boolean;
  /** Ask the registry even when a cached answer is fresh. A lookup already in flight is still joined. */
  bypassCache?: boolean;
}

const DEFAULTS = {
  maxConcurrentRequestsPerRegistry: 4,
  cacheTtlMs: 60_000,
  requestTimeoutMs: 15_000,
  userAgent: 'kube-images',
} as const;

/** What one lookup found, cached per resolved reference. */
interface ManifestRecord {
  readonly digest: string;
  readonly mediaType: string;
  /** Read for an index when platforms were asked for; `undefined` otherwise. */
  readonly platforms: readonly PlatformManifest[] | undefined;
  readonly resolvedAt: number;
}

/** A parsed reference and what the client derives from it. */
interface ResolveTarget {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  /** What the manifest request names: the tag when there is one (an explicit or implied `latest`), else the digest. */
  readonly manifestReference: string;
  /** The normalized reference (`ResolvedImage.reference`). */
  readonly display: string;
  /** `https://API-HOST/v2/REPOSITORY/`. */
  readonly repositoryUrl: URL;
}

export class RegistryClient {
  private readonly http: RegistryHttp;
  private readonly transport: HttpTransport;
  private readonly auth: RegistryAuthenticator;
  private readonly manifests: TtlCache<ManifestRecord>;
  private readonly inFlight = new SharedRequests<ManifestRecord>();
  private readonly lifetime = new AbortController();
  private readonly now: () => number;
  private readonly cacheTtlMs: number;

  constructor(options: RegistryClientOptions = {}) {
    this.now = options.now ?? Date.now;
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULTS.cacheTtlMs;
    this.transport = new HttpTransport({
      insecureRegistries: options.insecureRegistries ?? [],
      certificateAuthorities: options.certificateAuthorities ?? {},
      userAgent: options.userAgent ?? DEFAULTS.userAgent,
    });
    const limiter = new ConcurrencyLimiter(options.maxConcurrentRequestsPerRegistry ?? DEFAULTS.maxConcurrentRequestsPerRegistry);
    this.http = new RegistryHttp(this.transport, limiter, options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs, this.now);
    this.auth = new RegistryAuthenticator(this.http, options.credentials, this.now);
    this.manifests = new TtlCache(this.now);
  }

  /** Resolves a reference to the digest its tag points to now (or confirms a digest); rejects only with `RegistryError`. */
  async resolve(reference: string, options: ResolveOptions = {}): Promise<ResolvedImage> {
    const target = parseTarget(reference);
    const context = { reference, display: target.display, registry: target.registry, repository: target.repository };
    if (this.lifetime.signal.aborted || options.signal?.aborted) throw cancelledError(context);
    const wantsPlatforms = options.includePlatforms === true || options.platform !== undefined;

    let record = options.bypassCache ? undefined : this.cachedRecord(target, wantsPlatforms);
    if (record === undefined) {
      const key = wantsPlatforms ? `${target.display} +platforms` : target.display;
      try {
        record = await this.inFlight.run(
          key,
          (signal) => this.lookUp(target, wantsPlatforms, { ...context, signal: AbortSignal.any([signal, this.lifetime.signal]) }),
          options.signal,
        );
      } catch (error) {
        if (options.signal?.aborted) throw cancelledError(context);
        throw error;
      }
    }
    return resolvedImage(target, record, wantsPlatforms, options.platform);
  }

  /** Cancels every lookup in flight and releases connections; later calls reject as cancelled. */
  dispose(): void {
    this.lifetime.abort();
    this.inFlight.abortAll(this.lifetime.signal.reason);
    this.transport.dispose();
    this.manifests.clear();
    this.auth.clear();
  }

  private cachedRecord(target: ResolveTarget, wantsPlatforms: boolean): ManifestRecord | undefined {
    const record = this.manifests.get(target.display);
    if (record === undefined) return undefined;
    const platformsKnown = record.platforms !== undefined || !isIndexMediaType(record.mediaType);
    return !wantsPlatforms || platformsKnown ? record : undefined;
  }

  private async lookUp(target: ResolveTarget, wantsPlatforms: boolean, context: RequestContext): Promise<ManifestRecord> {
    const head = await this.auth.send(context, manifestRequest(target, 'HEAD', target.manifestReference));
    if (head.status !== 200) throw await this.failure(target, head, context);
    const announced = headerValue(head.headers, 'docker-content-digest')?.trim();
    const mediaType = mediaTypeOf(headerValue(head.headers, 'content-type'));

    let found: Omit<ManifestRecord, 'resolvedAt'>;
    if (announced === undefined || mediaType === undefined) {
      // Older registries answer HEAD without a digest: the digest is the hash of the manifest itself.
      found = await this.fetchManifest(target, target.manifestReference, wantsPlatforms, context);
    } else {
      if (!isDigest(announced)) throw malformedError(context, `its Docker-Content-Digest ${quoted(announced)} is not a valid digest`);
      if (isDigest(target.manifestReference) && announced !== target.manifestReference) {
        throw malformedError(context, `asked for ${target.manifestReference}, it answered ${announced}`);
      }
      // The platforms are only in the index body; fetching it by digest also verifies it.
      found = wantsPlatforms && isIndexMediaType(mediaType)
        ? await this.fetchManifest(target, announced, true, context)
        : { digest: announced, mediaType, platforms: undefined };
    }
    const record = { ...found, resolvedAt: this.now() };
    this.manifests.set(target.display, record, this.cacheTtlMs);
    return record;
  }

  /** GETs a manifest and checks its bytes against every digest that names it. */
  private async fetchManifest(
    target: ResolveTarget,
    manifestReference: string,
    wantsPlatforms: boolean,
    context: RequestContext,
  ): Promise<Omit<ManifestRecord, 'resolvedAt'>> {
    const response = await this.auth.send(context, manifestRequest(target, 'GET', manifestReference));
    if (response.status !== 200) throw await this.failure(target, response, context);
    const announced = headerValue(response.headers, 'docker-content-digest')?.trim();
    if (announced !== undefined) {
      if (!isDigest(announced)) throw malformedError(context, `its Docker-Content-Digest ${quoted(announced)} is not a valid digest`);
      const actual = digestOf(response.body, announced);
      if (actual !== announced) throw malformedError(context, `it announced digest ${announced}, but the manifest it sent hashes to ${actual}`);
    }
    const requested = isDigest(manifestReference) ? manifestReference : undefined;
    if (requested !== undefined && digestOf(response.body, requested) !== requested) {
      throw malformedError(context, `asked for ${requested}, the manifest it sent hashes to ${digestOf(response.body, requested)}`);
    }
    const mediaType = mediaTypeOf(headerValue(response.headers, 'content-type')) ?? mediaTypeInBody(response.body);
    if (mediaType === undefined) throw malformedError(context, 'the manifest names no media type');
    let platforms: PlatformManifest[] | undefined;
    if (wantsPlatforms && isIndexMediaType(mediaType)) {
      platforms = parseIndexManifests(response.body);
      if (platforms === undefined) throw malformedError(context, `its ${mediaType} document lists no valid manifests`);
    }
    return { digest: requested ?? announced ?? digestOf(response.body), mediaType, platforms };
  }

  /** The error for a manifest request that did not answer 200 (429 and refusals never get here: the layers below handle them). */
  private async failure(target: ResolveTarget, response: HttpResponse, context: RequestContext): Promise<RegistryError> {
    if (response.status === 404) return notFoundError(context, await this.whatIsMissing(target, response, context));
    if (response.status >= 500) return serverFailureError(context, response.status, response.url.host);
    return malformedError(context, `it answered HTTP ${response.status}`, response.status);
  }

  /**
   * Whether a 404 means the repository or the tag/digest. A GET's error body may say
   * (`NAME_UNKNOWN`); distribution itself answers `MANIFEST_UNKNOWN` either way, and HEAD has no
   * body, so the repository's tag list settles it: 404 there means no such repository.
   */
  private async whatIsMissing(target: ResolveTarget, response: HttpResponse, context: RequestContext): Promise<NotFound> {
    const missingManifest: NotFound = isDigest(target.manifestReference)
      ? { missing: 'digest', name: target.manifestReference }
      : { missing: 'tag', name: target.manifestReference };
    if (registryErrorCodes(response.body).includes('NAME_UNKNOWN')) return { missing: 'repository', name: target.repository };
    let tags: HttpResponse;
    try {
      tags = await this.auth.send(context, { method: 'GET', url: new URL('tags/list?n=1', target.repositoryUrl), headers: {} });
    } catch (error) {
      // The 404 stands on its own: a probe that fails only leaves the missing part unknown.
      if (!(error instanceof RegistryError) || error.kind === 'cancelled') throw error;
      return { missing: undefined };
    }
    if (tags.status === 200) return missingManifest;
    if (tags.status === 404) return { missing: 'repository', name: target.repository };
    return { missing: undefined };
  }
}

function parseTarget(input: string): ResolveTarget {
  const parsed = parseNormalizedReference(input);
  if (!parsed.ok) throw invalidReferenceError(input, parsed.problem.message);
  const { registry, repository, tag, digest } = parsed.reference;
  if (registry === '') throw invalidReferenceError(input, 'it names no registry host');
  const tagText = tag?.text ?? (digest === undefined ? 'latest' : undefined);
  const manifestReference = tagText ?? digest!.text;
  const suffix = tagText !== undefined ? `:${tagText}` : `@${manifestReference}`;
  let repositoryUrl: URL;
  try {
    repositoryUrl = new URL(`https://${registryApiHost(registry)}/v2/${repository}/`);
  } catch {
    // The reference grammar does not range-check ports, so `host:99999/app` parses.
    throw invalidReferenceError(input, `its registry host ${registry} is not a usable host[:port]`);
  }
  return { registry, repository, tag: tagText, manifestReference, display: `${registry}/${repository}${suffix}`, repositoryUrl };
}

/** A value the registry sent, made safe to show: escaped, and cut short. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function manifestRequest(target: ResolveTarget, method: 'HEAD' | 'GET', manifestReference: string): HttpRequest {
  return {
    method,
    url: new URL(`manifests/${manifestReference}`, target.repositoryUrl),
    headers: { accept: MANIFEST_ACCEPT },
  };
}

function resolvedImage(
  target: ResolveTarget,
  record: ManifestRecord,
  wantsPlatforms: boolean,
  platform: Platform | undefined,
): ResolvedImage {
  // Copies, so a caller editing its answer cannot change the cache.
  const platforms = wantsPlatforms ? record.platforms?.map((manifest) => ({ ...manifest })) : undefined;
  const platformDigest =
    platform !== undefined && record.platforms !== undefined ? selectPlatformManifest(record.platforms, platform)?.digest : undefined;
  return {
    reference: target.display,
    registry: target.registry,
    repository: target.repository,
    tag: target.tag,
    digest: record.digest,
    mediaType: record.mediaType,
    platforms,
    platformDigest,
    resolvedAt: new Date(record.resolvedAt),
  };
}
