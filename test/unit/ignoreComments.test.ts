// `# kube-images-ignore CODE…` silences codes on one line: its own line, or the next one when the
// comment stands alone.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeDocument } from '../../server/src/core/analyzeDocument';
import { applyIgnoreComments, isSilencedOnLine, parseIgnoreComments } from '../../server/src/core/ignoreComments';
import type { IgnoredCodes } from '../../server/src/core/ignoreComments';

/** The directives as `line: codes` strings, codes sorted, `*` for all. */
function directives(text: string): string[] {
  const describe = (codes: IgnoredCodes): string => (codes === 'all' ? '*' : [...codes].sort().join(','));
  return [...parseIgnoreComments(text)].map(([line, codes]) => `${line}: ${describe(codes)}`);
}

test('directives and the line each one silences', async (t) => {
  const cases: readonly (readonly [name: string, text: string, expected: readonly string[]])[] = [
    ['none', 'image: nginx\n', []],
    ['at the end of a line: that line', 'a: 1\nimage: nginx # kube-images-ignore latest-tag\n', ['1: latest-tag']],
    ['alone on a line: the next line', 'a: 1\n  # kube-images-ignore latest-tag\nimage: nginx\n', ['2: latest-tag']],
    ['several codes, commas and spaces', 'image: nginx # kube-images-ignore latest-tag, implicit-latest not-pinned\n', ['0: implicit-latest,latest-tag,not-pinned']],
    ['no code: everything', 'image: nginx # kube-images-ignore\n', ['0: *']],
    ['a reason after --', 'image: nginx # kube-images-ignore latest-tag -- dev cluster only\n', ['0: latest-tag']],
    ['only a reason: everything', 'image: nginx # kube-images-ignore -- generated file\n', ['0: *']],
    ['no space after #', 'image: nginx #kube-images-ignore latest-tag\n', ['0: latest-tag']],
    ['two directives for one line merge', '# kube-images-ignore a\nimage: x # kube-images-ignore b\n', ['1: a,b']],
    ['everything wins over a list', '# kube-images-ignore\nimage: x # kube-images-ignore b\n', ['1: *']],
    ['CRLF', 'a: 1\r\n# kube-images-ignore latest-tag\r\nimage: nginx\r\n', ['2: latest-tag']],
    ['a lone CR breaks a line too', 'a: 1\r# kube-images-ignore latest-tag\rimage: nginx\r', ['2: latest-tag']],
    ['not a comment: # inside a word', 'image: nginx#kube-images-ignore latest-tag\n', []],
    ['not the marker: a longer word', 'image: nginx # kube-images-ignored latest-tag\n', []],
    ['not the marker: text before it in the comment', 'image: nginx # do not kube-images-ignore latest-tag\n', []],
  ];
  for (const [name, text, expected] of cases) {
    await t.test(name, () => {
      assert.deepEqual(directives(text), expected);
    });
  }
});

test('findings on silenced lines are dropped, others kept', () => {
  const text = 'line0\nline1 # kube-images-ignore a\n# kube-images-ignore\nline3\nline4\n';
  const at = (line: number, code: string): { code: string; start: number; end: number } => {
    const start = text.split('\n').slice(0, line).join('\n').length + (line === 0 ? 0 : 1);
    return { code, start, end: start + 5 };
  };
  const findings = [at(0, 'a'), at(1, 'a'), at(1, 'b'), at(3, 'a'), at(3, 'b'), at(4, 'a')];
  assert.deepEqual(applyIgnoreComments(findings, text), [at(0, 'a'), at(1, 'b'), at(4, 'a')]);
});

test('judged from a line and the one before it, a finding is silenced exactly when the whole text says so', () => {
  const texts = [
    'line0\nline1 # kube-images-ignore a\n# kube-images-ignore\nline3\nline4\n',
    '# kube-images-ignore a\nx: 1 # kube-images-ignore b\n  # kube-images-ignore b -- why\n# kube-images-ignore c\ny: 2\n',
    'a: 1\r\n# kube-images-ignore a, b\r\nimage: nginx # kube-images-ignored a\r\nz #kube-images-ignore -- all\r\n',
    'x#kube-images-ignore a\ny\r# kube-images-ignore a b\rz\n',
  ];
  let silencedCount = 0;
  for (const text of texts) {
    const lines = text.split(/\r\n|\r|\n/);
    const lineStarts: number[] = [];
    for (let index = 0, offset = 0; index < lines.length; index++) {
      lineStarts.push(offset);
      offset += lines[index]!.length + (text.startsWith('\r\n', offset + lines[index]!.length) ? 2 : 1);
    }
    for (let line = 0; line < lines.length; line++) {
      for (const code of ['a', 'b', 'c']) {
        const finding = { code, start: lineStarts[line]!, end: lineStarts[line]! + 1 };
        const silenced = applyIgnoreComments([finding], text).length === 0;
        silencedCount += silenced ? 1 : 0;
        assert.equal(isSilencedOnLine(code, lines[line]!, line === 0 ? undefined : lines[line - 1]), silenced, `${JSON.stringify(text)} line ${line} ${code}`);
      }
    }
  }
  assert.ok(silencedCount >= 10, `the texts silence something (${silencedCount})`);
});

test('a silenced code disappears from the analysis; the others stay', async (t) => {
  const pod = (containers: string): string => `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n${containers}`;
  const cases: readonly (readonly [name: string, text: string, expected: readonly string[]])[] = [
    ['nothing silenced', pod('    - image: nginx:latest\n'), ['latest-tag']],
    ['the code on its line', pod('    - image: nginx:latest # kube-images-ignore latest-tag\n'), []],
    ['the comment on the line before', pod('    # kube-images-ignore latest-tag\n    - image: nginx:latest\n'), []],
    ['another code does not silence it', pod('    - image: nginx:latest # kube-images-ignore not-pinned\n'), ['latest-tag']],
    ['all codes', pod('    - image: "Nginx@sha256:abc" # kube-images-ignore\n'), []],
    ['only the line it is on', pod('    - image: nginx:latest # kube-images-ignore\n    - image: redis:latest\n'), ['latest-tag']],
    ['a policy on its own line is silenced there', pod('    - image: nginx:1.25\n      imagePullPolicy: Never # kube-images-ignore never-mutable-tag\n'), []],
    ['CRLF', pod('    - image: nginx:latest # kube-images-ignore latest-tag\n').replace(/\n/g, '\r\n'), []],
  ];
  for (const [name, text, expected] of cases) {
    await t.test(name, () => {
      const codes = analyzeDocument(text)
        .findings.filter((finding) => finding.severity !== 'off')
        .map((finding) => finding.code);
      assert.deepEqual(codes, expected);
    });
  }
});
