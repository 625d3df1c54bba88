import { parseNormalizedReference, parseReference } from '../reference';
import type { ReferenceProblem } from '../reference';
import type { Finding, ScalarField } from '../types';
import type { SiteRule } from './rule';
import { fieldSpan, finding } from './rule';

/** A stand-in repository name, so a tag or digest can be checked by the reference grammar alone. */
const PROBE_NAME = 'a';

/**
 * kustomize copies `newName`, `newTag` and `digest` into every matching image without checking
 * them (its imagetag filter), so a bad field becomes an InvalidImageName on the node.
 */
export const kustomizeInvalidFieldRule: SiteRule = {
  code: 'kustomize-invalid-field',
  title: 'Invalid kustomize image field',
  defaultSeverity: 'error',
  docsUrl: 'https://kubernetes.io/docs/tasks/manage-kubernetes-objects/kustomization/#kustomize-feature-list',
  description:
    'A kustomization images entry whose newName, newTag or digest cannot form a valid reference. kustomize writes it into every matching container anyway, and the kubelet then fails with InvalidImageName.',
  check(site, facts) {
    const fields = site.kustomization;
    if (site.kind !== 'kustomization' || fields === undefined) return [];
    const report = (field: ScalarField, problem: Pick<ReferenceProblem, 'start' | 'end' | 'message'>): Finding => {
      const span = problem.start < problem.end ? fieldSpan(field, facts.text, problem.start, problem.end) : fieldSpan(field, facts.text);
      const message = `kustomize writes "${site.image}" into every container using "${fields.name.value}", and the kubelet cannot parse it, so those Pods never start (InvalidImageName): ${problem.message}.`;
      return finding(kustomizeInvalidFieldRule, span, message);
    };
    const findings: Finding[] = [];
    if (fields.newName !== undefined) {
      const parsed = parseNormalizedReference(fields.newName.value);
      if (!parsed.ok) findings.push(report(fields.newName, parsed.problem));
    }
    if (fields.newTag !== undefined) {
      const problem = suffixProblem(fields.newTag.value, ':', 'tag');
      if (problem !== undefined) findings.push(report(fields.newTag, problem));
    }
    if (fields.digest !== undefined) {
      const problem = suffixProblem(fields.digest.value, '@', 'digest');
      if (problem !== undefined) findings.push(report(fields.digest, problem));
    }
    // Fields valid on their own can still clash, like a tag in newName next to newTag.
    if (findings.length === 0 && fields.newName !== undefined) {
      const combined = parseNormalizedReference(site.image);
      if (!combined.ok) findings.push(report(fields.newName, { start: 0, end: 0, message: combined.problem.message }));
    }
    return findings;
  },
};

/**
 * Checks a tag (or digest) by parsing it behind a stand-in name, then maps the problem back onto
 * the field. A tag may carry its own digest (`1.0@sha256:…`), which the kubelet accepts.
 */
function suffixProblem(value: string, separator: ':' | '@', part: 'tag' | 'digest'): Pick<ReferenceProblem, 'start' | 'end' | 'message'> | undefined {
  const offset = PROBE_NAME.length + separator.length;
  const parsed = parseReference(`${PROBE_NAME}${separator}${value}`);
  if (!parsed.ok) {
    const start = Math.max(0, parsed.problem.start - offset);
    const end = Math.max(start, parsed.problem.end - offset);
    return { start, end, message: parsed.problem.message };
  }
  // `5000/app` after a ':' parses, but as a registry port and a path: not a tag.
  const { domain, path } = parsed.reference;
  if (domain === undefined && path.text === PROBE_NAME && parsed.reference[part] !== undefined) return undefined;
  return { start: 0, end: value.length, message: `"${value}" is not a ${part}` };
}
