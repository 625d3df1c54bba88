// The file layer: splitting, per-document caching, incremental updates and whole-file refusals.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { generateManifests } from '../../bench/generate';
import { DocumentAnalysisCache } from '../../server/src/core/documentAnalysisCache';
import { FileAnalyzer, type TextChange } from '../../server/src/core/fileAnalyzer';
import type { AnalysisContext, AnalyzedDocument, DocumentAnalysis } from '../../server/src/core/types';
import { SeededRandom } from '../../bench/random';
import { splitDocuments } from '../../server/src/core/yaml/split';

/**
 * A stand-in analysis that depends on every character of the document (so a wrongly reused
 * analysis shows) and on the context, and counts its calls.
 */
function recordingCache(): { cache: DocumentAnalysisCache; analyzed: string[] } {
  const analyzed: string[] = [];
  const analyze = (text: string, context: AnalysisContext): DocumentAnalysis => {
    analyzed.push(text);
    const message = `${context.fileName ?? ''}|${text}`;
    return { images: [], findings: [{ code: 'yaml-syntax', severity: 'error', start: 0, end: text.length, message }] };
  };
  return { cache: new DocumentAnalysisCache({ analyze }), analyzed };
}

function freshDocuments(text: string, context: AnalysisContext = {}, maxFileSize?: number): readonly AnalyzedDocument[] {
  const analyzer = new FileAnalyzer(context, { cache: recordingCache().cache, ...(maxFileSize === undefined ? {} : { maxFileSize }) });
  analyzer.update(text);
  return analyzer.documents;
}

/** Applies `changes` in order, each in the coordinates of the text the previous one produced. */
function applyChanges(text: string, changes: readonly { start: number; end: number; text: string }[]): { text: string; changes: TextChange[] } {
  let result = text;
  for (const change of changes) result = result.slice(0, change.start) + change.text + result.slice(change.end);
  return { text: result, changes: changes.map(({ start, end, text: inserted }) => ({ start, end, newLength: inserted.length })) };
}

/** Insertions chosen to move, create and destroy document boundaries as well as to edit content. */
const INSERTIONS = ['x', ' ', '\n', '-', '.', '%', '---\n', '\n---\n', '...\n', '\n...', '%YAML 1.2\n', '%TAG ! tag:x,2000:\n', 'image: nginx:1.25\n', '  - name: a\n', '# comment\n', '\r\n', '---', '--', ': '];

function randomEdit(random: SeededRandom, text: string): { start: number; end: number; text: string } {
  const start = random.below(text.length + 1);
  const kind = random.next();
  if (kind < 0.45) return { start, end: start, text: random.pick(INSERTIONS) };
  const end = Math.min(text.length, start + 1 + random.below(kind < 0.9 ? 8 : 400));
  return { start, end, text: kind < 0.7 ? '' : random.pick(INSERTIONS) };
}

for (const { name, crlf, unusualFraction } of [
  { name: 'plain', crlf: false, unusualFraction: 0 },
  { name: 'CRLF with unusual documents', crlf: true, unusualFraction: 0.3 },
]) {
  test(`random edit sequences give the same documents as a fresh analysis (${name})`, () => {
    const random = new SeededRandom(crlf ? 99 : 42);
    const context: AnalysisContext = { fileName: 'deploy.yaml' };
    let text = generateManifests({ documents: 30, seed: 5, unusualFraction, crlf });
    const analyzer = new FileAnalyzer(context, { cache: recordingCache().cache });
    analyzer.update(text);
    for (let step = 0; step < 300; step++) {
      const edits: { start: number; end: number; text: string }[] = [];
      let edited = text;
      // Several changes in one update, each in the coordinates of the text after the one before.
      for (let count = 1 + random.below(3); count > 0; count--) {
        const edit = randomEdit(random, edited);
        edits.push(edit);
        edited = edited.slice(0, edit.start) + edit.text + edited.slice(edit.end);
      }
      const applied = applyChanges(text, edits);
      text = applied.text;
      analyzer.update(text, applied.changes);
      assert.deepEqual(analyzer.documents, freshDocuments(text, context), `step ${step}`);
    }
  });
}

