import type { SiteRule } from './rule';
import { finding, mutableReferenceConsequence, wholeImageSpan } from './rule';

/** No tag and no digest: the kubelet appends `:latest`, and the API server defaults the policy to Always (FACTS.md §2–3). */
export const implicitLatestRule: SiteRule = {
  code: 'implicit-latest',
  title: 'No tag: implicitly :latest',
  defaultSeverity: 'warning',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#imagepullpolicy-defaulting',
  description:
    'An image without a tag or digest. The kubelet pulls ":latest", and imagePullPolicy defaults to Always, so every container start waits on the registry and may run different content.',
  check(site, facts) {
    if (site.kind === 'kustomization' || !facts.reference.ok) return [];
    const { tag, digest } = facts.reference.reference;
    if (tag !== undefined || digest !== undefined) return [];
    const message = `No tag: the kubelet pulls "${facts.image}:latest"; ${mutableReferenceConsequence(site)}.`;
    return [finding(implicitLatestRule, wholeImageSpan(site, facts), message)];
  },
};
