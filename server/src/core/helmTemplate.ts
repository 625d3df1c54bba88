/**
 * Helm templates are YAML only once rendered. Two allowances let us still read most of them:
 * their syntax errors are not reported, and lines holding nothing but template actions
 * (`{{- if … }}`, `{{- end }}`, `{{- include … | nindent 8 }}`) are read as blank lines, which keeps
 * the YAML around them readable. Templated values themselves are marked by the walker.
 */
import type { AnalysisContext } from './types';

const TEMPLATE_ACTION_LINE = /^[ \t]*\{\{.*\}\}[ \t]*$/gm;

/** Whether the document is a template: from a chart's `templates/` folder, or holding `{{`. */
export function isHelmTemplate(text: string, context: AnalysisContext): boolean {
  return context.helmTemplate === true || text.includes('{{');
}

/** The text with every template-action-only line replaced by spaces: offsets are unchanged. */
export function blankTemplateActionLines(text: string): string {
  return text.replace(TEMPLATE_ACTION_LINE, (line) => ' '.repeat(line.length));
}