test('edits to the lines that make document boundaries', () => {
  const text = generateManifests({ documents: 8, seed: 12 });
  const markers = splitDocuments(text)
    .slice(1)
    .map((slice) => slice.offset);
  const marker = markers[3]!;
  const middle = text.indexOf('\n', marker + 40) + 1;
  const cases: Record<string, { start: number; end: number; text: string }[]> = {
    'a character inside ---': [{ start: marker + 1, end: marker + 1, text: 'x' }],
    'a character after ---': [{ start: marker + 3, end: marker + 3, text: 'x' }],
    '--- shortened': [{ start: marker + 2, end: marker + 3, text: '' }],
    '--- line deleted': [{ start: marker, end: marker + 4, text: '' }],
    'a character before ---': [{ start: marker, end: marker, text: ' ' }],
    'a new --- inside a document': [{ start: middle, end: middle, text: '---\n' }],
    'a new ... inside a document': [{ start: middle, end: middle, text: '...\n' }],
    'a directive before ---': [{ start: marker, end: marker, text: '%YAML 1.2\n' }],
    'a directive in a document': [{ start: middle, end: middle, text: '%YAML 1.2\n' }],
    'two markers broken at once': [
      { start: markers[5]! + 1, end: markers[5]! + 2, text: '' },
      { start: markers[1]! + 1, end: markers[1]! + 2, text: '' },
    ],
    'everything after the first marker deleted': [{ start: markers[0]!, end: text.length, text: '' }],
    'everything replaced': [{ start: 0, end: text.length, text: 'a: 1\n---\nb: 2\n' }],
  };
  for (const [name, edits] of Object.entries(cases)) {
    const analyzer = new FileAnalyzer({}, { cache: recordingCache().cache });
    analyzer.update(text);
    const edited = applyChanges(text, edits);
    analyzer.update(edited.text, edited.changes);
    assert.deepEqual(analyzer.documents, freshDocuments(edited.text), name);
  }
});

test('an edit re-analyses only the document it touches and reuses the others', () => {
  const text = generateManifests({ documents: 200, seed: 3 });
  const { cache, analyzed } = recordingCache();
  const analyzer = new FileAnalyzer({}, { cache });
  analyzer.update(text);
  const before = analyzer.documents;
  assert.equal(before.length, 200);
  assert.equal(analyzed.length, new Set(before.map((document) => text.slice(document.offset, document.offset + document.length))).size);

  const target = before[120]!;
  const at = text.indexOf('\n', target.offset + 10) + 1;
  const lookupsBefore = cache.hits + cache.misses;
  analyzed.length = 0;
  const edited = applyChanges(text, [{ start: at, end: at, text: '# edited\n' }]);
  analyzer.update(edited.text, edited.changes);
  const after = analyzer.documents;

  assert.equal(analyzed.length, 1, 'one document analysed');
  assert.ok(analyzed[0]!.includes('# edited'));
  assert.ok(cache.hits + cache.misses - lookupsBefore <= 3, 'only the documents around the edit are looked up');
  assert.deepEqual(after, freshDocuments(edited.text));
  for (let index = 0; index < after.length; index++) {
    if (index === 120) continue;
    assert.equal(after[index]!.analysis, before[index]!.analysis, `document ${index} keeps its analysis`);
    assert.equal(after[index]!.offset, before[index]!.offset + (index > 120 ? '# edited\n'.length : 0));
  }
});

test('a new analyzer of the same text is answered from the shared cache', () => {
  const text = generateManifests({ documents: 20, seed: 8 });
  const { cache, analyzed } = recordingCache();
  new FileAnalyzer({}, { cache }).update(text);
  const first = analyzed.length;
  const second = new FileAnalyzer({}, { cache });
  second.update(text);
  assert.equal(analyzed.length, first);
  assert.deepEqual(second.documents, freshDocuments(text));
  // A different context is a different analysis.
  new FileAnalyzer({ fileName: 'kustomization.yaml' }, { cache }).update(text);
  assert.equal(analyzed.length, 2 * first);
});

