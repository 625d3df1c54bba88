import type { SiteRule } from './rule';
import { fieldSpan, finding, wholeImageSpan } from './rule';

/** Only a digest names fixed content; off by default, opt in per setting. */
export const notPinnedRule: SiteRule = {
  code: 'not-pinned',
  title: 'Not pinned by digest',
  defaultSeverity: 'off',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy',
  description:
    'An image referenced by tag only. A tag can be moved to other content, so nodes may run different images; a digest (@sha256:…) always names the same content. Off by default.',
  check(site, facts) {
    if (site.kind === 'kustomization') {
      // Without newTag and digest the tag comes from the resources, which are checked where they are written.
      const { newTag, digest, name } = site.kustomization ?? {};
      if (newTag === undefined || digest !== undefined || name === undefined) return [];
      const message = `Not pinned: kustomize tags every "${name.value}" image "${newTag.value}" without a digest, so what runs is whatever the tag points at when each node pulls.`;
      return [finding(notPinnedRule, fieldSpan(newTag, facts.text), message)];
    }
    if (!facts.reference.ok || facts.reference.reference.digest !== undefined) return [];
    const tag = facts.reference.reference.tag?.text ?? 'latest';
    const message = `Not pinned: "${facts.image}" runs whatever the tag "${tag}" points at when each node pulls; a digest (@sha256:…) runs the same content everywhere.`;
    return [finding(notPinnedRule, wholeImageSpan(site, facts), message)];
  },
};
