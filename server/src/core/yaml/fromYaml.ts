/**
 * The reference parser: one YAML document read by the `yaml` library, converted to our tree.
 * Used for every document the fast scanner declines (anchors, flow collections, block scalars in
 * places we read, directives, tabs, anything unusual) and as the oracle in differential tests.
 */
import { Alias, isAlias, isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import type { Document, Node as YamlLibNode, Pair } from 'yaml';
import { isNullPlain } from './node';
import type { ParsedYamlDocument, ScalarStyle, YMap, YNode, YPair, YScalar, YSeq, YamlProblem } from './node';

const STYLE_BY_TYPE: Record<string, ScalarStyle> = {
  PLAIN: 'plain',
  QUOTE_SINGLE: 'single',
  QUOTE_DOUBLE: 'double',
  BLOCK_LITERAL: 'literal',
  BLOCK_FOLDED: 'folded',
};

export function parseWithYamlLibrary(text: string): ParsedYamlDocument {
  const doc = parseDocument(text, { keepSourceTokens: false, prettyErrors: false, uniqueKeys: true, strict: true });
  const errors: YamlProblem[] = doc.errors.map((error) => ({
    start: error.pos[0],
    end: Math.max(error.pos[1], error.pos[0]),
    message: error.message,
  }));
  const converter = new Converter(doc, text);
  const contents = doc.contents as YamlLibNode | null;
  const root = contents === null ? undefined : converter.convert(contents);
  return { root, errors, parser: 'yaml' };
}

class Converter {
  /** Aliases share the converted target, so a document stays a DAG the size of its source (no alias expansion here). */
  private readonly converted = new Map<unknown, YNode>();
  private readonly inProgress = new Set<unknown>();

  constructor(
    private readonly doc: Document,
    private readonly text: string,
  ) {}

  convert(node: YamlLibNode | Alias | null | undefined, fallbackOffset = 0): YNode {
    if (node === null || node === undefined) return emptyScalar(fallbackOffset);
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined || this.inProgress.has(target)) return emptyScalar(node.range?.[0] ?? fallbackOffset);
      return this.convert(target as YamlLibNode, node.range?.[0] ?? fallbackOffset);
    }
    const cached = this.converted.get(node);
    if (cached !== undefined) return cached;
    this.inProgress.add(node);
    let result: YNode;
    if (isScalar(node)) result = this.scalar(node);
    else if (isMap(node)) result = this.map(node.items as Pair[], node.range, node.flow === true);
    else if (isSeq(node)) result = this.seq(node.items as (YamlLibNode | null)[], node.range, node.flow === true);
    else result = emptyScalar(fallbackOffset);
    this.inProgress.delete(node);
    this.converted.set(node, result);
    return result;
  }

  private scalar(node: Scalar): YScalar {
    const [start, end] = node.range ?? [0, 0];
    const style = STYLE_BY_TYPE[node.type ?? 'PLAIN'] ?? 'plain';
    // `source` is the plain text as written (so `1.10` stays "1.10"); quoted and block scalars keep the decoded value.
    const raw = style === 'plain' ? String((node as Scalar & { source?: string }).source ?? node.value ?? '') : String(node.value ?? '');
    const isNull = style === 'plain' && isNullPlain(raw);
    const value = isNull ? '' : raw;
    return { type: 'scalar', start, end, value, style, isNull, valueStart: this.valueStart(style, start, end, value) };
  }

  private valueStart(style: ScalarStyle, start: number, end: number, value: string): number | undefined {
    if (style === 'plain') return this.text.slice(start, end) === value ? start : undefined;
    if (style === 'single' || style === 'double') return this.text.slice(start + 1, end - 1) === value ? start + 1 : undefined;
    return undefined;
  }

  private map(items: Pair[], range: [number, number, number] | null | undefined, flow: boolean): YMap {
    const [start, end] = range ?? [0, 0];
    const pairs: YPair[] = [];
    const merged: YPair[] = [];
    for (const item of items) {
      const keyNode = item.key as YamlLibNode | null;
      const keyStart = keyNode?.range?.[0] ?? start;
      const key = keyNode !== null && isScalar(keyNode) ? this.scalar(keyNode) : emptyScalar(keyStart);
      const keyEnd = keyNode?.range?.[1] ?? keyStart;
      const value = this.convert(item.value as YamlLibNode | null, keyEnd + 1);
      if (key.style === 'plain' && key.value === '<<') {
        merged.push(...mergeSources(value));
        continue;
      }
      pairs.push({ key, value, start: key.start, end: Math.max(value.end, key.end) });
    }
    // Go's YAML decoders (sigs.k8s.io/yaml) give explicit keys precedence over merged ones, and earlier merge sources over later ones.
    const seen = new Set(pairs.map((pair) => pair.key.value));
    for (const pair of merged) {
      if (seen.has(pair.key.value)) continue;
      seen.add(pair.key.value);
      pairs.push(pair);
    }
    return { type: 'map', style: flow ? 'flow' : 'block', start, end, pairs };
  }

  private seq(items: (YamlLibNode | null)[], range: [number, number, number] | null | undefined, flow: boolean): YSeq {
    const [start, end] = range ?? [0, 0];
    return { type: 'seq', style: flow ? 'flow' : 'block', start, end, items: items.map((item) => this.convert(item, start)) };
  }
}

function mergeSources(value: YNode): YPair[] {
  if (value.type === 'map') return [...value.pairs];
  if (value.type === 'seq') return value.items.flatMap((item) => (item.type === 'map' ? item.pairs : []));
  return [];
}

export function emptyScalar(offset: number): YScalar {
  return { type: 'scalar', start: offset, end: offset, value: '', style: 'plain', isNull: true, valueStart: offset };
}
