// The language server's chunked text document against the reference it replaces: every position,
// offset, range and edit must come out as `vscode-languageserver-textdocument` gives it, and the
// text must read as the same string, whatever the chunk boundaries.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { generateManifests } from '../../bench/generate';
import { FileAnalyzer, type TextChange } from '../../server/src/core/fileAnalyzer';
import { SeededRandom } from '../../bench/random';
import { ChunkedTextDocument } from '../../server/src/lsp/chunkedTextDocument';

/** Line breaks of every kind, a surrogate pair, and text that makes CRLF pairs across an edit's edges. */
const PIECES = ['a', 'image: nginx', '\n', '\r\n', '\r', '\n\n', '🚀', 'key: value\r\n', '---\n', '', 'xy\rz', ' '];

function randomText(random: SeededRandom, pieces: number): string {
  let text = '';
  for (let count = 0; count < pieces; count++) text += random.pick(PIECES);
  return text;
}

/** Positions as clients send them, including lines and characters past the end and below zero. */
function randomPosition(random: SeededRandom, lineCount: number): Position {
  const roll = random.next();
  if (roll < 0.05) return { line: lineCount + random.below(3), character: random.below(5) };
  if (roll < 0.08) return { line: -1, character: random.below(3) };
  return { line: random.below(lineCount), character: roll < 0.12 ? 1000 : random.below(14) };
}

function randomChange(random: SeededRandom, reference: TextDocument): TextDocumentContentChangeEvent {
  if (random.next() < 0.03) return { text: randomText(random, random.below(20)) };
  return { range: { start: randomPosition(random, reference.lineCount), end: randomPosition(random, reference.lineCount) }, text: randomText(random, random.below(4)) };
}

function assertSameDocument(chunked: ChunkedTextDocument, reference: TextDocument, label: string): void {
  const text = reference.getText();
  assert.equal(chunked.getText(), text, label);
  assert.equal(chunked.length, text.length, label);
  assert.equal(chunked.version, reference.version, label);
  assert.equal(chunked.lineCount, reference.lineCount, label);
  for (let offset = -1; offset <= text.length + 1; offset++) {
    const expected = reference.positionAt(offset);
    assert.deepEqual(chunked.positionAt(offset), expected, `${label}: positionAt(${offset})`);
    // Searching forward from any line gives the same answer, whether that line is before the offset's or past it.
    for (const fromLine of [0, expected.line - 3, expected.line - 1, expected.line, expected.line + 1, reference.lineCount + 2]) {
      assert.deepEqual(chunked.positionAtFrom(offset, fromLine), expected, `${label}: positionAtFrom(${offset}, ${fromLine})`);
    }
  }
  for (let line = -1; line <= reference.lineCount; line++) {
    assert.deepEqual(chunked.getLineRange(line), reference.getLineRange(line), `${label}: getLineRange(${line})`);
    assert.equal(chunked.getEOLCharacters(line), reference.getEOLCharacters(line), `${label}: getEOLCharacters(${line})`);
    for (const character of [-1, 0, 1, 2, 5, 1000]) {
      const position = { line, character };
      assert.equal(chunked.offsetAt(position), reference.offsetAt(position), `${label}: offsetAt(${line}:${character})`);
    }
  }
}

for (const chunkSize of [1, 3, 16]) {
  test(`random edits give the text, positions and offsets TextDocument gives (chunks of ${chunkSize})`, () => {
    const random = new SeededRandom(1000 + chunkSize);
    for (let round = 0; round < 20; round++) {
      const initial = randomText(random, random.below(30));
      const chunked = new ChunkedTextDocument('file:///a.yaml', 'yaml', 1, initial, chunkSize);
      const reference = TextDocument.create('file:///a.yaml', 'yaml', 1, initial);
      assertSameDocument(chunked, reference, `round ${round}, initial`);
      for (let step = 0; step < 25; step++) {
        // Several changes in one notification, each generated on the text the previous one left.
        const changes: TextDocumentContentChangeEvent[] = [];
        for (let count = random.below(3); count >= 0; count--) {
          const change = randomChange(random, reference);
          changes.push(change);
          TextDocument.update(reference, [change], reference.version);
        }
        const version = reference.version + 1;
        TextDocument.update(reference, [], version);
        chunked.update(changes, version);
        assertSameDocument(chunked, reference, `round ${round}, step ${step}`);
      }
    }
  });
}

