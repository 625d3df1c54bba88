/**
 * What a rule is, and what rules share: the facts read once per image site, and the helpers that
 * point at part of an image and edit it without disturbing the YAML around it.
 */
import { parseNormalizedReference } from '../reference';
import type { ReferenceParseResult } from '../reference';
import type { DiagnosticCode, Finding, Fix, ImageSite, ScalarField, SeveritySetting, TextEdit } from '../types';
import { isNullPlain } from '../yaml/node';
import type { Span } from '../yaml/node';

export interface RuleMetadata {
  /** Stable: users configure and silence the rule by it. */
  readonly code: DiagnosticCode;
  readonly title: string;
  readonly defaultSeverity: SeveritySetting;
  /** The Kubernetes documentation the rule rests on. */
  readonly docsUrl: string;
  /** A sentence or two for the settings documentation and SARIF. */
  readonly description: string;
}

/** Facts about one site that several rules read, computed once per site. */
export interface SiteFacts {
  /** The YAML document's text. */
  readonly text: string;
  /** `site.image` without leading and trailing whitespace: that fault is reported once, by its own rule. */
  readonly image: string;
  /** Where `image` starts inside `site.image`. */
  readonly imageOffset: number;
  /** `image` parsed as the kubelet parses it. */
  readonly reference: ReferenceParseResult;
}

export interface SiteRule extends RuleMetadata {
  /** Never called for templated sites: their value is not known until the template is rendered. */
  check(site: ImageSite, facts: SiteFacts): readonly Finding[];
}

/** Location of a scalar in the document (an image value or a kustomization field). */
type LocatedScalar = Span & { readonly valueStart: number | undefined };

export function siteFacts(site: ImageSite, text: string): SiteFacts {
  const image = site.image.trim();
  const imageOffset = image === '' ? 0 : site.image.length - site.image.trimStart().length;
  return { text, image, imageOffset, reference: parseNormalizedReference(image) };
}

export function finding(rule: RuleMetadata, span: Span, message: string, fixes?: readonly Fix[]): Finding {
  const base = { code: rule.code, severity: rule.defaultSeverity, start: span.start, end: span.end, message };
  return fixes === undefined || fixes.length === 0 ? base : { ...base, fixes };
}

/** Document span of `facts.image[start, end)`; the whole scalar when its characters do not map one-to-one onto the source. */
export function imageSpan(site: ImageSite, facts: SiteFacts, start: number, end: number): Span {
  return spanWithin(site.value, facts.text, facts.imageOffset + start, facts.imageOffset + end);
}

/** The whole image, without surrounding whitespace when that can be located. */
export function wholeImageSpan(site: ImageSite, facts: SiteFacts): Span {
  return facts.image === '' ? contentSpan(site.value, facts.text) : imageSpan(site, facts, 0, facts.image.length);
}

/** Edit that replaces `facts.image[start, end)` with `replacement`. */
export function imageEdit(site: ImageSite, facts: SiteFacts, start: number, end: number, replacement: string): TextEdit {
  return editWithin(site.value, facts.text, site.image, facts.imageOffset + start, facts.imageOffset + end, replacement);
}

/** Document span of `value[start, end)` for a scalar holding `value`. */
export function spanWithin(scalar: LocatedScalar, text: string, start: number, end: number): Span {
  if (scalar.valueStart === undefined) return contentSpan(scalar, text);
  return { start: scalar.valueStart + start, end: scalar.valueStart + end };
}

/** Edit that turns the scalar's `value` into `value[0, start) + replacement + value[end…]`. */
export function editWithin(scalar: LocatedScalar, text: string, value: string, start: number, end: number, replacement: string): TextEdit {
  if (scalar.valueStart !== undefined) return { start: scalar.valueStart + start, end: scalar.valueStart + end, newText: replacement };
  return rewriteScalar(scalar, text, value.slice(0, start) + replacement + value.slice(end));
}

/** Span of a kustomization field's part, `field.value[start, end)`. */
export function fieldSpan(field: ScalarField, text: string, start = 0, end = field.value.length): Span {
  return spanWithin(field, text, start, end);
}

/**
 * Replaces a whole scalar with `value`, keeping its quoting when it had one. Block scalars and
 * values a plain scalar cannot hold as a string become double-quoted (JSON escapes are YAML escapes).
 */
export function rewriteScalar(scalar: Span, text: string, value: string): TextEdit {
  const span = contentSpan(scalar, text);
  const opening = text[scalar.start];
  let newText: string;
  if (opening === "'") newText = `'${value.replace(/'/g, "''")}'`;
  else if (opening === '"' || !isSafePlain(value)) newText = JSON.stringify(value);
  else newText = value;
  return { ...span, newText };
}

/**
 * Kubernetes' field path of the site inside its own object (a `List` item's path starts at the
 * item), as the API server names fields in its errors: `spec.containers[0].image`.
 */
export function fieldPath(site: ImageSite): string {
  let segments = site.path;
  while (segments[0] === 'items' && typeof segments[1] === 'number') segments = segments.slice(2);
  return segments.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}

/** The policy field's name for this site: `imagePullPolicy` for containers, `pullPolicy` for image volumes. */
export function policyField(site: ImageSite): string {
  return site.kind === 'imageVolume' ? 'pullPolicy' : 'imagePullPolicy';
}

/** What the effective pull policy means for a reference whose content can change under the same name. */
export function mutableReferenceConsequence(site: ImageSite): string {
  const field = policyField(site);
  const source = site.pullPolicy.explicit === undefined ? `${field} defaults to` : `${field} is`;
  switch (site.pullPolicy.effective) {
    case 'Always':
      return `${source} Always: every start waits on a registry round trip, and a restart can run different content than the last one`;
    case 'IfNotPresent':
      return `${source} IfNotPresent: each node keeps whatever it pulled first, so nodes can run different content`;
    case 'Never':
      return `${source} Never: each node runs whatever it already has under that name, and a node without it fails with ErrImageNeverPull`;
    default:
      return 'what runs changes whenever the tag moves';
  }
}

/** The span without the line break that ends a block scalar. */
function contentSpan(scalar: Span, text: string): Span {
  let end = scalar.end;
  while (end > scalar.start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end -= 1;
  return { start: scalar.start, end };
}

/** Whether `value` written as a plain scalar reads back as the same string, in block and flow context. */
function isSafePlain(value: string): boolean {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.\/:@+%-]*$/.test(value) || value.endsWith(':')) return false;
  // Words and numbers YAML resolves to something other than a string.
  return !isNullPlain(value) && !/^(?:true|false|yes|no|on|off|y|n|[-+]?[0-9][0-9_.:eE+-]*|\.inf|\.nan)$/i.test(value);
}
