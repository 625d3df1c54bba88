/**
 * Why a pull policy applies and what it means on the node, in words shared by the hover and the
 * inlay hint. The rule explained is the API server's defaulting (FACTS.md §2): when the field is
 * omitted it becomes `Always` iff the parsed tag is exactly `latest` (a reference with neither tag
 * nor digest counts as `latest`), else `IfNotPresent`.
 */
import type { ReferenceParseResult } from '../reference';
import type { ImageSite, PullPolicy } from '../types';

/** Image volumes call the field `pullPolicy`; containers call it `imagePullPolicy`. */
export function policyFieldName(site: ImageSite): string {
  return site.kind === 'imageVolume' ? 'pullPolicy' : 'imagePullPolicy';
}

/** The clause that completes "defaulted by the API server at creation …". */
export function defaultingReason(parsed: ReferenceParseResult): string {
  if (!parsed.ok) return 'because the reference does not parse, so no `latest` tag is found';
  const { tag, digest } = parsed.reference;
  if (tag === undefined) {
    return digest === undefined
      ? 'because the reference has no tag, which means `latest`'
      : 'because the reference is pinned by digest and has no tag';
  }
  if (tag.text === 'latest') {
    return digest === undefined ? 'because the tag is `latest`' : 'because the tag is `latest`; the digest does not change the default';
  }
  return `because the tag is \`${tag.text}\`, not \`latest\``;
}

/** What the kubelet does with `policy` when this container (or pod, for an image volume) starts. */
export function policyMeaning(policy: PullPolicy, parsed: ReferenceParseResult): string {
  switch (policy) {
    case 'Always':
      return (
        'The kubelet asks the registry what the reference points to at every start: a registry round trip even when ' +
        'the node has the image, and no start while the registry is unreachable (`ErrImagePull`).'
      );
    case 'IfNotPresent':
      return parsed.ok && parsed.reference.digest === undefined
        ? 'The kubelet pulls only when the node does not have the image: a node that has it keeps what it has, even after the tag has moved to other content.'
        : 'The kubelet pulls only when the node does not have the image.';
    case 'Never':
      return 'The kubelet never pulls: the node must already have the image, else the start fails with `ErrImageNeverPull`.';
  }
}