test('an empty change list still moves the document to its version', () => {
  const chunked = new ChunkedTextDocument('file:///a.yaml', 'yaml', 1, 'a: 1\n', 2);
  chunked.update([], 7);
  assert.equal(chunked.version, 7);
  assert.equal(chunked.getText(), 'a: 1\n');
});

test('the text reads as the same string across chunk boundaries: charCodeAt, slice, indexOf', () => {
  const random = new SeededRandom(7);
  const text = randomText(random, 60) + '\u0000' + randomText(random, 20);
  for (const chunkSize of [1, 2, 5, 1000]) {
    const chunked = new ChunkedTextDocument('file:///a.yaml', 'yaml', 1, text, chunkSize);
    // An edit that leaves chunks of different sizes behind.
    const middle = Math.floor(text.length / 2);
    const edited = text.slice(0, middle) + 'inserted text' + text.slice(middle + 3);
    chunked.update([{ range: { start: chunked.positionAt(middle), end: chunked.positionAt(middle + 3) }, text: 'inserted text' }], 2);
    assert.equal(chunked.getText(), edited);
    const label = `chunks of ${chunkSize}`;
    for (let offset = -1; offset <= edited.length; offset++) {
      assert.equal(Number.isNaN(chunked.charCodeAt(offset)), Number.isNaN(edited.charCodeAt(offset)), `${label}: charCodeAt(${offset})`);
      if (!Number.isNaN(edited.charCodeAt(offset))) assert.equal(chunked.charCodeAt(offset), edited.charCodeAt(offset), `${label}: charCodeAt(${offset})`);
    }
    const bounds = [undefined, -1000, -5, -1, 0, 1, 4, middle, edited.length - 2, edited.length, edited.length + 5];
    for (const start of bounds) {
      for (const end of bounds) assert.equal(chunked.slice(start, end), edited.slice(start, end), `${label}: slice(${start}, ${end})`);
    }
    for (const needle of ['\n', '\r\n', '\u0000', 'inserted text', 'ted te', '🚀', 'not there', '']) {
      for (const position of [undefined, -3, 0, 1, middle, edited.length - 1, edited.length, edited.length + 3]) {
        assert.equal(chunked.indexOf(needle, position), edited.indexOf(needle, position), `${label}: indexOf(${JSON.stringify(needle)}, ${position})`);
      }
    }
  }
});

test('the file analyzer reads an edited chunked document as it reads the same string', () => {
  const random = new SeededRandom(11);
  const initial = generateManifests({ documents: 40, seed: 9, unusualFraction: 0.2 });
  const chunked = new ChunkedTextDocument('file:///a.yaml', 'yaml', 1, initial, 64);
  const incremental = new FileAnalyzer({});
  incremental.update(chunked.getText());
  const insertions = ['x', '\n', '---\n', '...\n', '%YAML 1.2\n', 'image: nginx:latest\n', ''];
  for (let step = 0; step < 200; step++) {
    const start = random.below(chunked.length + 1);
    const end = Math.min(chunked.length, start + random.below(random.next() < 0.9 ? 6 : 300));
    const inserted = random.pick(insertions);
    const changes: TextChange[] = [{ start, end, newLength: inserted.length }];
    chunked.update([{ range: { start: chunked.positionAt(start), end: chunked.positionAt(end) }, text: inserted }], step + 2);
    incremental.update(chunked, changes);
    const fresh = new FileAnalyzer({});
    fresh.update(chunked.getText());
    assert.deepEqual(incremental.documents, fresh.documents, `step ${step}`);
  }
});
