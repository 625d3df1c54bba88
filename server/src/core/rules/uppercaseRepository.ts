import { parseNormalizedReference } from '../reference';
import type { Fix, ImageSite } from '../types';
import type { SiteFacts, SiteRule } from './rule';
import { finding, imageEdit, imageSpan } from './rule';

/** Repository paths are lowercase; the kubelet rejects anything else (FACTS.md §1). */
export const uppercaseRepositoryRule: SiteRule = {
  code: 'uppercase-repository',
  title: 'Uppercase repository name',
  defaultSeverity: 'error',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-names',
  description:
    'Uppercase letters in the repository path. The kubelet cannot parse the reference ("repository name must be lowercase"), so the container never starts (InvalidImageName).',
  check(site, facts) {
    if (site.kind === 'kustomization' || facts.reference.ok || facts.reference.problem.kind !== 'uppercase') return [];
    const { problem } = facts.reference;
    const message = `The kubelet cannot parse this image reference, so the Pod never starts (InvalidImageName): ${problem.message}.`;
    return [finding(uppercaseRepositoryRule, imageSpan(site, facts, problem.start, problem.end), message, lowercaseFix(site, facts))];
  },
};

/**
 * Lowercases the whole name, registry included: an uppercase first segment is read as a registry
 * host, so `Acme/App` means Docker Hub's `acme/app`, not the host `Acme`. Offered only when the
 * result parses.
 */
function lowercaseFix(site: ImageSite, facts: SiteFacts): Fix[] {
  const end = nameEnd(facts.image);
  const lowered = facts.image.slice(0, end).toLowerCase();
  if (!parseNormalizedReference(lowered + facts.image.slice(end)).ok) return [];
  return [{ title: `Lowercase the repository: ${lowered}`, isPreferred: true, edits: [imageEdit(site, facts, 0, end, lowered)] }];
}

/** End of the name: before the digest, and before the tag's `:` (the first `:` after the last `/`). */
function nameEnd(image: string): number {
  const at = image.indexOf('@');
  const end = at < 0 ? image.length : at;
  const colon = image.indexOf(':', image.lastIndexOf('/', end - 1) + 1);
  return colon >= 0 && colon < end ? colon : end;
}
