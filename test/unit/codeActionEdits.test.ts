// The edits behind "Ignore CODE on this line" and "Fix all", on hand-made analyses: each
// directive written is read back by the directive parser the analysis uses.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fixAllEdits, ignoreCommentEdit } from '../../server/src/core/features/codeActions';
import { documentsBetween } from '../../server/src/core/features/imageSitesInFile';
import { parseIgnoreComments } from '../../server/src/core/ignoreComments';
import type { AnalyzedDocument, DiagnosticCode, Finding, ImageSite, SeveritySetting, TextEdit } from '../../server/src/core/types';

function applyEdit(text: string, edit: TextEdit): string {
  return text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split(/\r\n|\r|\n/).length - 1;
}

/** An image site whose value covers `text.indexOf(value)`; only the value span matters here. */
function siteAt(text: string, value: string): ImageSite {
  const start = text.indexOf(value);
  assert.ok(start >= 0, value);
  return {
    kind: 'container',
    path: [],
    owner: { apiVersion: 'v1', kind: 'Pod', name: 'p' },
    name: 'c',
    image: value,
    value: { start, end: start + value.length, valueStart: undefined },
    key: { start: start - 'image: '.length, end: start - 2 },
    inPod: true,
    templated: false,
    pullPolicy: { explicit: 'IfNotPresent', explicitSpan: undefined, effective: 'IfNotPresent', insert: undefined },
  };
}

function oneDocument(text: string, images: ImageSite[] = [], findings: Finding[] = []): AnalyzedDocument[] {
  return [{ offset: 0, length: text.length, analysis: { images, findings } }];
}

describe('ignoreCommentEdit', () => {
  const cases: { name: string; text: string; at: string; code: DiagnosticCode; multiLineValue?: string; expected: string | undefined }[] = [
    {
      name: 'appends a directive to the line',
      text: 'spec:\n  image: nginx:latest\n',
      at: 'latest',
      code: 'latest-tag',
      expected: 'spec:\n  image: nginx:latest # kube-images-ignore latest-tag\n',
    },
    {
      name: 'appends after a comment already on the line',
      text: '  image: nginx:latest  # prod\n',
      at: 'latest',
      code: 'latest-tag',
      expected: '  image: nginx:latest  # prod # kube-images-ignore latest-tag\n',
    },
    {
      name: 'keeps CRLF line ends',
      text: 'a: 1\r\n  image: nginx\r\nb: 2\r\n',
      at: 'nginx',
      code: 'implicit-latest',
      expected: 'a: 1\r\n  image: nginx # kube-images-ignore implicit-latest\r\nb: 2\r\n',
    },
    {
      name: 'extends a directive on the line, before its reason',
      text: '  image: k8s.gcr.io/pause # kube-images-ignore implicit-latest -- sandbox\n',
      at: 'k8s.gcr.io',
      code: 'deprecated-registry',
      expected: '  image: k8s.gcr.io/pause # kube-images-ignore implicit-latest, deprecated-registry -- sandbox\n',
    },
    {
      name: 'extends a directive alone on the line above',
      text: '    # kube-images-ignore implicit-latest\n    image: k8s.gcr.io/pause\n',
      at: 'k8s.gcr.io',
      code: 'deprecated-registry',
      expected: '    # kube-images-ignore implicit-latest, deprecated-registry\n    image: k8s.gcr.io/pause\n',
    },
    {
      name: 'extends a directive above across CRLF',
      text: '  # kube-images-ignore implicit-latest\r\n  image: k8s.gcr.io/pause\r\n',
      at: 'k8s.gcr.io',
      code: 'deprecated-registry',
      expected: '  # kube-images-ignore implicit-latest, deprecated-registry\r\n  image: k8s.gcr.io/pause\r\n',
    },
    {
      name: 'puts the directive above a line whose value continues on the next lines',
      text: 'spec:\n  image: >-\n    nginx:latest\n',
      at: 'image',
      code: 'latest-tag',
      multiLineValue: '>-\n    nginx:latest\n',
      expected: 'spec:\n  # kube-images-ignore latest-tag\n  image: >-\n    nginx:latest\n',
    },
    {
      name: 'gives up inside a multi-line value, where any comment would become part of it',
      text: 'spec:\n  image: |\n    nginx:latest\n',
      at: 'nginx',
      code: 'latest-tag',
      multiLineValue: '|\n    nginx:latest\n',
      expected: undefined,
    },
    {
      name: 'does not narrow a directive that silences every code',
      text: '  image: nginx # kube-images-ignore\n',
      at: 'nginx',
      code: 'implicit-latest',
      expected: undefined,
    },
    {
      name: 'does not silence a YAML syntax error',
      text: 'a: [\n',
      at: '[',
      code: 'yaml-syntax',
      expected: undefined,
    },
  ];

  for (const { name, text, at, code, multiLineValue, expected } of cases) {
    test(name, () => {
      const offset = text.indexOf(at);
      const images = multiLineValue === undefined ? [] : [siteAt(text, multiLineValue)];
      const edit = ignoreCommentEdit(text, oneDocument(text, images), offset, code);
      if (expected === undefined) {
        assert.equal(edit, undefined);
        return;
      }
      assert.ok(edit);
      const result = applyEdit(text, edit);
      assert.equal(result, expected);
      // The line that held the finding is now silenced for that code, as the analysis reads it.
      const findingOffset = edit.start <= offset ? offset + edit.newText.length - (edit.end - edit.start) : offset;
      const silenced = parseIgnoreComments(result).get(lineOf(result, findingOffset));
      assert.ok(silenced !== undefined && silenced !== 'all' && silenced.has(code));
    });
  }
});

