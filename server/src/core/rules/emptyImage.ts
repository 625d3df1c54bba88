import type { SiteRule } from './rule';
import { fieldPath, finding } from './rule';

/** The API server requires an image on every container (FACTS.md §2, validateContainerCommon). */
export const emptyImageRule: SiteRule = {
  code: 'empty-image',
  title: 'Empty image',
  defaultSeverity: 'error',
  docsUrl: 'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Container',
  description: 'An image field without a value. The API server rejects the object with "Required value", so nothing is created.',
  check(site) {
    if (site.kind === 'kustomization' || site.image !== '') return [];
    // `image:` with nothing after it has an empty value: underline the key instead.
    const span = site.value.start < site.value.end ? site.value : site.key;
    const consequence =
      site.kind === 'imageVolume' ? 'the API server rejects a Pod whose image volume has no reference' : `the API server rejects this ${site.owner.kind}`;
    return [finding(emptyImageRule, span, `Empty image: ${consequence} (${fieldPath(site)}: Required value).`)];
  },
};