test('the cache evicts the least recently used documents beyond its size', () => {
  const analyzed: string[] = [];
  const cache = new DocumentAnalysisCache({
    maxCharacters: 100,
    analyze: (text) => {
      analyzed.push(text);
      return { images: [], findings: [] };
    },
  });
  const documents = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)];
  cache.analyze(documents[0]!, {});
  cache.analyze(documents[1]!, {});
  cache.analyze(documents[0]!, {});
  cache.analyze(documents[2]!, {});
  assert.equal(cache.size, 2);
  cache.analyze(documents[0]!, {});
  cache.analyze(documents[1]!, {});
  assert.deepEqual(analyzed, [documents[0], documents[1], documents[2], documents[1]]);
});

test('the documents cover the text exactly as the splitter cuts it', () => {
  const text = generateManifests({ documents: 25, seed: 4, unusualFraction: 0.2 });
  const documents = freshDocuments(text);
  assert.deepEqual(
    documents.map(({ offset, length }) => ({ offset, length })),
    splitDocuments(text),
  );
  assert.deepEqual(freshDocuments(''), []);
});

test('a file larger than maxFileSize gets one finding and no analysis', () => {
  const { cache, analyzed } = recordingCache();
  const analyzer = new FileAnalyzer({}, { cache, maxFileSize: 50 });
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: too-large\n';
  analyzer.update(text);
  assert.equal(analyzed.length, 0);
  assert.equal(analyzer.documents.length, 1);
  const [document] = analyzer.documents;
  assert.equal(document!.offset, 0);
  assert.equal(document!.length, text.length);
  assert.deepEqual(document!.analysis.images, []);
  assert.deepEqual(
    document!.analysis.findings.map(({ code, start, end }) => ({ code, start, end })),
    [{ code: 'file-too-large', start: 0, end: 0 }],
  );
  // Shrinking it below the limit brings the analysis back.
  const shrunk = applyChanges(text, [{ start: 15, end: text.length, text: '' }]);
  analyzer.update(shrunk.text, shrunk.changes);
  assert.deepEqual(analyzer.documents, freshDocuments(shrunk.text));
});

test('text with a NUL character is refused as binary, also when an edit brings one in', () => {
  assert.deepEqual(
    freshDocuments('a: 1\n\u0000\u0001binary').flatMap((document) => document.analysis.findings.map((finding) => finding.code)),
    ['binary-content'],
  );
  const text = generateManifests({ documents: 10, seed: 6 });
  const analyzer = new FileAnalyzer({}, { cache: recordingCache().cache });
  analyzer.update(text);
  const withNul = applyChanges(text, [{ start: 300, end: 300, text: '\u0000' }]);
  analyzer.update(withNul.text, withNul.changes);
  assert.deepEqual(
    analyzer.documents.flatMap((document) => document.analysis.findings.map((finding) => finding.code)),
    ['binary-content'],
  );
  const cleaned = applyChanges(withNul.text, [{ start: 300, end: 301, text: '' }]);
  analyzer.update(cleaned.text, cleaned.changes);
  assert.deepEqual(analyzer.documents, freshDocuments(text));
});

test('changes that do not fit the text fall back to a full analysis', () => {
  const text = generateManifests({ documents: 10, seed: 9 });
  const analyzer = new FileAnalyzer({}, { cache: recordingCache().cache });
  analyzer.update(text);
  const edited = `${text.slice(0, 100)}changed: yes\n${text.slice(100)}`;
  for (const changes of [
    [{ start: 100, end: 100, newLength: 5 }],
    [{ start: -1, end: 0, newLength: 0 }],
    [{ start: 10, end: 5, newLength: 0 }],
    [{ start: 0, end: text.length + 5, newLength: 0 }],
  ]) {
    analyzer.update(edited, changes);
    assert.deepEqual(analyzer.documents, freshDocuments(edited));
    analyzer.update(text);
  }
});

test('the real analysis runs through the file layer', () => {
  const text = generateManifests({ documents: 12, seed: 10 });
  const analyzer = new FileAnalyzer({ fileName: 'all.yaml' }, { cache: new DocumentAnalysisCache() });
  analyzer.update(text);
  assert.equal(analyzer.documents.length, 12);
  const at = text.indexOf('image:');
  const edited = applyChanges(text, [{ start: at, end: at, text: '# x\n' }]);
  analyzer.update(edited.text, edited.changes);
  const fresh = new FileAnalyzer({ fileName: 'all.yaml' }, { cache: new DocumentAnalysisCache() });
  fresh.update(edited.text);
  assert.deepEqual(analyzer.documents, fresh.documents);
});