describe('fixAllEdits', () => {
  const fix = (start: number, end: number, newText: string, isPreferred = true) => ({ title: newText, isPreferred, edits: [{ start, end, newText }] });
  const finding = (code: DiagnosticCode, severity: SeveritySetting, fixes: Finding['fixes']): Finding => ({ code, severity, start: 0, end: 1, message: code, fixes });

  test('takes each preferred fix once, skips overlapping and non-preferred ones, and places them in the file', () => {
    const documents: AnalyzedDocument[] = [
      {
        offset: 0,
        length: 50,
        analysis: {
          images: [],
          findings: [
            finding('deprecated-registry', 'warning', [fix(10, 20, 'registry.k8s.io')]),
            finding('latest-tag', 'warning', [fix(15, 25, 'overlaps')]),
            finding('implicit-latest', 'warning', [fix(5, 5, 'same place', false), fix(3, 3, ':tag')]),
          ],
        },
      },
      { offset: 100, length: 50, analysis: { images: [], findings: [finding('deprecated-registry', 'warning', [fix(1, 11, 'registry.k8s.io')])] } },
    ];
    assert.deepEqual(fixAllEdits(documents, {}), [
      { start: 3, end: 3, newText: ':tag' },
      { start: 10, end: 20, newText: 'registry.k8s.io' },
      { start: 101, end: 111, newText: 'registry.k8s.io' },
    ]);
  });

  test('findings turned off are not fixed; findings turned on are', () => {
    const documents = oneDocument('x'.repeat(40), [], [finding('deprecated-registry', 'warning', [fix(0, 10, 'a')]), finding('not-pinned', 'off', [fix(20, 30, 'b')])]);
    assert.deepEqual(fixAllEdits(documents, { 'deprecated-registry': 'off', 'not-pinned': 'hint' }), [{ start: 20, end: 30, newText: 'b' }]);
  });

  test('two inserts at one place conflict: their order would be undefined', () => {
    const documents = oneDocument('x'.repeat(10), [], [finding('latest-tag', 'warning', [fix(4, 4, 'a')]), finding('implicit-latest', 'warning', [fix(4, 4, 'b')])]);
    assert.deepEqual(fixAllEdits(documents, {}), [{ start: 4, end: 4, newText: 'a' }]);
  });
});

describe('documentsBetween', () => {
  const documents: AnalyzedDocument[] = [0, 10, 20, 30].map((offset) => ({ offset, length: 6, analysis: { images: [], findings: [] } }));
  const cases: { start: number; end: number; offsets: number[] }[] = [
    { start: 0, end: 0, offsets: [0] },
    { start: 6, end: 6, offsets: [0] },
    { start: 7, end: 9, offsets: [] },
    { start: 5, end: 21, offsets: [0, 10, 20] },
    { start: 36, end: 99, offsets: [30] },
    { start: 37, end: 99, offsets: [] },
  ];
  for (const { start, end, offsets } of cases) {
    test(`[${start}, ${end}]`, () => {
      assert.deepEqual(documentsBetween(documents, start, end).map((document) => document.offset), offsets);
    });
  }
});
