// Pulling an image onto a node as the kubelet does: the reference normalized and defaulted to
// `:latest` (FACTS.md §3), each credential that applies to the registry tried in turn until a
// pull succeeds, and an anonymous pull when there are none.
import type { CallOptions, RegistryAuth } from '../cri/criClient';
import { CriError } from '../cri/errors';
import { parseNormalizedReference, toImageReference } from '../../../server/src/core/reference';
import type { NodeConnection } from './nodeSession';

/**
 * A registry credential as the registry client's lookup answers it (`RegistryCredential` in
 * server/src/registry/types.ts), spelled out here because that project builds on this one.
 */
export type PullCredential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'identityToken'; readonly token: string }
  | { readonly kind: 'registryToken'; readonly token: string };

/** Finds the credentials for a registry host and repository, best first, as `CredentialSource` does. */
export interface PullCredentialLookup {
  lookup(registry: string, repository: string, signal?: AbortSignal): Promise<{ credentials: readonly PullCredential[]; warnings: readonly string[] }>;
}

/** CRI's AuthConfig for a credential, as the kubelet fills it in. */
export function registryAuthOf(credential: PullCredential): RegistryAuth {
  switch (credential.kind) {
    case 'basic':
      return { username: credential.username, password: credential.password };
    case 'identityToken':
      return { identityToken: credential.token };
    case 'registryToken':
      return { registryToken: credential.token };
  }
}

/** Names a credential without revealing it. */
export function describeCredential(credential: PullCredential): string {
  switch (credential.kind) {
    case 'basic':
      return `the password of ${credential.username}`;
    case 'identityToken':
      return 'an identity token';
    case 'registryToken':
      return 'a registry token';
  }
}

export type NormalizedPullReference =
  | { readonly ok: true; readonly reference: string; readonly registry: string; readonly repository: string }
  | { readonly ok: false; readonly message: string };

/** What the kubelet would ask the runtime to pull for `input`: fully qualified, `:latest` when neither tag nor digest is given. */
export function normalizePullReference(input: string): NormalizedPullReference {
  const parsed = parseNormalizedReference(input.trim());
  const normalized = toImageReference(parsed);
  if (!parsed.ok || normalized.normalized === undefined) {
    return { ok: false, message: parsed.ok ? `${input} is not a valid image reference` : `${input.trim()}: ${parsed.problem.message}` };
  }
  return { ok: true, reference: normalized.normalized, registry: parsed.reference.registry, repository: parsed.reference.repository };
}

export interface PullOutcome {
  /** What was pulled, normalized. */
  readonly reference: string;
  /** What the runtime stored it under (containerd: the image id). */
  readonly imageRef: string;
  /** `anonymously`, or which credential worked. */
  readonly authentication: string;
  /** Problems looking credentials up, which did not stop the pull. */
  readonly warnings: readonly string[];
}

/**
 * Pulls `input` onto the node. Throws a CriError when the runtime fails the pull (with every
 * credential tried, the last failure's message says how many were), and an Error for a
 * reference the kubelet would reject as InvalidImageName.
 */
export async function pullImage(
  connection: NodeConnection,
  input: string,
  credentials: PullCredentialLookup | undefined,
  options: CallOptions = {},
): Promise<PullOutcome> {
  const normalized = normalizePullReference(input);
  if (!normalized.ok) throw new Error(normalized.message);
  const { reference, registry, repository } = normalized;
  const found = credentials === undefined ? { credentials: [], warnings: [] } : await credentials.lookup(registry, repository, options.signal);
  if (found.credentials.length === 0) {
    const imageRef = await connection.images.pullImage(reference, undefined, options);
    return { reference, imageRef, authentication: 'anonymously', warnings: found.warnings };
  }
  let lastFailure: CriError | undefined;
  for (const credential of found.credentials) {
    try {
      const imageRef = await connection.images.pullImage(reference, registryAuthOf(credential), options);
      return { reference, imageRef, authentication: `with ${describeCredential(credential)}`, warnings: found.warnings };
    } catch (error) {
      // Only the registry's refusal is worth another credential; a lost connection or a cancel is not.
      if (!(error instanceof CriError) || error.kind !== 'runtime') throw error;
      lastFailure = error;
    }
  }
  const tried = found.credentials.length === 1 ? 'the one credential found' : `each of the ${found.credentials.length} credentials found`;
  throw new CriError('runtime', `${lastFailure?.message ?? 'the pull failed'} (tried ${tried} for ${registry})`, lastFailure?.grpcCode, { cause: lastFailure });
}
