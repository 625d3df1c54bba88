/**
 * Finding a file's image sites by file offset, for the editor features. A file's documents are
 * ordered and do not overlap, so the documents near an offset are found by binary search.
 */
import type { AnalyzedDocument, ImageSite } from '../types';

/** An image site with the offset of its document in the file (site offsets are document-relative). */
export interface ImageSiteInFile {
  readonly site: ImageSite;
  readonly documentOffset: number;
}

/** The documents that overlap `[start, end]` (file offsets, both ends included). */
export function documentsBetween(documents: readonly AnalyzedDocument[], start: number, end: number): readonly AnalyzedDocument[] {
  let low = 0;
  let high = documents.length;
  // First document that ends at or after `start`.
  while (low < high) {
    const middle = (low + high) >> 1;
    const document = documents[middle];
    if (document.offset + document.length < start) low = middle + 1;
    else high = middle;
  }
  let last = low;
  while (last < documents.length && documents[last].offset <= end) last += 1;
  return documents.slice(low, last);
}

/** The sites whose key or value touches `[start, end]` (file offsets, both ends included). */
export function imageSitesBetween(documents: readonly AnalyzedDocument[], start: number, end: number): ImageSiteInFile[] {
  const found: ImageSiteInFile[] = [];
  for (const document of documentsBetween(documents, start, end)) {
    for (const site of document.analysis.images) {
      const siteStart = document.offset + site.key.start;
      const siteEnd = document.offset + (valueFollowsKey(site) ? site.value.end : site.key.end);
      if (siteStart <= end && start <= siteEnd) found.push({ site, documentOffset: document.offset });
    }
  }
  return found;
}

/** The site whose image key, image value or pull-policy value holds `offset` (either end included). */
export function imageSiteAt(documents: readonly AnalyzedDocument[], offset: number): ImageSiteInFile | undefined {
  for (const document of documentsBetween(documents, offset, offset)) {
    const relative = offset - document.offset;
    for (const site of document.analysis.images) {
      const spans = [site.key, site.value, site.pullPolicy.explicitSpan];
      if (spans.some((span) => span !== undefined && span.start <= relative && relative <= span.end)) {
        return { site, documentOffset: document.offset };
      }
    }
  }
  return undefined;
}

/**
 * False for an alias (`image: *img`): its value span is the anchored node's, written elsewhere,
 * so nothing may be placed after it as if it followed the key.
 */
export function valueFollowsKey(site: ImageSite): boolean {
  return site.value.start >= site.key.end;
}
