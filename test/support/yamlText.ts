// Writing YAML inside TypeScript tests without fighting indentation.

/**
 * Template tag for a YAML document: drops the first line break and the indentation common to all
 * lines, and ends the text with exactly one line break.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((text, part, index) => text + part + (index < values.length ? String(values[index]) : ''), '');
  const lines = raw.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length));
  return `${lines.map((line) => line.slice(indent)).join('\n')}\n`;
}
