/**
 * What the client reads from manifests and registry answers: media types, digests, the
 * platforms of an index, and the error codes of an OCI error body (FACTS.md §6).
 */
import { createHash } from 'node:crypto';
import type { Platform } from './types';

export const ManifestMediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/**
 * Every manifest kind, indexes first. Without the index types a registry may answer a
 * single-platform manifest in place of the index, and the pin would be single-platform.
 */
export const MANIFEST_ACCEPT = [
  ManifestMediaType.ociIndex,
  ManifestMediaType.ociManifest,
  ManifestMediaType.dockerManifestList,
  ManifestMediaType.dockerManifest,
].join(', ');

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === ManifestMediaType.ociIndex || mediaType === ManifestMediaType.dockerManifestList;
}

/** A Content-Type without its parameters, lowercased; `undefined` when absent or empty. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === undefined || mediaType === '' ? undefined : mediaType;
}

type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';
const DIGEST_PATTERN = /^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/** A digest of an algorithm go-digest registers, with the right number of lowercase hex digits. */
export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

/** `algorithm:hex` of `bytes`, with the algorithm of `like` (a valid digest) or sha256. */
export function digestOf(bytes: Uint8Array, like?: string): string {
  const algorithm = (like?.slice(0, like.indexOf(':')) ?? 'sha256') as DigestAlgorithm;
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export interface PlatformManifest extends Platform {
  digest: string;
}

/**
 * The platform manifests an OCI index or Docker manifest list names, in order. Entries without a
 * platform and BuildKit's attestation manifests are left out: no runtime pulls them for a
 * platform. `undefined` when the body is not such a document.
 */
export function parseIndexManifests(body: Uint8Array): PlatformManifest[] | undefined {
  const document = parseJsonObject(body);
  const entries = document?.['manifests'];
  if (!Array.isArray(entries)) return undefined;
  const manifests: PlatformManifest[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) return undefined;
    const { digest, platform, annotations } = entry as Record<string, unknown>;
    if (typeof digest !== 'string' || !isDigest(digest)) return undefined;
    if (isRecord(annotations) && annotations['vnd.docker.reference.type'] === 'attestation-manifest') continue;
    if (!isRecord(platform)) continue;
    const { os, architecture, variant } = platform;
    if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
    manifests.push(typeof variant === 'string' && variant !== '' ? { os, architecture, variant, digest } : { os, architecture, digest });
  }
  return manifests;
}

/** The document's own `mediaType` field, for registries that answer without a Content-Type. */
export function mediaTypeInBody(body: Uint8Array): string | undefined {
  const mediaType = parseJsonObject(body)?.['mediaType'];
  return typeof mediaType === 'string' ? mediaTypeOf(mediaType) : undefined;
}

/** The `code`s of an OCI distribution error body (`{"errors":[{"code":"MANIFEST_UNKNOWN",…}]}`). */
export function registryErrorCodes(body: Uint8Array): string[] {
  const errors = parseJsonObject(body)?.['errors'];
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error: unknown) => (isRecord(error) && typeof error['code'] === 'string' ? [error['code']] : []));
}

/**
 * The first manifest for `wanted`, comparing platforms after containerd's normalisation
 * (`aarch64` is `arm64`, `x86_64` is `amd64`; arm64's `v8`, amd64's `v1` and arm's `v7` are the
 * variants assumed when none is written). A wanted platform without a variant takes any variant.
 */
export function selectPlatformManifest(manifests: readonly PlatformManifest[], wanted: Platform): PlatformManifest | undefined {
  const target = normalizePlatform(wanted);
  const anyVariant = wanted.variant === undefined || wanted.variant === '';
  return manifests.find((manifest) => {
    const offered = normalizePlatform(manifest);
    return offered.os === target.os && offered.architecture === target.architecture && (anyVariant || offered.variant === target.variant);
  });
}

function normalizePlatform(platform: Platform): Required<Platform> {
  const os = platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = (platform.variant ?? '').toLowerCase();
  switch (architecture) {
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = '';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '') variant = 'v7';
      else if (/^\d+$/.test(variant)) variant = `v${variant}`;
      break;
  }
  return { os, architecture, variant };
}

function parseJsonObject(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
