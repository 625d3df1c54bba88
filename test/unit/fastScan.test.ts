// The fast block-style scanner: what it reads (always exactly as the yaml library does) and what it leaves to the library.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { scanBlockDocument } from '../../server/src/core/yaml/fastScan';
import { parseWithYamlLibrary } from '../../server/src/core/yaml/fromYaml';
import { parseYamlDocument } from '../../server/src/core/yaml/parse';

/** Documents the scanner must read; the expected tree is the library's. */
const ACCEPTED: readonly { name: string; text: string }[] = [
  { name: 'plain, quoted and null scalars', text: "a: x\nb: 'it''s'\nc: \"dq\"\nd: ~\ne: null\nf:\ng: ''\nh: -1\ni: :x\nj: a:b\nk: a#b\nl: 1.10\n" },
  { name: 'trailing comments and spaces', text: 'a: x   # note\nb: "q"  #\nc:   # empty\nd: []  # none\ne: {}\n' },
  { name: 'keys that need care', text: ".dockerconfigjson: x\n'quoted key': 1\n\"dq\": 2\nkey with spaces: 3\nspaced  : 4\n-dash: 5\nx.y/z: 6\n" },
  { name: 'compact and indented sequences', text: 'a:\n- x\n- y: 1\n  z: 2\nb:\n  - p\n  -   q: 1\n      r: 2\nc: 1\n' },
  { name: 'a sequence item on its own line', text: 'a:\n  -\n    name: x\n  - # comment\n    name: y\n' },
  { name: 'a root sequence', text: '- a\n- b: 1\n' },
  { name: 'a Kubernetes manifest', text: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.25\n    imagePullPolicy: IfNotPresent\n' },
  { name: 'literal block scalars with every chomping', text: 'a: |\n  one\n   two\n\n  three\n\n\nb: |-\n  x\n\nc: |+\n  y\n\n\nd: end\n' },
  { name: 'folded block scalars with more-indented lines', text: 'a: >\n  one\n  two\n\n  three\n    indented\n  four\nb: >-\n  x\n  y\nc: >+\n  z\n\n' },
  { name: 'block scalar with an indentation indicator and a comment', text: 'a: |2 # keep\n    leading\n  base\nb: 1\n' },
  { name: 'empty block scalars', text: 'a: |\nb: >-\nc: |+\n\nd: 1\n' },
  { name: 'block scalar as a sequence item, last in the document', text: 'args:\n- |\n  echo hi\n  exit 0\n\n\n' },
  { name: 'block scalar whose lines contain tabs and #', text: 'a: |\n  \tindented with a tab\n  # not a comment\nb: 1\n' },
  { name: 'comments indented under a value belong to it', text: 'a:\n  b: x\n     # deeper\n\n   # still deeper\n\nc: 1\n' },
  { name: 'comments at the column of a nested mapping stay with it', text: 'a:\n  b:\n    c: x\n    # same column\n  d: 1\n' },
  { name: 'comments ending a nested sequence', text: 'a:\n  - x\n    # deeper\n  # at the sequence\nb: 1\n' },
  { name: 'comments after an empty value', text: 'a:\n  b:\n  # comment\nc: 1\n' },
  { name: 'comments at the end of the document', text: 'a:\n  b:\n    c: x\n      # deep\n  # middle\n# root\n' },
  { name: 'blank lines with spaces', text: 'a:\n  b: 1\n    \n  \nc: 2\n' },
  { name: 'CRLF line breaks', text: "a: x\r\nb:\r\n  - 'q'\r\n  # c\r\nc: |\r\n  line\r\n\r\nd: 1\r\n" },
  { name: 'document markers and comments around them', text: '# before\n--- # marker\n# after\na: 1\n...\n# trailing\n' },
  { name: 'single-line flow sequences of scalars', text: 'command: ["sh", "-c", "echo hi"]\nverbs: [get, list,watch]\nnone: [ ]\nodd: [ \'it\'\'s\' , ~, null, a b  , -c, a#b, a:b, ?x, :x, ]\n' },
  { name: 'flow sequences as sequence items, with comments after and below', text: 'rules:\n- [a, "b"]  # pair\n-   [ c ]\n    # below\nx: [\'\']\n' },
  { name: 'no final line break', text: 'a:\n  b: x' },
  { name: 'only a document marker', text: '---   \n# nothing here\n' },
  { name: 'only comments', text: '# one\n\n  # two\n' },
  { name: 'empty text', text: '' },
  { name: 'non-ASCII text', text: 'name: café\nnote: "日本語"\nemoji: 🚀 rocket\n' },
];

for (const { name, text } of ACCEPTED) {
  test(`fast scanner reads exactly as the library: ${name}`, () => {
    const fast = scanBlockDocument(text);
    assert.ok(fast !== undefined, 'accepted');
    const library = parseWithYamlLibrary(text);
    assert.deepEqual(library.errors, []);
    assert.equal(fast.parser, 'fast');
    assert.deepEqual(fast.errors, []);
    assert.deepEqual(fast.root, library.root);
  });
}

/** Documents the scanner must leave to the library. */
const DECLINED: readonly { name: string; text: string }[] = [
  { name: 'anchor', text: 'a: &x 1\n' },
  { name: 'alias', text: 'a: *x\n' },
  { name: 'merge key', text: 'a:\n  <<: {}\n' },
  { name: 'tag', text: 'a: !!str 1\n' },
  { name: 'directive', text: '%YAML 1.2\n---\na: 1\n' },
  { name: 'flow mapping with content', text: 'a: {b: 1}\n' },
  { name: 'spaced empty flow mapping', text: 'a: { }\n' },
  { name: 'flow sequence over several lines', text: 'a: [b,\n  c]\n' },
  { name: 'flow sequence with a nested collection', text: 'a: [b, [c]]\n' },
  { name: 'flow sequence with a mapping inside', text: 'a: [b: c]\n' },
  { name: 'flow sequence with an empty entry', text: 'a: [b, , c]\n' },
  { name: 'flow sequence with a comment inside', text: 'a: [b #c\n  ]\n' },
  { name: 'flow sequence with an indicator as an item', text: 'a: [-, b]\n' },
  { name: 'flow sequence with an alias', text: 'a: [*b]\n' },
  { name: 'flow sequence with an escape', text: 'a: ["b\\tc"]\n' },
  { name: 'text after a flow sequence', text: 'a: [b] c\n' },
  { name: 'flow sequence as a key', text: '- [a]: b\n' },
  { name: 'multi-line plain scalar', text: 'a: one\n  two\n' },
  { name: 'multi-line quoted scalar', text: 'a: "one\n  two"\n' },
  { name: 'escape in double quotes', text: 'a: "tab\\there"\n' },
  { name: 'tab as indentation', text: 'a:\n\tb: 1\n' },
  { name: 'tab in a plain value', text: 'a: x\ty\n' },
  { name: 'duplicate key', text: 'a: 1\nb: 2\na: 3\n' },
  { name: 'duplicate key, quoted and plain', text: "a: 1\n'a': 2\n" },
  { name: 'duplicate key in a long mapping', text: 'k0: 0\nk1: 1\nk2: 2\nk3: 3\nk4: 4\nk5: 5\nk6: 6\nk7: 7\nk8: 8\nk9: 9\nk3: again\n' },
  { name: 'number key', text: '1: a\n' },
  { name: 'boolean key', text: 'true: a\n' },
  { name: 'null key', text: '~: a\n' },
  { name: 'explicit key', text: '? a\n: 1\n' },
  { name: 'empty sequence item', text: 'a:\n-\n- x\n' },
  { name: 'nested compact sequence', text: '- - a\n' },
  { name: 'byte order mark', text: '\uFEFFa: 1\n' },
  { name: 'indented root', text: '  a: 1\n' },
  { name: 'root scalar', text: 'just text\n' },
  { name: 'nested mapping on the key line', text: 'a: b: c\n' },
  { name: 'sequence on the key line', text: 'a: - b\n' },
  { name: 'inconsistent indentation', text: 'a:\n    b: 1\n  c: 2\n' },
  { name: 'sequence item inside a mapping', text: 'a: 1\n- b\n' },
  { name: 'unterminated quote', text: "a: 'open\n" },
  { name: 'comment without a space after a quote', text: 'a: "x"#c\n' },
  { name: 'text after a quote', text: 'a: "x" y\n' },
  { name: 'lone carriage return', text: 'a: x\ry\n' },
  { name: 'a second document marker', text: '---\na: 1\n---\nb: 2\n' },
  { name: 'content after ...', text: 'a: 1\n...\nb: 2\n' },
  { name: 'content on the --- line', text: '--- a: 1\n' },
  { name: 'key longer than the library allows', text: `${'k'.repeat(1100)}: v\n` },
  { name: 'more-indented leading blank lines in a block scalar', text: 'a: |\n      \n  x\n' },
  { name: 'block scalar header with junk', text: 'a: |x\n  y\n' },
  { name: 'block scalar header comment without a space', text: 'a: |#c\n  y\n' },
  { name: 'Helm template', text: 'image: {{ .Values.image }}\n' },
  { name: 'nesting deeper than the scanner goes', text: Array.from({ length: 120 }, (_, depth) => `${' '.repeat(depth)}k:`).join('\n') + ' v\n' },
];

for (const { name, text } of DECLINED) {
  test(`fast scanner declines: ${name}`, () => {
    assert.equal(scanBlockDocument(text), undefined);
  });
}

test('parseYamlDocument uses the fast scanner when it can and the library otherwise', () => {
  assert.equal(parseYamlDocument('a: 1\n').parser, 'fast');
  const fallback = parseYamlDocument('a: &x 1\nb: *x\n');
  assert.equal(fallback.parser, 'yaml');
  assert.deepEqual(fallback.root, parseWithYamlLibrary('a: &x 1\nb: *x\n').root);
});
