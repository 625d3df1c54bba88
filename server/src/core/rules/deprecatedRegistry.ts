import { parseNormalizedReference } from '../reference';
import type { Finding, ScalarField, TextEdit } from '../types';
import type { Span } from '../yaml/node';
import type { SiteRule } from './rule';
import { editWithin, fieldSpan, finding, imageEdit, imageSpan } from './rule';

const FROZEN_REGISTRY = 'k8s.gcr.io';
const REPLACEMENT_REGISTRY = 'registry.k8s.io';

const MESSAGE =
  `${FROZEN_REGISTRY} is frozen since 3 April 2023 and redirects to ${REPLACEMENT_REGISTRY}: nothing published since exists there, and nodes whose egress allows only ${FROZEN_REGISTRY} fail to pull. ` +
  `${REPLACEMENT_REGISTRY} serves the same image paths.`;

/**
 * The Kubernetes project's old registry. Only `k8s.gcr.io` itself: the regional GCR hosts behind
 * it (`{us,eu,asia}.gcr.io/k8s-artifacts-prod`) were not announced as frozen and have other paths.
 */
export const deprecatedRegistryRule: SiteRule = {
  code: 'deprecated-registry',
  title: 'Deprecated registry k8s.gcr.io',
  defaultSeverity: 'warning',
  docsUrl: 'https://kubernetes.io/blog/2023/03/10/image-registry-redirect/',
  description: `An image from ${FROZEN_REGISTRY}, frozen since April 2023 and redirected to ${REPLACEMENT_REGISTRY}. The fix switches to ${REPLACEMENT_REGISTRY}, which serves the same paths.`,
  check(site, facts) {
    if (site.kind === 'kustomization') {
      const newName = site.kustomization?.newName;
      return newName === undefined ? [] : checkKustomizeNewName(newName, facts.text);
    }
    if (!facts.reference.ok) return [];
    const domain = facts.reference.reference.domain;
    if (domain === undefined || domain.text.toLowerCase() !== FROZEN_REGISTRY) return [];
    const edit = imageEdit(site, facts, domain.start, domain.end, REPLACEMENT_REGISTRY);
    return [report(imageSpan(site, facts, domain.start, domain.end), edit)];
  },
};

function checkKustomizeNewName(newName: ScalarField, text: string): Finding[] {
  const parsed = parseNormalizedReference(newName.value);
  const domain = parsed.ok ? parsed.reference.domain : undefined;
  if (domain === undefined || domain.text.toLowerCase() !== FROZEN_REGISTRY) return [];
  const edit = editWithin(newName, text, newName.value, domain.start, domain.end, REPLACEMENT_REGISTRY);
  return [report(fieldSpan(newName, text, domain.start, domain.end), edit)];
}

function report(span: Span, edit: TextEdit): Finding {
  return finding(deprecatedRegistryRule, span, MESSAGE, [{ title: `Use ${REPLACEMENT_REGISTRY}`, isPreferred: true, edits: [edit] }]);
}
