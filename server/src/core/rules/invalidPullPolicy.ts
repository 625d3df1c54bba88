import { isPullPolicy, PULL_POLICIES } from '../pullPolicy';
import type { Fix } from '../types';
import type { SiteRule } from './rule';
import { fieldPath, finding, policyField, rewriteScalar } from './rule';

/** API validation accepts exactly the three values, case-sensitively (FACTS.md §2, validatePullPolicy). */
export const invalidPullPolicyRule: SiteRule = {
  code: 'invalid-pull-policy',
  title: 'Invalid pull policy',
  defaultSeverity: 'error',
  docsUrl: 'https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy',
  description:
    'A pull policy other than Always, IfNotPresent or Never (case matters). The API server rejects the object with "Unsupported value".',
  check(site, facts) {
    const { explicit, explicitSpan } = site.pullPolicy;
    if (site.kind === 'kustomization' || explicit === undefined || explicitSpan === undefined) return [];
    if (isPullPolicy(explicit) || explicit.includes('{{')) return [];
    const path = `${fieldPath(site).replace(/[^.]*$/, '')}${policyField(site)}`;
    const supported = PULL_POLICIES.map((policy) => `"${policy}"`).join(', ');
    const message = `The API server rejects this ${site.owner.kind} (${path}: Unsupported value: "${explicit}": supported values: ${supported}).`;
    const sameLetters = PULL_POLICIES.find((policy) => policy.toLowerCase() === explicit.trim().toLowerCase());
    const choices = sameLetters === undefined ? PULL_POLICIES : [sameLetters];
    const fixes: Fix[] = choices.map((policy) => ({
      title: `Change to ${policy}`,
      isPreferred: sameLetters !== undefined,
      edits: [rewriteScalar(explicitSpan, facts.text, policy)],
    }));
    return [finding(invalidPullPolicyRule, explicitSpan, message, fixes)];
  },
};
