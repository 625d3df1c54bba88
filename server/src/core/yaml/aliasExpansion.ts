/**
 * Kubernetes' guard against alias bombs ("billion laughs"), replayed on our tree.
 *
 * kubectl and the API server decode YAML with sigs.k8s.io/yaml's fork of go-yaml v2. Its decoder
 * counts every node it decodes (`decodeCount`) and every node decoded inside an alias expansion
 * (`aliasCount`), and fails with "document contains excessive aliasing" as soon as
 * `aliasCount > 100 && decodeCount > 1000 && aliasCount / decodeCount > allowedAliasRatio(decodeCount)`
 * (goyaml.v2 decode.go). Replaying the same counts in the same (document) order tells us whether
 * Kubernetes will refuse the document, with work bounded by the point where it would refuse.
 *
 * Our tree has no alias nodes: an alias is the anchored node itself, shared. In document order the
 * anchor comes before its aliases, so the first visit of a shared node is its definition and every
 * later visit is an alias.
 */
import type { YNode } from './node';

const RATIO_RANGE_LOW = 400_000;
const RATIO_RANGE_HIGH = 4_000_000;

/** goyaml.v2 `allowedAliasRatio`: 99 % of nodes may come from aliases in small documents, 10 % in very large ones. */
export function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= RATIO_RANGE_LOW) return 0.99;
  if (decodeCount >= RATIO_RANGE_HIGH) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - RATIO_RANGE_LOW) / (RATIO_RANGE_HIGH - RATIO_RANGE_LOW));
}

export interface AliasExpansion {
  /** True when Kubernetes' decoder rejects the document with "document contains excessive aliasing". */
  readonly excessive: boolean;
  /** Nodes decoded when the replay stopped (at rejection, or the whole document). */
  readonly decodedNodes: number;
}

/**
 * Replays the decoder's counters over `root`. Documents without shared nodes cost one pass over the
 * tree; alias bombs stop as soon as the ratio is exceeded, after a few thousand nodes.
 */
export function replayAliasExpansion(root: YNode | undefined): AliasExpansion {
  if (root === undefined) return { excessive: false, decodedNodes: 0 };
  const seen = new Set<YNode>();
  let decodeCount = 0;
  let aliasCount = 0;
  let excessive = false;

  // Explicit stack: documents may nest deeper than the call stack allows.
  const stack: { node: YNode; insideAlias: boolean }[] = [{ node: root, insideAlias: false }];
  while (stack.length > 0 && !excessive) {
    let { node, insideAlias } = stack.pop()!;
    if (seen.has(node)) {
      // The alias node itself is decoded first, then its target inside the expansion.
      count(insideAlias);
      insideAlias = true;
      if (excessive) break;
    } else {
      seen.add(node);
    }
    count(insideAlias);
    if (node.type === 'map') {
      for (let index = node.pairs.length - 1; index >= 0; index--) {
        const pair = node.pairs[index]!;
        stack.push({ node: pair.value, insideAlias }, { node: pair.key, insideAlias });
      }
    } else if (node.type === 'seq') {
      for (let index = node.items.length - 1; index >= 0; index--) stack.push({ node: node.items[index]!, insideAlias });
    }
  }
  return { excessive, decodedNodes: decodeCount };

  function count(insideAlias: boolean): void {
    decodeCount++;
    if (insideAlias) aliasCount++;
    if (aliasCount > 100 && decodeCount > 1000 && aliasCount / decodeCount > allowedAliasRatio(decodeCount)) excessive = true;
  }
}
