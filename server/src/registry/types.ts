/**
 * The registry client's public contract: what a credential source provides, what a resolution
 * answers, and the one error type every failure becomes.
 */

export type RegistryCredential =
  | { kind: 'basic'; username: string; password: string }
  /** A refresh token for the OAuth2 POST flow (docker config `identitytoken`, helper user `<token>`). */
  | { kind: 'identityToken'; token: string }
  /** A bearer token sent to the registry as is (docker config `registrytoken`). */
  | { kind: 'registryToken'; token: string };

export interface CredentialSource {
  /**
   * Every credential that may apply to this registry host (host[:port], normalized, e.g.
   * "docker.io") and repository, best first. Never throws: problems are reported through
   * `warnings`, which must not contain secrets (they can reach error messages).
   */
  lookup(
    registry: string,
    repository: string,
    signal?: AbortSignal,
  ): Promise<{ credentials: RegistryCredential[]; warnings: string[] }>;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ResolvedImage {
  /**
   * The normalized reference that was resolved: `registry/repository:tag` when the input names a
   * tag (also for `tag@digest` input: the tag is what gets resolved, so drift shows as a
   * different `digest`), `registry/repository@digest` when it names only a digest, and
   * `registry/repository:latest` when it names neither.
   */
  reference: string;
  registry: string;
  repository: string;
  tag: string | undefined;
  /** The digest the tag points to: the index / manifest-list digest for a multi-platform image. */
  digest: string;
  /** The manifest's Content-Type without parameters. */
  mediaType: string;
  /**
   * The platforms an index offers, in index order, each with its manifest digest. Only looked up
   * when asked for (`includePlatforms` or `platform`), because it costs a GET; `undefined`
   * otherwise and for single-platform manifests.
   */
  platforms: (Platform & { digest: string })[] | undefined;
  /**
   * The manifest digest for the requested `platform` when the image is an index that offers it
   * (undefined when it does not: `platforms` then says what it offers).
   */
  platformDigest: string | undefined;
  resolvedAt: Date;
}

export type RegistryErrorKind =
  | 'not-found'
  | 'unauthorized'
  | 'rate-limited'
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'malformed'
  | 'cancelled'
  | 'insecure-refused'
  | 'invalid-reference';

/** What a `not-found` error could tell apart: the repository, or the tag or digest within it. */
export type MissingPart = 'repository' | 'tag' | 'digest';

export interface RegistryErrorDetails {
  /** The reference as the caller passed it. */
  reference: string;
  /** The normalized registry host (`docker.io`, `127.0.0.1:5000`), empty when the reference did not parse. */
  registry: string;
  status?: number;
  retryAfterSeconds?: number;
  missing?: MissingPart;
  cause?: unknown;
}

/**
 * Every failure of the registry client. `message` is a complete sentence for a person: it names
 * the reference and the registry and says what to do, and it never contains a credential.
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly kind: RegistryErrorKind;
  readonly reference: string;
  readonly registry: string;
  /** The HTTP status that decided the outcome, when there was one. */
  readonly status: number | undefined;
  /** For `rate-limited`: what the registry's `Retry-After` asked for, when it said. */
  readonly retryAfterSeconds: number | undefined;
  /** For `not-found`: which part is missing, when the registry made that clear. */
  readonly missing: MissingPart | undefined;

  constructor(kind: RegistryErrorKind, message: string, details: RegistryErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.reference = details.reference;
    this.registry = details.registry;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.missing = details.missing;
  }
}
