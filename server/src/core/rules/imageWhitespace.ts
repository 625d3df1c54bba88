import type { SiteRule } from './rule';
import { editWithin, fieldPath, finding, wholeImageSpan } from './rule';

/**
 * Pod validation rejects an image with leading or trailing whitespace; template validation does
 * not, so a workload is accepted and then every Pod its controller creates is rejected (FACTS.md §2).
 * A block scalar (`image: |`) is the usual culprit: it keeps a trailing line break.
 */
export const imageWhitespaceRule: SiteRule = {
  code: 'image-whitespace',
  title: 'Whitespace around the image',
  defaultSeverity: 'error',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-names',
  description:
    'Leading or trailing whitespace in an image, often the line break a block scalar keeps. The API server rejects such a Pod; a workload is accepted but every Pod it creates is rejected.',
  check(site, facts) {
    if (site.kind === 'kustomization' || site.image === '' || site.image === facts.image) return [];
    let consequence: string;
    if (site.kind === 'imageVolume') consequence = 'the kubelet cannot parse an image volume reference with whitespace around it, so the Pod never starts';
    else if (site.inPod) consequence = `the API server rejects this Pod (${fieldPath(site)}: must not have leading or trailing whitespace)`;
    else consequence = `the API server accepts this ${site.owner.kind} but rejects every Pod created from it (the image must not have leading or trailing whitespace)`;
    const message = `Whitespace around the image: ${consequence}.`;
    if (facts.image === '') return [finding(imageWhitespaceRule, site.value, message)];
    const edit = editWithin(site.value, facts.text, site.image, 0, site.image.length, facts.image);
    const trim = { title: `Remove the whitespace around "${facts.image}"`, isPreferred: true, edits: [edit] };
    return [finding(imageWhitespaceRule, wholeImageSpan(site, facts), message, [trim])];
  },
};
