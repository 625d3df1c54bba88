// The lexical document splitter: where documents begin and end, and agreement with the `yaml` library on generated files.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { generateManifests } from '../../bench/generate';
import { documentEnd, splitDocuments } from '../../server/src/core/yaml/split';

function pieces(text: string): string[] {
  return splitDocuments(text).map((slice) => text.slice(slice.offset, slice.offset + slice.length));
}

const CASES: readonly { name: string; text: string; documents: readonly string[] }[] = [
  { name: 'empty text', text: '', documents: [] },
  { name: 'one document without markers', text: 'a: 1\nb: 2\n', documents: ['a: 1\nb: 2\n'] },
  { name: 'a leading --- belongs to the first document', text: '---\na: 1\n', documents: ['---\na: 1\n'] },
  { name: '--- starts the next document', text: 'a: 1\n---\nb: 2\n', documents: ['a: 1\n', '---\nb: 2\n'] },
  { name: 'comments before the first --- are a document of their own', text: '# head\n---\na: 1\n', documents: ['# head\n', '---\na: 1\n'] },
  { name: '... ends a document and stays with it', text: 'a: 1\n...\nb: 2\n', documents: ['a: 1\n...\n', 'b: 2\n'] },
  { name: '... followed by ---', text: 'a: 1\n...\n---\nb: 2\n', documents: ['a: 1\n...\n', '---\nb: 2\n'] },
  { name: '... as the very first line', text: '...\na: 1\n', documents: ['...\n', 'a: 1\n'] },
  { name: 'directives belong to the document their --- starts', text: 'a: 1\n...\n%YAML 1.2\n---\nb: 2\n', documents: ['a: 1\n...\n', '%YAML 1.2\n---\nb: 2\n'] },
  {
    name: 'comments and blank lines between directives',
    text: 'a: 1\n%YAML 1.2\n# tags\n\n%TAG ! tag:example.com,2000:\n---\nb: 2\n',
    documents: ['a: 1\n', '%YAML 1.2\n# tags\n\n%TAG ! tag:example.com,2000:\n---\nb: 2\n'],
  },
  { name: "a document's own directives and ---", text: '%YAML 1.2\n---\na: 1\n---\nb: 2\n', documents: ['%YAML 1.2\n---\na: 1\n', '---\nb: 2\n'] },
  { name: 'a % line not followed by --- is content', text: 'k: |\n  x\n%not a directive\nb: 1\n', documents: ['k: |\n  x\n%not a directive\nb: 1\n'] },
  { name: '--- inside a block scalar is still a boundary', text: 'k: |\n  a\n---\n  b\n', documents: ['k: |\n  a\n', '---\n  b\n'] },
  { name: '--- inside an unterminated quote is still a boundary', text: 'k: "a\n---\nb: 1\n', documents: ['k: "a\n', '---\nb: 1\n'] },
  { name: '--- followed by content on its line', text: 'a: 1\n--- !!map\nb: 2', documents: ['a: 1\n', '--- !!map\nb: 2'] },
  { name: '--- followed by a tab', text: 'a: 1\n---\tx\n', documents: ['a: 1\n', '---\tx\n'] },
  { name: 'lines that only look like markers', text: 'a: 1\n----\n---x: 1\n  ---\n....\n...x: 2\n', documents: ['a: 1\n----\n---x: 1\n  ---\n....\n...x: 2\n'] },
  { name: 'CRLF line breaks', text: 'a: 1\r\n---\r\nb: 2\r\n...\r\nc: 3\r\n', documents: ['a: 1\r\n', '---\r\nb: 2\r\n...\r\n', 'c: 3\r\n'] },
  { name: 'a final --- without a line break', text: 'a: 1\n---', documents: ['a: 1\n', '---'] },
];

for (const { name, text, documents } of CASES) {
  test(`split: ${name}`, () => {
    assert.deepEqual(pieces(text), documents);
  });
}

test('documentEnd from any document start gives the same boundaries as a split from the beginning', () => {
  const text = generateManifests({ documents: 60, seed: 7, unusualFraction: 0.2 });
  for (const slice of splitDocuments(text)) assert.equal(documentEnd(text, slice.offset), slice.offset + slice.length);
});

test('split agrees with the yaml library on where the documents of generated files are', () => {
  for (const seed of [1, 2, 3]) {
    for (const crlf of [false, true]) {
      const text = generateManifests({ documents: 150, seed, unusualFraction: 0.1, crlf });
      const slices = splitDocuments(text);
      assert.equal(slices.map((slice) => slice.length).reduce((sum, length) => sum + length, 0), text.length, 'the slices cover the text');
      const documents = parseAllDocuments(text);
      assert.ok(Array.isArray(documents));
      assert.equal(slices.length, documents.length, `seed ${seed}${crlf ? ' CRLF' : ''}: one slice per document`);
      documents.forEach((document, index) => {
        const [start, end] = document.contents?.range ?? [0, 0];
        const slice = slices[index]!;
        assert.ok(start >= slice.offset && end <= slice.offset + slice.length, `document ${index} lies in slice ${index}`);
      });
    }
  }
});
