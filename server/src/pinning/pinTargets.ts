/**
 * Which image references of a file a registry lookup can pin or check, and where their text sits.
 *
 * Pure: analysed documents in, plain data out. A target is a reference written in one scalar
 * whose characters map one-to-one onto the file (`valueStart`), so a pin can be inserted into
 * it without touching quoting, comments or layout. A reference the registry could answer for but
 * whose scalar cannot be mapped (escapes, folded block scalars) is reported as unplaceable instead
 * of being rewritten.
 */
import { imageSitesBetween } from '../core/features/imageSitesInFile';
import { parseNormalizedReference } from '../core/reference';
import type { AnalyzedDocument, ImageSite } from '../core/types';

/** A reference part in file offsets. */
export interface PlacedText {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface PinTarget {
  /** The reference as written, without surrounding whitespace, in file offsets. */
  readonly reference: PlacedText;
  /** What the registry is asked: `registry/repository:tag`, with `latest` when no tag is written (as the kubelet pulls it). */
  readonly lookup: string;
  readonly registry: string;
  /** The tag as written; undefined for an implied `latest`. */
  readonly tag: PlacedText | undefined;
  /** The digest as written (`sha256:…`, without the `@`); undefined for a reference not yet pinned. */
  readonly digest: PlacedText | undefined;
}

export interface UnplaceableImage {
  /** The reference, trimmed, as Kubernetes reads it. */
  readonly image: string;
  /** The whole scalar, in file offsets. */
  readonly start: number;
  readonly end: number;
  /** The digest written, if any: such a reference needs no pin, only a drift check. */
  readonly digest: string | undefined;
  readonly reason: string;
}

export interface PinTargets {
  /** In file order; a scalar shared by several sites (a YAML alias) appears once. */
  readonly targets: readonly PinTarget[];
  readonly unplaceable: readonly UnplaceableImage[];
}

export const UNPLACEABLE_REASON =
  'its scalar uses escapes or line folding, so its characters cannot be located in the file; write the digest in by hand';

/**
 * The targets among the sites touching `[start, end]` (file offsets, both included); the whole
 * file by default. Sites a registry cannot answer for are left out: templated values, kustomization
 * overrides (their tag and digest are separate fields), invalid references, and references without
 * a registry host, and references pinned by digest without a tag.
 */
export function findPinTargets(documents: readonly AnalyzedDocument[], range?: { readonly start: number; readonly end: number }): PinTargets {
  const sites =
    range === undefined
      ? documents.flatMap((document) => document.analysis.images.map((site) => ({ site, documentOffset: document.offset })))
      : imageSitesBetween(documents, range.start, range.end);
  const targets: PinTarget[] = [];
  const unplaceable: UnplaceableImage[] = [];
  const seenScalars = new Set<number>();
  for (const { site, documentOffset } of sites) {
    const scalarStart = documentOffset + site.value.start;
    if (seenScalars.has(scalarStart)) continue;
    seenScalars.add(scalarStart);
    const located = locate(site, documentOffset);
    if (located === undefined) continue;
    if ('reason' in located) unplaceable.push(located);
    else targets.push(located);
  }
  targets.sort((a, b) => a.reference.start - b.reference.start);
  return { targets, unplaceable };
}

/** The targets that are not pinned yet: what "Pin to digest" rewrites. */
export function unpinned(targets: readonly PinTarget[]): PinTarget[] {
  return targets.filter((target) => target.digest === undefined);
}

function locate(site: ImageSite, documentOffset: number): PinTarget | UnplaceableImage | undefined {
  if (site.templated || site.kind === 'kustomization') return undefined;
  // Surrounding whitespace is its own finding (image-whitespace); the reference is what lies inside it.
  const image = site.image.trim();
  const parsed = parseNormalizedReference(image);
  if (!parsed.ok || parsed.reference.registry === '') return undefined;
  const { registry, repository, tag, digest } = parsed.reference;
  // Pinned by digest alone: nothing to pin, and no tag whose drift could be checked.
  if (digest !== undefined && tag === undefined) return undefined;
  if (site.value.valueStart === undefined) {
    const scalar = { start: documentOffset + site.value.start, end: documentOffset + site.value.end };
    return { image, ...scalar, digest: digest?.text, reason: UNPLACEABLE_REASON };
  }
  const referenceStart = documentOffset + site.value.valueStart + (site.image.length - site.image.trimStart().length);
  const placed = (part: { readonly text: string; readonly start: number; readonly end: number }): PlacedText => ({
    text: part.text,
    start: referenceStart + part.start,
    end: referenceStart + part.end,
  });
  return {
    reference: { text: image, start: referenceStart, end: referenceStart + image.length },
    lookup: `${registry}/${repository}:${tag?.text ?? 'latest'}`,
    registry,
    tag: tag === undefined ? undefined : placed(tag),
    digest: digest === undefined ? undefined : placed(digest),
  };
}
