// Differential test of the fast scanner against the yaml library: wherever the scanner accepts a
// document, its tree must deep-equal the library's (values, styles, spans, isNull, valueStart),
// and the library must see no error in it.
import { test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateManifests } from '../../bench/generate';
import { scanBlockDocument } from '../../server/src/core/yaml/fastScan';
import { parseWithYamlLibrary } from '../../server/src/core/yaml/fromYaml';
import { SeededRandom } from '../../bench/random';
import { splitDocuments } from '../../server/src/core/yaml/split';

const realWorldDir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'real-world');

interface Tally {
  documents: number;
  accepted: number;
}

/** Checks every document of `text`; returns how many the scanner accepted. */
function checkDocuments(text: string, label: string): Tally {
  const tally = { documents: 0, accepted: 0 };
  for (const slice of splitDocuments(text)) {
    const document = text.slice(slice.offset, slice.offset + slice.length);
    tally.documents++;
    checkDocument(document, `${label} @${slice.offset}`, tally);
  }
  return tally;
}

function checkDocument(document: string, label: string, tally: Tally): void {
  const fast = scanBlockDocument(document);
  if (fast === undefined) return;
  tally.accepted++;
  const library = parseWithYamlLibrary(document);
  assert.deepEqual(library.errors, [], `${label}: accepted a document the library reports errors in:\n${document}`);
  assert.deepEqual(fast.root, library.root, `${label}: trees differ for:\n${document}`);
}

function report(t: TestContext, what: string, tally: Tally): void {
  const rate = tally.documents === 0 ? 0 : (100 * tally.accepted) / tally.documents;
  t.diagnostic(`${what}: fast scanner accepted ${tally.accepted} of ${tally.documents} documents (${rate.toFixed(1)} %)`);
}

test('generated plain manifests: identical trees, and nearly all read by the fast scanner', (t) => {
  const total = { documents: 0, accepted: 0 };
  for (const seed of [11, 12, 13]) {
    for (const crlf of [false, true]) {
      const tally = checkDocuments(generateManifests({ documents: 300, seed, crlf }), `seed ${seed}${crlf ? ' CRLF' : ''}`);
      total.documents += tally.documents;
      total.accepted += tally.accepted;
    }
  }
  report(t, 'generated plain documents', total);
  assert.ok(total.accepted >= 0.95 * total.documents, `acceptance ${total.accepted}/${total.documents} is below 95 %`);
});

test('generated manifests with unusual documents: identical trees, and the fallback is exercised', (t) => {
  const total = { documents: 0, accepted: 0 };
  for (const seed of [21, 22, 23]) {
    for (const crlf of [false, true]) {
      const tally = checkDocuments(generateManifests({ documents: 300, seed, unusualFraction: 0.25, crlf }), `seed ${seed}${crlf ? ' CRLF' : ''}`);
      total.documents += tally.documents;
      total.accepted += tally.accepted;
    }
  }
  report(t, 'generated documents, 25 % unusual', total);
  assert.ok(total.documents - total.accepted >= 0.15 * total.documents, 'unusual documents go to the library');
});

test('real-world manifests: identical trees wherever the fast scanner accepts', (t) => {
  const files = readdirSync(realWorldDir).filter((name) => name.endsWith('.yaml'));
  assert.ok(files.length >= 45, `expected at least 45 real-world files, found ${files.length}`);
  // Every file must say where it came from: only tool output we generated and hand-written files may be committed.
  const sources = readFileSync(join(realWorldDir, 'SOURCES.md'), 'utf8');
  const undocumented = files.filter((name) => !sources.includes(`| \`${name}\` |`));
  assert.deepEqual(undocumented, [], 'files without a row in SOURCES.md');
  const total = { documents: 0, accepted: 0 };
  for (const name of files) {
    const tally = checkDocuments(readFileSync(join(realWorldDir, name), 'utf8'), name);
    total.documents += tally.documents;
    total.accepted += tally.accepted;
  }
  report(t, `real-world corpus (${files.length} files)`, total);
  // Most real documents are plain block YAML; a scanner that declined them would make this test vacuous.
  assert.ok(total.accepted >= 0.8 * total.documents, `acceptance ${total.accepted}/${total.documents} is below 80 %`);
});

// ---- SeededRandom documents ----
// Block YAML built from a small grammar, with comments and blank lines at random indentation
// between every two lines, tricky scalars and keys, block scalars, odd spacing and CRLF. Many are
// invalid or unusual; the property is only that an accepted document reads exactly as in the library.

const SCALARS = ['x', 'nginx:1.25', '~', 'null', '', "'q'", "'it''s'", '"dq"', '"a b"', '[]', '{}', '-1', ':x', 'a:b', 'a #b', 'a#b', 'true', '1.0', "'  '", 'a  ', '?x', 'foo bar', '"x" ', '- a', '&a x', '*a', '!!str x', 'a: b', '[a]', '"a\\nb"', "'open", 'http://x:80/y'];
/** Single-line flow sequences, readable and not, for the scanner's flow-sequence reader. */
const FLOW_SEQUENCES = ['["sh", "-c", "echo hi"]', '[get, list,watch]', "[ 'it''s' , ~, null ]", '[a, b,]', '[ ]', '[-c, a#b, a:b, ?x, :x]', '[a b  , "c" ]', '[a: b]', '[a #b]', '[a, ]', '[,]', '[a,,b]', '[-, a]', '[a:, b]', '["a" b]', '[a, [b]]', '[a, {b: c}]', '[*a]', '[a,', '["a\\tb"]', '[a\tb]', '[x]y', '[x]#c', '[x] # c', "['x'y]"];
const BLOCK_HEADERS = ['|', '|-', '|+', '>', '>-', '>+', '|2', '>1-', '| # c', '|#c', '|x'];
const BLOCK_LINES = ['text', 'more text', '\tt', '# not a comment', 'a: b'];
const KEYS = ['a', 'b', 'c', 'name', 'image', "'q k'", '"dk"', 'a b', 'x.y/z', '1', 'true', '<<', 'k ', '-k', 'a:b', '.dockerconfigjson'];

