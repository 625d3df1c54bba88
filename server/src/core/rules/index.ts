/**
 * The rule registry: metadata for every diagnostic code we emit (the CLI's SARIF output and the
 * settings documentation read it), and the rules that check image sites, in the order they run.
 */
import type { DiagnosticCode } from '../types';
import { deprecatedRegistryRule } from './deprecatedRegistry';
import { binaryContentRule, documentTooComplexRule, excessiveAliasingRule, fileTooLargeRule, yamlSyntaxRule } from './documentProblems';
import { emptyImageRule } from './emptyImage';
import { imageWhitespaceRule } from './imageWhitespace';
import { implicitLatestRule } from './implicitLatest';
import { invalidPullPolicyRule } from './invalidPullPolicy';
import { invalidReferenceRule } from './invalidReference';
import { kustomizeInvalidFieldRule } from './kustomizeInvalidField';
import { latestTagRule } from './latestTag';
import { neverMutableTagRule } from './neverMutableTag';
import { notPinnedRule } from './notPinned';
import { digestDriftRule, tagNotFoundRule } from './registryFindings';
import type { RuleMetadata, SiteRule } from './rule';
import { tagAndDigestRule } from './tagAndDigest';
import { uppercaseRepositoryRule } from './uppercaseRepository';

export type { RuleMetadata, SiteFacts, SiteRule } from './rule';

export const SITE_RULES: readonly SiteRule[] = [
  emptyImageRule,
  imageWhitespaceRule,
  invalidReferenceRule,
  uppercaseRepositoryRule,
  implicitLatestRule,
  latestTagRule,
  tagAndDigestRule,
  notPinnedRule,
  neverMutableTagRule,
  invalidPullPolicyRule,
  deprecatedRegistryRule,
  kustomizeInvalidFieldRule,
];

/** Metadata for every code; a `Record` so that adding a code without its metadata does not compile. */
export const RULES: Readonly<Record<DiagnosticCode, RuleMetadata>> = {
  'invalid-reference': metadataOf(invalidReferenceRule),
  'uppercase-repository': metadataOf(uppercaseRepositoryRule),
  'empty-image': metadataOf(emptyImageRule),
  'image-whitespace': metadataOf(imageWhitespaceRule),
  'implicit-latest': metadataOf(implicitLatestRule),
  'latest-tag': metadataOf(latestTagRule),
  'tag-and-digest': metadataOf(tagAndDigestRule),
  'not-pinned': metadataOf(notPinnedRule),
  'never-mutable-tag': metadataOf(neverMutableTagRule),
  'invalid-pull-policy': metadataOf(invalidPullPolicyRule),
  'deprecated-registry': metadataOf(deprecatedRegistryRule),
  'kustomize-invalid-field': metadataOf(kustomizeInvalidFieldRule),
  'digest-drift': digestDriftRule,
  'tag-not-found': tagNotFoundRule,
  'yaml-syntax': yamlSyntaxRule,
  'document-too-complex': documentTooComplexRule,
  'excessive-aliasing': excessiveAliasingRule,
  'file-too-large': fileTooLargeRule,
  'binary-content': binaryContentRule,
};

/** Every rule's metadata in a stable order (as `RULES` lists them). */
export const RULE_LIST: readonly RuleMetadata[] = Object.values(RULES);

/** Metadata without the check function, so it serialises cleanly. */
function metadataOf({ code, title, defaultSeverity, docsUrl, description }: RuleMetadata): RuleMetadata {
  return { code, title, defaultSeverity, docsUrl, description };
}
