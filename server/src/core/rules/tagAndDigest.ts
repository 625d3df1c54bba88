import type { SiteRule } from './rule';
import { fieldSpan, finding, imageEdit, imageSpan, policyField } from './rule';

/** With both, the kubelet pulls by digest and the tag only decorates (FACTS.md §1–2: ParseDockerRef drops the tag). */
export const tagAndDigestRule: SiteRule = {
  code: 'tag-and-digest',
  title: 'Tag and digest together',
  defaultSeverity: 'information',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-names',
  description:
    'An image with both a tag and a digest. The digest decides what is pulled; the tag is ignored, so it can silently disagree with what runs.',
  check(site, facts) {
    if (site.kind === 'kustomization') {
      const { newTag, digest } = site.kustomization ?? {};
      if (newTag === undefined || digest === undefined) return [];
      const message = `kustomize writes both newTag and digest: the digest decides what is pulled, and the tag "${newTag.value}" is ignored.`;
      return [finding(tagAndDigestRule, fieldSpan(newTag, facts.text), message)];
    }
    if (!facts.reference.ok) return [];
    const { tag, digest } = facts.reference.reference;
    if (tag === undefined || digest === undefined) return [];
    // The tag still feeds the API server's defaulting: `:latest@sha256:…` defaults to Always.
    const policyNote =
      tag.text === 'latest' && site.pullPolicy.explicit === undefined ? `, though it still makes ${policyField(site)} default to Always` : '';
    const message = `The digest decides what is pulled; the tag "${tag.text}" is ignored${policyNote}.`;
    const removeTag = { title: `Remove the ignored tag ":${tag.text}"`, edits: [imageEdit(site, facts, tag.start - 1, tag.end, '')] };
    return [finding(tagAndDigestRule, imageSpan(site, facts, tag.start, tag.end), message, [removeTag])];
  },
};
