/**
 * The hover's registry section: what the tag named when it was last looked up in this session
 * (digest, kind of manifest, the platforms an index offers, and when). Shown only from memory:
 * hovering never contacts a registry.
 */
import type { AnalyzedDocument } from '../core/types';
import { findPinTargets } from '../pinning/pinTargets';
import { formatPlatform } from '../pinning/platform';
import type { ResolvedImage } from '../registry/types';
import type { RegistryAccess } from './pinRegistryAccess';

const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** Markdown for the image at `offset` (file offset), or undefined when it has not been resolved. */
export function resolvedImageSection(documents: readonly AnalyzedDocument[], offset: number, access: RegistryAccess): string | undefined {
  const [target] = findPinTargets(documents, { start: offset, end: offset }).targets;
  if (target === undefined) return undefined;
  const image = access.recall(target.lookup);
  if (image === undefined) return undefined;
  const lines = [
    `**In the registry** (looked up ${image.resolvedAt.toISOString()}), \`${image.reference}\` named:`,
    `- **Digest** \`${image.digest}\``,
    `- **Media type** \`${image.mediaType}\`: ${describeMediaType(image)}`,
  ];
  if (image.platforms !== undefined && image.platforms.length > 0) {
    lines.push(`- **Platforms** ${image.platforms.map((platform) => `\`${formatPlatform(platform)}\``).join(', ')}`);
  }
  if (target.digest !== undefined) {
    const matches = image.digest === target.digest.text || (image.platforms ?? []).some((platform) => platform.digest === target.digest!.text);
    lines.push(matches ? '- The pinned digest is what the tag named.' : '- The pinned digest is **not** what the tag named: the tag has moved.');
  }
  return lines.join('\n');
}

function describeMediaType(image: ResolvedImage): string {
  return INDEX_MEDIA_TYPES.has(image.mediaType)
    ? 'an index of per-platform images; each node’s runtime picks its own'
    : 'a single image manifest';
}
