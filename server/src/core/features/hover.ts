/**
 * The hover on an image: the reference as the runtime will pull it, part by part, and the pull
 * policy that will apply, with why and what it means for this container. Markdown out.
 */
import { parseNormalizedReference, toImageReference, type ReferenceParseResult } from '../reference';
import type { AnalyzedDocument, ImageSite } from '../types';
import { imageSiteAt } from './imageSitesInFile';
import { defaultingReason, policyFieldName, policyMeaning } from './pullPolicyExplanation';

export interface HoverContent {
  /** File offsets of the text the hover describes (the image value). */
  readonly start: number;
  readonly end: number;
  readonly markdown: string;
}

const VALID_POLICIES = '`Always`, `IfNotPresent` or `Never`';

export function hoverAt(documents: readonly AnalyzedDocument[], offset: number): HoverContent | undefined {
  const found = imageSiteAt(documents, offset);
  // A templated value is unknown until rendered: anything said about it would be a guess.
  if (found === undefined || found.site.templated) return undefined;
  const { site, documentOffset } = found;
  return { start: documentOffset + site.value.start, end: documentOffset + site.value.end, markdown: describeImageSite(site) };
}

export function describeImageSite(site: ImageSite): string {
  const parsed = parseNormalizedReference(site.image);
  const sections = [`**Image** ${site.image === '' ? '(empty)' : code(site.image)}, ${siteDescription(site)}`, referenceSection(site, parsed)];
  if (site.kind !== 'kustomization') sections.push(policySection(site, parsed));
  return sections.join('\n\n');
}

function referenceSection(site: ImageSite, parsed: ReferenceParseResult): string {
  if (!parsed.ok) return `**Invalid reference**: ${parsed.problem.message}. ${invalidOutcome(site, parsed)}`;
  const reference = toImageReference(parsed);
  const { tag, digest } = parsed.reference;
  const lines = [
    `- **${site.kind === 'kustomization' ? 'Written into the resources as' : 'Pulled as'}** ${code(reference.normalized ?? '')}`,
    `- **Registry** ${code(parsed.reference.registry)}`,
    `- **Repository** ${code(parsed.reference.repository)}`,
    `- **Tag** ${tag !== undefined ? code(tag.text) : digest === undefined ? '`latest` (implied: no tag written)' : 'none'}`,
    `- **Digest** ${digest !== undefined ? code(digest.text) : 'none: the registry resolves the tag at pull time'}`,
  ];
  return lines.join('\n');
}

function invalidOutcome(site: ImageSite, parsed: ReferenceParseResult & { ok: false }): string {
  if (site.kind === 'kustomization') return 'kustomize writes it into the resources as it is.';
  if (parsed.problem.kind === 'empty') return 'The API server rejects the object: `image` is required.';
  if (site.inPod && site.image !== site.image.trim()) return 'The API server rejects a Pod whose image has leading or trailing whitespace.';
  return 'The API server accepts it, but the kubelet cannot parse it: the container never starts and its status shows `InvalidImageName`.';
}

function policySection(site: ImageSite, parsed: ReferenceParseResult): string {
  const field = policyFieldName(site);
  const { explicit, effective } = site.pullPolicy;
  if (effective === undefined) return `**${field}**: set by a template, known once rendered.`;
  if (explicit !== undefined && explicit !== effective) {
    return `**${field}: ${code(explicit)}** is not ${VALID_POLICIES}: the API server rejects the object.`;
  }
  const origin =
    explicit !== undefined
      ? 'as written in the manifest.'
      : `defaulted by the API server at creation ${defaultingReason(parsed)}. ` +
        'The default is written once: changing the tag later keeps this policy.';
  // An unparseable reference is never pulled, so what the policy would mean is beside the point.
  return parsed.ok ? `**${field}: ${effective}**, ${origin}\n\n${policyMeaning(effective, parsed)}` : `**${field}: ${effective}**, ${origin}`;
}

function siteDescription(site: ImageSite): string {
  const named = (what: string): string => (site.name === undefined ? what : `${what} ${code(site.name)}`);
  const kind = escapeMarkdown(site.owner.kind);
  const owner = site.owner.name === undefined ? kind : `${kind} ${code(site.owner.name)}`;
  switch (site.kind) {
    case 'container':
      return `${named('container')} of ${owner}`;
    case 'initContainer':
      return `${named('init container')} of ${owner}`;
    case 'ephemeralContainer':
      return `${named('ephemeral container')} of ${owner}`;
    case 'imageVolume':
      return `${named('image volume')} of ${owner}`;
    case 'kustomization':
      return site.kustomization === undefined ? `image override in ${owner}` : `override of the ${code(site.kustomization.name.value)} images in ${owner}`;
  }
}

/** Inline code that survives backticks in the value. */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') || text.endsWith(' ') ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}

/** Manifest text shown as prose must not turn into links or formatting. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (char) => `\\${char}`);
}
