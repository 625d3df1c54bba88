/**
 * Silencing one line: `# kube-images-ignore CODE[, CODE…]` at the end of a line silences those
 * codes on that line; a comment alone on its line silences them on the next line. Without codes,
 * every finding on that line is silenced. Text after ` -- ` is a free-form reason.
 *
 * The comment is found lexically (a `#` at the start of a line or after whitespace), so the words
 * inside a quoted string that happens to contain them would count too: an accepted imprecision
 * for a marker nobody writes in a value.
 */
import { LineIndex } from './lineIndex';
import type { Span } from './yaml/node';

export const IGNORE_MARKER = 'kube-images-ignore';

/** The codes silenced on one line, or every code. */
export type IgnoredCodes = ReadonlySet<string> | 'all';

const DIRECTIVE = new RegExp(`(^|\\s)#\\s*${IGNORE_MARKER}(?=$|[\\s,])`);

/** One silencing comment as written on a line. Offsets are into the line. */
export interface IgnoreDirective {
  /** The codes it names; empty means every code. */
  readonly codes: readonly string[];
  /** Offset just after the last code (or the marker): where a further code goes, before any ` -- reason`. */
  readonly codesEnd: number;
  /** Nothing but the comment on the line: it aims at the next line. */
  readonly aloneOnLine: boolean;
}

/** Reads the silencing comment on one line of text (without its line break), if there is one. */
export function readIgnoreDirective(line: string): IgnoreDirective | undefined {
  if (!line.includes(IGNORE_MARKER)) return undefined;
  const match = DIRECTIVE.exec(line);
  if (match === null) return undefined;
  const codesStart = match.index + match[0].length;
  const rest = line.slice(codesStart);
  const reason = rest.search(/\s--(?:\s|$)/);
  const codesText = (reason < 0 ? rest : rest.slice(0, reason)).trimEnd();
  return {
    codes: codesText.split(/[\s,]+/).filter((code) => code !== ''),
    codesEnd: codesStart + codesText.length,
    aloneOnLine: line.slice(0, match.index + match[1]!.length).trim() === '',
  };
}

/** Silencing directives by 0-based line of the text they silence. */
export function parseIgnoreComments(text: string): Map<number, IgnoredCodes> {
  const silenced = new Map<number, IgnoredCodes>();
  if (!text.includes(IGNORE_MARKER)) return silenced;
  // Same line breaks as LineIndex (and LSP): LF, CRLF or a lone CR.
  text.split(/\r\n|\r|\n/).forEach((line, lineNumber) => {
    const directive = readIgnoreDirective(line);
    if (directive === undefined) return;
    const target = directive.aloneOnLine ? lineNumber + 1 : lineNumber;
    const { codes } = directive;
    silenced.set(target, merge(silenced.get(target), codes.length === 0 ? 'all' : new Set(codes)));
  });
  return silenced;
}

/** The findings no directive silences. A finding belongs to the line where it starts. */
export function applyIgnoreComments<T extends Span & { readonly code: string }>(findings: readonly T[], text: string): T[] {
  const silenced = parseIgnoreComments(text);
  if (silenced.size === 0) return [...findings];
  const lines = new LineIndex(text);
  return findings.filter((finding) => {
    const codes = silenced.get(lines.positionAt(finding.start).line);
    return codes === undefined || (codes !== 'all' && !codes.has(finding.code));
  });
}

/**
 * Whether a directive silences `code` on a line, judged from that line and the one before it (a
 * comment alone on its line aims at the next), as `applyIgnoreComments` judges it from the whole
 * text. For callers with a few findings in a large text, which need not read all of it.
 */
export function isSilencedOnLine(code: string, line: string, previousLine: string | undefined): boolean {
  const silences = (directive: IgnoreDirective | undefined): boolean =>
    directive !== undefined && (directive.codes.length === 0 || directive.codes.includes(code));
  const own = readIgnoreDirective(line);
  const above = previousLine === undefined ? undefined : readIgnoreDirective(previousLine);
  return (own?.aloneOnLine === false && silences(own)) || (above?.aloneOnLine === true && silences(above));
}

function merge(existing: IgnoredCodes | undefined, added: IgnoredCodes): IgnoredCodes {
  if (existing === undefined) return added;
  if (existing === 'all' || added === 'all') return 'all';
  return new Set([...existing, ...added]);
}
