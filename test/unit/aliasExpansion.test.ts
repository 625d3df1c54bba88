import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeDocument } from '../../server/src/core/analyzeDocument';
import { allowedAliasRatio, replayAliasExpansion } from '../../server/src/core/yaml/aliasExpansion';
import { parseWithYamlLibrary } from '../../server/src/core/yaml/fromYaml';

/** A classic alias bomb: `levels` levels of 9 aliases to the level below. */
function laughs(levels: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: lol}', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < levels; level++) lines.push(`a${level}: &a${level} [${Array(9).fill(`*a${level - 1}`).join(',')}]`);
  return lines.join('\n') + '\n';
}

test('allowedAliasRatio follows goyaml.v2: 99 % up to 400,000 nodes, 10 % from 4,000,000, linear between', () => {
  const cases: [number, number][] = [
    [0, 0.99],
    [400_000, 0.99],
    [2_200_000, 0.99 - 0.89 * 0.5],
    [4_000_000, 0.1],
    [40_000_000, 0.1],
  ];
  for (const [decodeCount, expected] of cases) assert.ok(Math.abs(allowedAliasRatio(decodeCount) - expected) < 1e-12, `${decodeCount}`);
});

test('a billion-laughs document is refused after a bounded amount of work', () => {
  const expansion = replayAliasExpansion(parseWithYamlLibrary(laughs(9)).root);
  assert.equal(expansion.excessive, true);
  // 9^9 nodes if unfolded; the decoder gives up within the first few thousand.
  assert.ok(expansion.decodedNodes < 5_000, `decoded ${expansion.decodedNodes}`);
});

test('small alias use, even mostly aliases, stays under the guard (fewer than 1,000 decoded nodes)', () => {
  // Three levels unfold to 9 + 81 + 729 scalars: under 1,000 nodes, which the decoder never questions.
  assert.equal(replayAliasExpansion(parseWithYamlLibrary(laughs(3)).root).excessive, false);
  assert.equal(replayAliasExpansion(parseWithYamlLibrary(laughs(4)).root).excessive, true);
});

test('ordinary reuse of anchors is accepted', () => {
  const env = Array.from({ length: 30 }, (_, index) => `    - {name: V${index}, value: "${index}"}`).join('\n');
  const containers = Array.from({ length: 20 }, (_, index) => `    - {name: c${index}, image: "nginx:1.25", env: *env}`).join('\n');
  const text = `apiVersion: v1\nkind: Pod\nx-env: &env\n${env}\nspec:\n  containers:\n${containers}\n`;
  // 20 aliases of a 91-node list: about 1,800 of 2,100 nodes come from aliases, 87 %, under 99 %.
  assert.equal(replayAliasExpansion(parseWithYamlLibrary(text).root).excessive, false);
  assert.equal(analyzeDocument(text).images.length, 20);
});

test('a document without aliases is never excessive, however large', () => {
  const items = Array.from({ length: 5_000 }, (_, index) => `  - item${index}`).join('\n');
  assert.equal(replayAliasExpansion(parseWithYamlLibrary(`list:\n${items}\n`).root).excessive, false);
});

test('analyzeDocument reports excessive aliasing once, as an error, and checks no images', () => {
  const text = laughs(9) + 'spec:\n  containers: [{name: x, image: nginx, env: *a8}]\n';
  const analysis = analyzeDocument(text);
  assert.deepEqual(analysis.findings.map((finding) => [finding.code, finding.severity]), [['excessive-aliasing', 'error']]);
  assert.deepEqual(analysis.images, []);
});
