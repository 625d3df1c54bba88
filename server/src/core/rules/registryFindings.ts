/**
 * Codes that only a registry can decide: what a tag points to now. Their findings are made
 * outside the core, by whoever asked the registry (the language server's drift check,
 * `kube-images check --resolve`); this is their metadata.
 */
import type { RuleMetadata } from './rule';

export const digestDriftRule: RuleMetadata = {
  code: 'digest-drift',
  title: 'Pinned digest no longer matches the tag',
  defaultSeverity: 'information',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-names',
  description:
    'An image written as tag@digest whose tag now points to other content. The kubelet pulls the digest and ignores the tag, so the pin still runs what it always ran, but the tag no longer says what that is. Checked only when registry lookups are on (kubeImages.drift.check, or kube-images check --resolve).',
};

export const tagNotFoundRule: RuleMetadata = {
  code: 'tag-not-found',
  title: 'Tag or repository not found in the registry',
  defaultSeverity: 'warning',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#imagepullbackoff',
  description:
    'The registry answers that the tag or the repository does not exist. A node that has to pull it fails with ErrImagePull, then ImagePullBackOff; with a digest written too, the pull goes by digest, but the tag is wrong. Checked only when registry lookups are on (kubeImages.drift.check, or kube-images check --resolve).',
};
