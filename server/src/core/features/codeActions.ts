/**
 * Edits behind the code actions, in file offsets: writing the effective pull policy in, silencing
 * a code on one line, and applying every preferred fix of a file at once.
 */
import { IGNORE_MARKER, readIgnoreDirective } from '../ignoreComments';
import { applySeverities, type SeverityOverrides } from '../severities';
import type { AnalyzedDocument, DiagnosticCode, TextEdit } from '../types';
import type { Span } from '../yaml/node';
import { documentsBetween, imageSitesBetween } from './imageSitesInFile';
import { policyFieldName } from './pullPolicyExplanation';

export interface EditProposal {
  readonly title: string;
  readonly edits: readonly TextEdit[];
}

/** "Write imagePullPolicy: X in" for each image touching `[start, end]` whose policy is omitted. */
export function writePullPolicyProposals(documents: readonly AnalyzedDocument[], start: number, end: number): EditProposal[] {
  const proposals: EditProposal[] = [];
  for (const { site, documentOffset } of imageSitesBetween(documents, start, end)) {
    const { explicit, effective, insert } = site.pullPolicy;
    if (explicit !== undefined || effective === undefined || insert === undefined || site.templated) continue;
    proposals.push({ title: `Write ${policyFieldName(site)}: ${effective} in`, edits: [shift(insert, documentOffset)] });
  }
  return proposals;
}

/**
 * Codes that a comment cannot sensibly silence: the file was not read as YAML at all, or the
 * document is not valid YAML, which must be fixed rather than hidden (nothing below it is checked).
 */
const NOT_SILENCEABLE: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>(['yaml-syntax', 'document-too-complex', 'excessive-aliasing', 'file-too-large', 'binary-content']);

/**
 * The edit that silences `code` on the line holding `offset`: it extends a directive already
 * aimed at that line, else appends `# kube-images-ignore CODE` to the line, else (when the line
 * opens a value that continues on the next lines, where a trailing comment could land inside
 * the value) puts the directive alone on the line above. Undefined when the line continues a
 * multi-line value: no comment can be placed for it without changing the value.
 */
export function ignoreCommentEdit(text: string, documents: readonly AnalyzedDocument[], offset: number, code: DiagnosticCode): TextEdit | undefined {
  if (NOT_SILENCEABLE.has(code)) return undefined;
  const line = lineAround(text, offset);
  const sameLine = directiveIn(text, line);
  if (sameLine !== undefined && !sameLine.aloneOnLine) return extendDirective(sameLine, code);
  const previous = line.start > 0 ? lineAround(text, previousLineOffset(text, line.start)) : undefined;
  const above = previous === undefined ? undefined : directiveIn(text, previous);
  if (above !== undefined && above.aloneOnLine) return extendDirective(above, code);

  const values = multiLineValues(documents, line);
  if (values.some((value) => value.start < line.start)) return undefined;
  const directive = `# ${IGNORE_MARKER} ${code}`;
  if (values.length > 0) {
    const indent = /^[ \t]*/.exec(text.slice(line.start, line.end))?.[0] ?? '';
    return { start: line.start, end: line.start, newText: `${indent}${directive}${lineBreakAt(text, line.end)}` };
  }
  return { start: line.end, end: line.end, newText: ` ${directive}` };
}

/** Every preferred fix the settings leave visible, skipping fixes that would overlap one already taken. */
export function fixAllEdits(documents: readonly AnalyzedDocument[], overrides: SeverityOverrides): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const document of documents) {
    // A fix stays inside its own document, so overlaps need checking only within one.
    const taken: TextEdit[] = [];
    for (const finding of applySeverities(document.analysis.findings, overrides)) {
      const fix = finding.fixes?.find((candidate) => candidate.isPreferred === true);
      if (fix === undefined || fix.edits.some((edit) => taken.some((other) => overlaps(edit, other)))) continue;
      taken.push(...fix.edits);
    }
    edits.push(...taken.sort((a, b) => a.start - b.start).map((edit) => shift(edit, document.offset)));
  }
  return edits;
}

/** Two edits conflict when their ranges intersect or both insert at the same place (their order would be undefined). */
function overlaps(a: Span, b: Span): boolean {
  return (a.start < b.end && b.start < a.end) || a.start === b.start;
}

function shift(edit: TextEdit, by: number): TextEdit {
  return { start: edit.start + by, end: edit.end + by, newText: edit.newText };
}

interface Directive {
  /** Where a further code goes (file offset): after the last code, before any ` -- reason`. */
  readonly codesEnd: number;
  /** No codes: the directive already silences everything. */
  readonly silencesAll: boolean;
  readonly aloneOnLine: boolean;
}

function directiveIn(text: string, line: Span): Directive | undefined {
  const directive = readIgnoreDirective(text.slice(line.start, line.end));
  if (directive === undefined) return undefined;
  return { codesEnd: line.start + directive.codesEnd, silencesAll: directive.codes.length === 0, aloneOnLine: directive.aloneOnLine };
}

function extendDirective(directive: Directive, code: DiagnosticCode): TextEdit | undefined {
  // Adding a code to a directive that silences everything would narrow it.
  if (directive.silencesAll) return undefined;
  return { start: directive.codesEnd, end: directive.codesEnd, newText: `, ${code}` };
}

/** Image values that touch the line and do not end on it (block scalars, multi-line flow scalars). */
function multiLineValues(documents: readonly AnalyzedDocument[], line: Span): Span[] {
  const values: Span[] = [];
  for (const document of documentsBetween(documents, line.start, line.end)) {
    for (const site of document.analysis.images) {
      const start = document.offset + site.value.start;
      const end = document.offset + site.value.end;
      if (start <= line.end && end > line.start && (start < line.start || end > line.end)) values.push({ start, end });
    }
  }
  return values;
}

/** The line holding `offset`, without its line break. Lines end at LF, CRLF or a lone CR, as in LSP. */
function lineAround(text: string, offset: number): Span {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start -= 1;
  let end = offset;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end += 1;
  return { start, end };
}

/** An offset inside the line before the one starting at `lineStart`. */
function previousLineOffset(text: string, lineStart: number): number {
  return text[lineStart - 1] === '\n' && text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
}

/** The line break ending the line at `lineEnd`, or the file's usual one when the line is the last. */
function lineBreakAt(text: string, lineEnd: number): string {
  if (text.startsWith('\r\n', lineEnd)) return '\r\n';
  if (lineEnd < text.length) return text[lineEnd];
  return text.includes('\r\n') ? '\r\n' : '\n';
}
