/**
 * Analysis of one YAML document: parse, find image sites, run the rules, honour ignore comments.
 * Pure and total: text in, plain data out, and bad input becomes a finding, never an exception.
 * Findings carry their rule's default severity; user settings are applied later (`applySeverities`).
 */
import { blankTemplateActionLines, isHelmTemplate } from './helmTemplate';
import { applyIgnoreComments } from './ignoreComments';
import { DEFAULT_VISIT_BUDGET, scanImageSites } from './imageSites';
import { lineContentEnd } from './pullPolicyEdit';
import { SITE_RULES } from './rules';
import { documentTooComplexRule, excessiveAliasingRule, yamlSyntaxRule } from './rules/documentProblems';
import { finding, siteFacts } from './rules/rule';
import type { AnalysisContext, DocumentAnalysis, Finding, ImageSite } from './types';
import { replayAliasExpansion } from './yaml/aliasExpansion';
import { parseYamlDocument } from './yaml/parse';

export interface AnalyzeOptions {
  /** Nodes the image walk may visit; see `DEFAULT_VISIT_BUDGET`. */
  readonly visitBudget?: number;
}

export function analyzeDocument(text: string, context: AnalysisContext = {}, options: AnalyzeOptions = {}): DocumentAnalysis {
  try {
    return analyze(text, context, options.visitBudget ?? DEFAULT_VISIT_BUDGET);
  } catch (error) {
    // A bug of ours must cost one document its analysis, not the server or the CLI run.
    const reason = error instanceof Error ? error.message : String(error);
    const message = `This document could not be analysed (${reason}); its images are not checked.`;
    return { images: [], findings: [finding(documentTooComplexRule, firstLine(text, 0), message)] };
  }
}

function analyze(text: string, context: AnalysisContext, visitBudget: number): DocumentAnalysis {
  const helm = isHelmTemplate(text, context);
  // Blanking keeps every offset, so spans and edits computed on the parsed text apply to `text`.
  const parsed = parseYamlDocument(helm ? blankTemplateActionLines(text) : text);
  const findings: Finding[] = [];
  if (!helm) {
    for (const error of parsed.errors) {
      // The parser may place an error one past the end, where it expected more input.
      const start = Math.min(error.start, text.length);
      const span = { start, end: Math.min(Math.max(error.end, start), text.length) };
      findings.push(finding(yamlSyntaxRule, span, `Invalid YAML, kubectl cannot read this document: ${error.message}`));
    }
  }
  // Only the library parser shares nodes (aliases); the fast scanner declines documents that have any.
  if (parsed.parser === 'yaml' && replayAliasExpansion(parsed.root).excessive) {
    const message =
      'kubectl and the API server refuse this document: its aliases expand to more nodes than their YAML decoder allows ("document contains excessive aliasing", the billion-laughs guard). Its images are not analysed.';
    findings.push(finding(excessiveAliasingRule, firstLine(text, parsed.root?.start ?? 0), message));
    return { images: [], findings };
  }
  const scan = scanImageSites(parsed.root, text, context, visitBudget);
  if (!scan.complete) {
    const message = `This document has more nodes to walk than the analysis allows (${visitBudget}), usually because aliases multiply; images after that point are not checked.`;
    findings.push(finding(documentTooComplexRule, firstLine(text, parsed.root?.start ?? 0), message));
  }
  for (const site of scan.sites) findings.push(...checkSite(site, text));
  const reported = applyIgnoreComments(withoutDuplicates(findings), text);
  reported.sort((a, b) => a.start - b.start || a.end - b.end);
  return { images: scan.sites, findings: reported };
}

function checkSite(site: ImageSite, text: string): Finding[] {
  if (site.templated) return [];
  const facts = siteFacts(site, text);
  return SITE_RULES.flatMap((rule) => rule.check(site, facts));
}

/**
 * Aliases let several sites share one scalar (`image: *img` in two containers): the same finding
 * at the same place is reported once.
 */
function withoutDuplicates(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((item) => {
    const key = `${item.code}\u0000${item.start}\u0000${item.end}\u0000${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function firstLine(text: string, start: number): { start: number; end: number } {
  return { start, end: lineContentEnd(text, start) };
}
