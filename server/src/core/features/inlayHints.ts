/**
 * The effective pull policy, shown after every image whose policy field is omitted: the value the
 * API server will write at creation, why, and an edit that writes it in.
 */
import { parseNormalizedReference } from '../reference';
import type { AnalyzedDocument, PullPolicy, TextEdit } from '../types';
import { imageSitesBetween, valueFollowsKey } from './imageSitesInFile';
import { defaultingReason, policyFieldName, policyMeaning } from './pullPolicyExplanation';

export interface PullPolicyHint {
  /** File offset the hint sits at: right after the image value. */
  readonly offset: number;
  readonly policy: PullPolicy;
  /** Markdown. */
  readonly tooltip: string;
  /** Writes the policy in, in file offsets; absent when no place keeps the document's meaning. */
  readonly edit: TextEdit | undefined;
}

/** Hints for the images whose value ends within `[start, end]` (file offsets). */
export function pullPolicyHints(documents: readonly AnalyzedDocument[], start: number, end: number): PullPolicyHint[] {
  const hints: PullPolicyHint[] = [];
  for (const { site, documentOffset } of imageSitesBetween(documents, start, end)) {
    const { explicit, effective, insert } = site.pullPolicy;
    if (explicit !== undefined || effective === undefined || site.templated || !valueFollowsKey(site)) continue;
    const offset = documentOffset + site.value.end;
    if (offset < start || offset > end) continue;
    const parsed = parseNormalizedReference(site.image);
    const field = policyFieldName(site);
    hints.push({
      offset,
      policy: effective,
      tooltip:
        `\`${field}\` is omitted: the API server sets it to \`${effective}\` when it creates this object, ${defaultingReason(parsed)}.\n\n` +
        policyMeaning(effective, parsed),
      edit: insert === undefined ? undefined : { start: documentOffset + insert.start, end: documentOffset + insert.end, newText: insert.newText },
    });
  }
  return hints;
}
