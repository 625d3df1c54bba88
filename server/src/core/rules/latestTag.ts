import type { SiteRule } from './rule';
import { fieldSpan, finding, imageSpan, mutableReferenceConsequence } from './rule';

const LATEST = 'latest';

/** `:latest` moves with every push, and the API server defaults its policy to Always (FACTS.md §2). */
export const latestTagRule: SiteRule = {
  code: 'latest-tag',
  title: 'The :latest tag',
  defaultSeverity: 'warning',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy',
  description:
    'An image tagged ":latest". The tag names whatever was pushed last, and imagePullPolicy defaults to Always for it, so what runs depends on when and where a container starts.',
  check(site, facts) {
    if (site.kind === 'kustomization') {
      const { newTag, digest, name } = site.kustomization ?? {};
      if (newTag?.value !== LATEST || digest !== undefined || name === undefined) return [];
      const message = `kustomize tags every "${name.value}" image ":latest": it names whatever was pushed last, and imagePullPolicy defaults to Always for it wherever a container does not set one.`;
      return [finding(latestTagRule, fieldSpan(newTag, facts.text), message)];
    }
    if (!facts.reference.ok) return [];
    const { tag, digest } = facts.reference.reference;
    // With a digest the tag is not what is pulled: tag-and-digest reports that.
    if (tag?.text !== LATEST || digest !== undefined) return [];
    const message = `":latest" names whatever was pushed last; ${mutableReferenceConsequence(site)}.`;
    return [finding(latestTagRule, imageSpan(site, facts, tag.start, tag.end), message)];
  },
};
