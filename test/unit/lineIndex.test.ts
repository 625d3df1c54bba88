// LineIndex must place every offset exactly where vscode-languageserver-textdocument does, so the
// CLI and the editor agree on every position they report.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../../server/src/core/lineIndex';

test('positions of hand-picked offsets', async (t) => {
  const cases: readonly { name: string; text: string; offset: number; line: number; character: number }[] = [
    { name: 'empty text', text: '', offset: 0, line: 0, character: 0 },
    { name: 'start of text', text: 'ab\ncd', offset: 0, line: 0, character: 0 },
    { name: 'the line feed itself ends the line', text: 'ab\ncd', offset: 2, line: 0, character: 2 },
    { name: 'just after a line feed', text: 'ab\ncd', offset: 3, line: 1, character: 0 },
    { name: 'end of text', text: 'ab\ncd', offset: 5, line: 1, character: 2 },
    { name: 'after a final line break', text: 'ab\n', offset: 3, line: 1, character: 0 },
    { name: 'CRLF counts once', text: 'ab\r\ncd', offset: 4, line: 1, character: 0 },
    { name: 'between CR and LF is the end of the line', text: 'ab\r\ncd', offset: 3, line: 0, character: 2 },
    { name: 'a lone CR breaks a line', text: 'ab\rcd', offset: 3, line: 1, character: 0 },
    { name: 'LF CR is two breaks', text: 'a\n\rb', offset: 3, line: 2, character: 0 },
    { name: 'empty lines', text: '\n\n\nx', offset: 3, line: 3, character: 0 },
    { name: 'characters are UTF-16 code units', text: 'é😀x', offset: 3, line: 0, character: 3 },
    { name: 'negative offsets clamp to the start', text: 'ab\ncd', offset: -4, line: 0, character: 0 },
    { name: 'offsets past the end clamp to the end', text: 'ab\ncd', offset: 99, line: 1, character: 2 },
  ];
  for (const { name, text, offset, line, character } of cases) {
    await t.test(name, () => {
      assert.deepEqual(new LineIndex(text).positionAt(offset), { line, character });
    });
  }
});

test('line counts', async (t) => {
  const cases: readonly (readonly [text: string, lineCount: number])[] = [
    ['', 1],
    ['a', 1],
    ['a\n', 2],
    ['a\r\nb\rc\nd', 4],
    ['\r\n\r\n', 3],
  ];
  for (const [text, lineCount] of cases) {
    await t.test(JSON.stringify(text), () => {
      assert.equal(new LineIndex(text).lineCount, lineCount);
      assert.equal(new LineIndex(text).lineCount, TextDocument.create('file:///x', 'yaml', 0, text).lineCount);
    });
  }
});

test('every offset of generated texts agrees with TextDocument', () => {
  // A fixed-seed generator over the characters that matter: line breaks of every kind and
  // characters that take one or two UTF-16 code units.
  const alphabet = ['a', ' ', '\n', '\r', '\r\n', '😀', 'é', '\t'];
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  for (let sample = 0; sample < 300; sample++) {
    const length = Math.floor(next() * 40);
    const text = Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const lines = new LineIndex(text);
    const document = TextDocument.create('file:///sample.yaml', 'yaml', 0, text);
    for (let offset = -1; offset <= text.length + 1; offset++) {
      assert.deepEqual(lines.positionAt(offset), document.positionAt(offset), `offset ${offset} of ${JSON.stringify(text)}`);
    }
  }
});
