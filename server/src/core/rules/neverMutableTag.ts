import type { SiteRule } from './rule';
import { finding, policyField } from './rule';

/** Never skips the registry entirely: the node's copy of a tag is whatever it last had (FACTS.md §3). */
export const neverMutableTagRule: SiteRule = {
  code: 'never-mutable-tag',
  title: 'Pull policy Never with a mutable tag',
  defaultSeverity: 'warning',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy',
  description:
    'imagePullPolicy Never with a tag and no digest. The kubelet never pulls, so each node runs whatever it has under that tag, and a node without it fails the container with ErrImageNeverPull.',
  check(site, facts) {
    const span = site.pullPolicy.explicitSpan;
    if (site.kind === 'kustomization' || site.pullPolicy.explicit !== 'Never' || span === undefined || !facts.reference.ok) return [];
    const { tag, digest } = facts.reference.reference;
    if (digest !== undefined) return [];
    const named = tag === undefined ? 'the implied tag "latest"' : `the tag "${tag.text}"`;
    const message = `${policyField(site)} Never with ${named}: the kubelet never pulls, so each node runs whatever it has under that tag, and a node without it fails with ErrImageNeverPull. A digest makes every node run the same content.`;
    return [finding(neverMutableTagRule, span, message)];
  },
};
