/**
 * The small YAML tree the analysis walks. Both parsers produce it: the fast block-style scanner
 * (`fastScan.ts`) and the adapter over the `yaml` library (`fromYaml.ts`), so every rule sees the
 * same shape whichever parser read the document.
 *
 * All offsets are UTF-16 offsets into the text of one YAML document (not the whole file): the
 * file layer adds the document's start. This keeps a document's analysis valid when documents
 * before it change, which is what makes per-document caching work.
 */

export type YNode = YMap | YSeq | YScalar;

export interface Span {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset one past the last character. */
  readonly end: number;
}

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

export interface YScalar extends Span {
  readonly type: 'scalar';
  /**
   * The string a Kubernetes string field receives. Plain scalars keep their source text
   * (`1.10` stays "1.10", as Go's YAML decoder gives it to a string field); quoted and block
   * scalars are unescaped and folded. Null-like plain scalars (`~`, `null`, empty) give "".
   */
  readonly value: string;
  readonly style: ScalarStyle;
  /** True for an empty value, `~` and `null`/`Null`/`NULL`: the field is absent for Kubernetes. */
  readonly isNull: boolean;
  /**
   * Offset where `value[0]` sits, when every character of `value` maps one-to-one onto the source
   * from there (plain and single-line quoted scalars without escapes). Undefined when escapes or
   * folding break that mapping: then a diagnostic can only underline the whole scalar.
   */
  readonly valueStart: number | undefined;
}

export interface YPair extends Span {
  readonly key: YScalar;
  /** A key with no value (`image:`) gets an empty null scalar positioned right after the colon. */
  readonly value: YNode;
}

export interface YMap extends Span {
  readonly type: 'map';
  readonly style: 'block' | 'flow';
  /** Pairs in source order. Merge keys (`<<: *base`) are already expanded: merged pairs follow. */
  readonly pairs: readonly YPair[];
}

export interface YSeq extends Span {
  readonly type: 'seq';
  readonly style: 'block' | 'flow';
  readonly items: readonly YNode[];
}

/** A YAML syntax problem, in document offsets. */
export interface YamlProblem extends Span {
  readonly message: string;
}

export interface ParsedYamlDocument {
  /** Undefined for an empty document (only comments or whitespace) or when nothing could be read. */
  readonly root: YNode | undefined;
  readonly errors: readonly YamlProblem[];
  /** Which parser produced the tree; the differential tests compare the two. */
  readonly parser: 'fast' | 'yaml';
}

/** Value of the first pair whose key is `key`, as Kubernetes' decoder would see it (last wins in Go, but duplicate keys are a YAML error we report anyway). */
export function getPair(map: YMap, key: string): YPair | undefined {
  for (const pair of map.pairs) {
    if (pair.key.value === key) return pair;
  }
  return undefined;
}

export function getValue(node: YNode | undefined, key: string): YNode | undefined {
  if (node === undefined || node.type !== 'map') return undefined;
  return getPair(node, key)?.value;
}

export function getString(node: YNode | undefined, key: string): string | undefined {
  const value = getValue(node, key);
  return value !== undefined && value.type === 'scalar' && !value.isNull ? value.value : undefined;
}

const NULL_PLAIN = new Set(['', '~', 'null', 'Null', 'NULL']);

/** Whether a plain scalar's source text means null (YAML core schema, as the `yaml` library and Go decoders agree). */
export function isNullPlain(source: string): boolean {
  return NULL_PLAIN.has(source);
}
