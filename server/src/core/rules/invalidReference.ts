import type { SiteRule } from './rule';
import { finding, imageSpan, wholeImageSpan } from './rule';

/** The API server does not check reference syntax; the kubelet does, and gives up (FACTS.md §2–3). */
export const invalidReferenceRule: SiteRule = {
  code: 'invalid-reference',
  title: 'Invalid image reference',
  defaultSeverity: 'error',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-names',
  description:
    'An image reference the kubelet cannot parse. The API server accepts it, but the container never starts: the kubelet reports InvalidImageName.',
  check(site, facts) {
    if (site.kind === 'kustomization' || facts.image === '' || facts.reference.ok) return [];
    const { problem } = facts.reference;
    // Uppercase has its own rule, with a fix.
    if (problem.kind === 'uppercase') return [];
    const span = problem.start < problem.end ? imageSpan(site, facts, problem.start, problem.end) : wholeImageSpan(site, facts);
    const message = `The kubelet cannot parse this image reference, so the Pod never starts (InvalidImageName): ${problem.message}.`;
    return [finding(invalidReferenceRule, span, message)];
  },
};
