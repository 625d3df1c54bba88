/**
 * From registry answers to edits: the pin each reference gets, what could not be pinned and why,
 * and the findings only a registry can support (a moved tag, a missing tag). Pure: targets and
 * outcomes in, plain data out, offsets in the file the targets were found in.
 */
import { digestDriftRule, tagNotFoundRule } from '../core/rules/registryFindings';
import type { Finding, TextEdit } from '../core/types';
import type { MissingPart, Platform, ResolvedImage } from '../registry/types';
import { formatPlatform, platformMatches } from './platform';
import type { PinTarget, PinTargets } from './pinTargets';
import type { LookupOutcome } from './resolveLookups';

export interface PinChange {
  /** The reference as written, and where (file offsets, before the change). */
  readonly from: string;
  readonly start: number;
  readonly end: number;
  /** The reference after the change: the tag as written, then `@digest`. */
  readonly to: string;
  /** The smallest edit that makes the change: the digest inserted after the reference, or the old digest replaced. */
  readonly edit: TextEdit;
}

export interface PinFailure {
  readonly image: string;
  readonly message: string;
}

export interface PinPlan {
  /** In file order. */
  readonly changes: readonly PinChange[];
  /** One per distinct image and reason. */
  readonly failures: readonly PinFailure[];
}

/**
 * The digest a pin writes. By default the digest the tag names, which for a multi-platform image
 * is the index (manifest list): every node's runtime then picks its own platform from it. With a
 * platform, that platform's manifest from the index's list (`image.platforms`, which every
 * lookup asks for).
 */
export function pinDigest(image: ResolvedImage, platform: Platform | undefined): { readonly digest: string } | { readonly problem: string } {
  if (platform === undefined) return { digest: image.digest };
  // A single manifest is all the tag names: there is no other platform to choose.
  if (image.platforms === undefined) return { digest: image.digest };
  const entry = image.platforms.find((offered) => platformMatches(platform, offered));
  if (entry !== undefined) return { digest: entry.digest };
  const offered = image.platforms.map(formatPlatform).join(', ');
  return { problem: `${image.reference} offers no ${formatPlatform(platform)} image (it offers ${offered === '' ? 'none' : offered})` };
}

/** The change that pins `target` to `digest` (or moves its pin there). */
export function pinChange(target: PinTarget, digest: string): PinChange {
  const { reference } = target;
  if (target.digest === undefined) {
    return {
      from: reference.text,
      start: reference.start,
      end: reference.end,
      to: `${reference.text}@${digest}`,
      edit: { start: reference.end, end: reference.end, newText: `@${digest}` },
    };
  }
  const digestStart = target.digest.start - reference.start;
  return {
    from: reference.text,
    start: reference.start,
    end: reference.end,
    to: reference.text.slice(0, digestStart) + digest + reference.text.slice(target.digest.end - reference.start),
    edit: { start: target.digest.start, end: target.digest.end, newText: digest },
  };
}

/** Pins every unpinned target whose lookup succeeded; the rest, and every unplaceable reference, become failures. */
export function planPins(found: PinTargets, outcomes: ReadonlyMap<string, LookupOutcome>, platform: Platform | undefined): PinPlan {
  const changes: PinChange[] = [];
  const failures = new FailureList();
  for (const target of found.targets) {
    if (target.digest !== undefined) continue;
    const outcome = outcomes.get(target.lookup);
    if (outcome === undefined) continue;
    if (!outcome.ok) {
      failures.add(target.reference.text, outcome.message);
      continue;
    }
    const chosen = pinDigest(outcome.image, platform);
    if ('problem' in chosen) failures.add(target.reference.text, chosen.problem);
    else changes.push(pinChange(target, chosen.digest));
  }
  for (const image of found.unplaceable) {
    if (image.digest === undefined) failures.add(image.image, `cannot pin "${image.image}": ${image.reason}`);
  }
  return { changes, failures: failures.list };
}

/**
 * `digest-drift` for a pinned reference whose tag now names other content, and `tag-not-found`
 * for a reference whose tag or repository the registry does not know. Other failures (no
 * credentials, unreachable) say nothing about the manifest and make no finding.
 */
export function registryFindings(targets: readonly PinTarget[], outcomes: ReadonlyMap<string, LookupOutcome>, platform: Platform | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const target of targets) {
    const outcome = outcomes.get(target.lookup);
    if (outcome === undefined) continue;
    if (!outcome.ok) {
      if (outcome.kind === 'not-found') findings.push(tagNotFound(target, outcome.missing));
      continue;
    }
    if (target.digest !== undefined && !namesDigest(outcome.image, target.digest.text)) findings.push(digestDrift(target, outcome.image, platform));
  }
  return findings;
}

/** `sha256:0123456789ab…`: enough of a digest to tell it apart in a title. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 || digest.length <= colon + 13 ? digest : `${digest.slice(0, colon + 13)}…`;
}

/** Whether the tag still names `digest`: as its own digest, or as one platform's manifest in its index. */
function namesDigest(image: ResolvedImage, digest: string): boolean {
  return image.digest === digest || (image.platforms ?? []).some((entry) => entry.digest === digest);
}

function digestDrift(target: PinTarget, image: ResolvedImage, platform: Platform | undefined): Finding {
  const pinned = target.digest!;
  const tag = target.tag?.text ?? 'latest';
  const chosen = pinDigest(image, platform);
  const now = 'digest' in chosen ? chosen.digest : image.digest;
  const message =
    `The tag "${tag}" now points to ${now} in ${image.registry}, not to the pinned ${pinned.text}. ` +
    'The kubelet pulls the pinned digest and ignores the tag, so the tag no longer says what runs.';
  const finding: Finding = { code: digestDriftRule.code, severity: digestDriftRule.defaultSeverity, start: pinned.start, end: pinned.end, message };
  if (!('digest' in chosen)) return finding;
  const move = { title: `Move the pin to ${shortDigest(chosen.digest)}`, edits: [pinChange(target, chosen.digest).edit], isPreferred: true };
  return { ...finding, fixes: [move] };
}

const MISSING: Readonly<Partial<Record<MissingPart, string>>> = { repository: 'no such repository', tag: 'no such tag', digest: 'no such manifest' };

function tagNotFound(target: PinTarget, missing: MissingPart | undefined): Finding {
  const span = target.tag ?? target.reference;
  const consequence =
    target.digest === undefined
      ? 'a node that pulls it fails with ErrImagePull, then ImagePullBackOff'
      : 'the kubelet pulls the pinned digest and ignores the tag, but the tag names nothing';
  const written = target.digest === undefined ? target.reference.text : target.reference.text.slice(0, target.digest.start - target.reference.start - 1);
  const pulled = target.tag === undefined ? `${written}:latest` : written;
  const what = (missing === undefined ? undefined : MISSING[missing]) ?? 'no such tag or repository';
  const message = `The registry ${target.registry} has no "${pulled}" (${what}): ${consequence}.`;
  return { code: tagNotFoundRule.code, severity: tagNotFoundRule.defaultSeverity, start: span.start, end: span.end, message };
}

/** Failures without repeats: an image written in ten places failed once. */
class FailureList {
  readonly list: PinFailure[] = [];
  private readonly seen = new Set<string>();

  add(image: string, message: string): void {
    const key = `${image}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ image, message });
  }
}