class RandomDocument {
  readonly lines: string[] = [];

  constructor(private readonly random: SeededRandom) {}

  trivia(indent: number): void {
    const random = this.random;
    while (random.next() < 0.35) {
      const roll = random.next();
      if (roll < 0.4) this.lines.push(`${' '.repeat(random.below(8))}# c${random.below(9)}`);
      else if (roll < 0.8) this.lines.push(' '.repeat(random.below(4)));
      else this.lines.push(`${' '.repeat(Math.max(0, indent + random.below(5) - 2))}#`);
    }
  }

  value(indent: number, depth: number, prefix: string): void {
    const random = this.random;
    const roll = random.next();
    const space = random.pick([' ', ' ', '  ']);
    if (roll < 0.5 || depth > 4) {
      this.lines.push(prefix + space + random.pick(random.next() < 0.15 ? FLOW_SEQUENCES : SCALARS) + (random.next() < 0.2 ? ' # t' : ''));
    } else if (roll < 0.62) {
      this.lines.push(prefix + space + random.pick(BLOCK_HEADERS));
      const bodyIndent = indent + 1 + random.below(3);
      for (let count = random.below(4); count > 0; count--) {
        const line = random.next();
        if (line < 0.2) this.lines.push('');
        else if (line < 0.3) this.lines.push(' '.repeat(bodyIndent + 2));
        else if (line < 0.35) this.lines.push(`${' '.repeat(Math.max(0, bodyIndent - 1))}#c`);
        else this.lines.push(' '.repeat(bodyIndent + (random.next() < 0.2 ? 1 : 0)) + random.pick(BLOCK_LINES));
      }
    } else if (roll < 0.72) {
      this.lines.push(prefix + (random.next() < 0.3 ? ' # c' : ''));
    } else {
      this.lines.push(prefix + (random.next() < 0.2 ? ' # c' : ''));
      this.trivia(indent);
      const nestedIndent = prefix.trim() === '-' ? indent + 2 : random.next() < 0.3 ? indent : indent + random.pick([1, 2, 2, 4]);
      if (random.next() < 0.5) this.sequence(nestedIndent, depth + 1);
      else this.mapping(nestedIndent === indent ? indent + 2 : nestedIndent, depth + 1);
    }
    this.trivia(indent);
  }

  mapping(indent: number, depth: number): void {
    const used = new Set<string>();
    for (let count = 1 + this.random.below(4); count > 0; count--) {
      const key = this.random.pick(KEYS);
      if (used.has(key) && this.random.next() < 0.9) continue;
      used.add(key);
      this.value(indent, depth, `${' '.repeat(indent)}${this.random.next() < 0.03 ? ' ' : ''}${key}:`);
    }
  }

  sequence(indent: number, depth: number): void {
    for (let count = 1 + this.random.below(3); count > 0; count--) {
      const space = this.random.pick([' ', ' ', '   ']);
      if (this.random.next() < 0.5) {
        const mappingIndent = indent + 1 + space.length;
        this.value(mappingIndent, depth + 1, `${' '.repeat(indent)}-${space}${this.random.pick(KEYS)}:`);
        if (this.random.next() < 0.6) this.mapping(mappingIndent, depth + 1);
      } else {
        this.value(indent, depth + 1, `${' '.repeat(indent)}-`);
      }
    }
  }

  text(): string {
    const random = this.random;
    const body = this.lines;
    const lines: string[] = [];
    if (random.next() < 0.3) lines.push(random.pick(['---', '--- # x', '---  ']));
    lines.push(...body);
    if (random.next() < 0.1) lines.push('...');
    const lineBreak = random.next() < 0.2 ? '\r\n' : '\n';
    return lines.join(lineBreak) + (random.next() < 0.8 ? lineBreak : '');
  }
}

test('random block documents: identical trees wherever the fast scanner accepts', (t) => {
  const random = new SeededRandom(2024);
  const tally = { documents: 0, accepted: 0 };
  for (let index = 0; index < 4000; index++) {
    const document = new RandomDocument(random);
    document.trivia(0);
    if (random.next() < 0.5) document.mapping(0, 0);
    else document.sequence(0, 0);
    document.trivia(0);
    tally.documents++;
    checkDocument(document.text(), `random document ${index}`, tally);
  }
  report(t, 'random documents', tally);
  // The grammar is meant to produce many readable documents; if it stops doing so the test proves little.
  assert.ok(tally.accepted >= 0.15 * tally.documents, `only ${tally.accepted} of ${tally.documents} accepted`);
});
