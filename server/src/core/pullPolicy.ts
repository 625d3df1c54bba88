/**
 * `imagePullPolicy` values and the API server's defaulting of an omitted policy
 * (pkg/apis/core/v1/defaults.go, `SetDefaults_Container`; FACTS.md §2).
 */
import { parseNormalizedReference } from './reference';
import type { PullPolicy } from './types';

export const PULL_POLICIES: readonly PullPolicy[] = ['Always', 'IfNotPresent', 'Never'];

/** Exact and case-sensitive, as API validation compares it: `always` is rejected. */
export function isPullPolicy(value: string): value is PullPolicy {
  return (PULL_POLICIES as readonly string[]).includes(value);
}

/**
 * The policy the API server writes into an object created without one. It parses the image the
 * way `parsers.ParseImageName` does and ignores parse errors: `Always` exactly when the tag is
 * `latest`, written or implied (no tag and no digest); anything else, including a digest-only or
 * unparseable image, gets `IfNotPresent`. The tag comparison is case-sensitive (`Latest` is not
 * `latest`).
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const result = parseNormalizedReference(image);
  if (!result.ok) return 'IfNotPresent';
  const { tag, digest } = result.reference;
  const effectiveTag = tag === undefined && digest === undefined ? 'latest' : tag?.text;
  return effectiveTag === 'latest' ? 'Always' : 'IfNotPresent';
}
