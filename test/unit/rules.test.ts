// The diagnostic rules, one table: YAML with the expected span marked «like this», the code and
// severity expected there, and the text each fix must produce.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeDocument } from '../../server/src/core/analyzeDocument';
import { RULE_LIST, RULES, SITE_RULES } from '../../server/src/core/rules';
import { applySeverities } from '../../server/src/core/severities';
import type { SeverityOverrides } from '../../server/src/core/severities';
import type { AnalysisContext, DiagnosticCode, Finding } from '../../server/src/core/types';
import { applyEdits, covered, markedText } from '../support/textEdits';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const KUSTOMIZATION: AnalysisContext = { fileName: 'kustomization.yaml' };

/** A Pod with one container; `lines` are the container's fields after its name. */
function pod(...lines: string[]): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n${lines.map((line) => `      ${line}\n`).join('')}`;
}

/** A Deployment with one container. */
function deployment(...lines: string[]): string {
  const fields = lines.map((line) => `          ${line}\n`).join('');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n${fields}`;
}

interface FindingCase {
  readonly name: string;
  /** The document with the expected span marked `«…»`. */
  readonly marked: string;
  readonly code: DiagnosticCode;
  readonly severity: string;
  readonly context?: AnalysisContext;
  /** Words the message must contain. */
  readonly says?: readonly string[];
  /** The document after each fix, in the order the fixes are offered (markers removed). */
  readonly fixed?: readonly string[];
  /** Which fix is preferred, when there is one. */
  readonly preferred?: number;
}

const FINDING_CASES: readonly FindingCase[] = [
  // invalid-reference: the exact part at fault.
  { name: 'a tag starting with "-"', marked: pod('image: nginx:«-»bad'), code: 'invalid-reference', severity: 'error', says: ['InvalidImageName', 'a tag cannot start with "-"'] },
  { name: 'a short digest', marked: pod(`image: nginx@«sha256:abc»`), code: 'invalid-reference', severity: 'error', says: ['3 hex digits'] },
  { name: 'an empty path component', marked: pod('image: repo/«/»app:1'), code: 'invalid-reference', severity: 'error' },
  { name: 'a space inside a quoted image', marked: pod('image: "ngi« »nx:1.25"'), code: 'invalid-reference', severity: 'error' },
  { name: 'two tags', marked: pod('image: nginx«:»1:2'), code: 'invalid-reference', severity: 'error' },
  { name: 'an escaped scalar underlines the whole value', marked: pod('image: «"nginx:\\x2dbad"»'), code: 'invalid-reference', severity: 'error' },
  { name: 'a 64-hex image ID', marked: pod(`image: «${DIGEST.slice(7)}»`), code: 'invalid-reference', severity: 'error' },
  { name: 'in a template too', marked: deployment('image: nginx:«-»bad'), code: 'invalid-reference', severity: 'error' },

  // uppercase-repository, with a lowercasing fix when the result parses.
  {
    name: 'uppercase repository',
    marked: pod('image: «N»ginx:1.25'),
    code: 'uppercase-repository',
    severity: 'error',
    says: ['InvalidImageName', 'must be lowercase'],
    fixed: [pod('image: nginx:1.25')],
    preferred: 0,
  },
  {
    name: 'uppercase user and repository: the whole name is lowercased, not just the path',
    marked: pod('image: "Acme/«A»pp:V1"'),
    code: 'uppercase-repository',
    severity: 'error',
    fixed: [pod('image: "acme/app:V1"')],
    preferred: 0,
  },
  {
    name: 'uppercase in a double-quoted scalar with an escape: the fix rewrites the scalar',
    marked: pod('image: «"Nginx:\\x31.25"»'),
    code: 'uppercase-repository',
    severity: 'error',
    fixed: [pod('image: "nginx:1.25"')],
    preferred: 0,
  },

  // empty-image.
  { name: 'an empty string', marked: pod('image: «""»'), code: 'empty-image', severity: 'error', says: ['Required value', 'spec.containers[0].image', 'rejects this Pod'] },
  { name: 'no value: the key is underlined', marked: pod('«image»:'), code: 'empty-image', severity: 'error' },
  { name: 'null', marked: pod('image: «~»'), code: 'empty-image', severity: 'error' },
  { name: 'in a Deployment', marked: deployment('image: «""»'), code: 'empty-image', severity: 'error', says: ['rejects this Deployment', 'spec.template.spec.containers[0].image'] },

  // image-whitespace.
  {
    name: 'whitespace in a Pod',
    marked: pod('image: " «nginx:1.25» "'),
    code: 'image-whitespace',
    severity: 'error',
    says: ['rejects this Pod', 'must not have leading or trailing whitespace'],
    fixed: [pod('image: "nginx:1.25"')],
    preferred: 0,
  },
  {
    name: 'a literal block keeps a line break: a template is accepted, its Pods are not',
    marked: deployment('image: «|', '  nginx:1.25»', 'ports: []'),
    code: 'image-whitespace',
    severity: 'error',
    says: ['accepts this Deployment but rejects every Pod created from it'],
    fixed: [deployment('image: nginx:1.25', 'ports: []')],
    preferred: 0,
  },
  { name: 'whitespace only: no fix', marked: pod('image: «"  "»'), code: 'image-whitespace', severity: 'error', fixed: [] },

  // implicit-latest.
  {
    name: 'no tag',
    marked: pod('image: «nginx»'),
    code: 'implicit-latest',
    severity: 'warning',
    says: ['"nginx:latest"', 'imagePullPolicy defaults to Always'],
  },
  { name: 'no tag, policy set', marked: pod('image: «registry.example.com:5000/app»', 'imagePullPolicy: IfNotPresent'), code: 'implicit-latest', severity: 'warning', says: ['imagePullPolicy is IfNotPresent'] },
  { name: 'no tag, in an image volume', marked: 'apiVersion: v1\nkind: Pod\nspec:\n  volumes:\n    - name: v\n      image: {reference: «data»}\n', code: 'implicit-latest', severity: 'warning', says: ['pullPolicy defaults to Always'] },

  // latest-tag.
  { name: ':latest', marked: pod('image: nginx:«latest»'), code: 'latest-tag', severity: 'warning', says: ['imagePullPolicy defaults to Always'] },
  { name: ':latest with Never', marked: pod('image: nginx:«latest»', 'imagePullPolicy: Never'), code: 'latest-tag', severity: 'warning', says: ['ErrImageNeverPull'] },
  { name: 'kustomize newTag latest', marked: 'images:\n  - name: nginx\n    newTag: «latest»\n', context: KUSTOMIZATION, code: 'latest-tag', severity: 'warning' },

  // tag-and-digest.
  {
    name: 'tag and digest',
    marked: pod(`image: nginx:«1.25»@${DIGEST}`),
    code: 'tag-and-digest',
    severity: 'information',
    says: ['the tag "1.25" is ignored'],
    fixed: [pod(`image: nginx@${DIGEST}`)],
  },
  { name: ':latest and digest still default to Always', marked: pod(`image: nginx:«latest»@${DIGEST}`), code: 'tag-and-digest', severity: 'information', says: ['default to Always'] },
  { name: 'kustomize newTag and digest', marked: `images:\n  - name: nginx\n    newTag: "«1.25»"\n    digest: ${DIGEST}\n`, context: KUSTOMIZATION, code: 'tag-and-digest', severity: 'information' },

  // not-pinned: reported with severity off unless a setting turns it on.
  { name: 'a tag without digest', marked: pod('image: «nginx:1.25»'), code: 'not-pinned', severity: 'off' },
  { name: 'kustomize newTag without digest', marked: 'images:\n  - name: nginx\n    newTag: "«1.25»"\n', context: KUSTOMIZATION, code: 'not-pinned', severity: 'off' },

  // never-mutable-tag.
  { name: 'Never with a tag', marked: pod('image: nginx:1.25', 'imagePullPolicy: «Never»'), code: 'never-mutable-tag', severity: 'warning', says: ['the tag "1.25"', 'ErrImageNeverPull'] },
  { name: 'Never with no tag', marked: pod('image: nginx', 'imagePullPolicy: «Never»'), code: 'never-mutable-tag', severity: 'warning', says: ['the implied tag "latest"'] },

  // invalid-pull-policy.
  {
    name: 'wrong case: one preferred fix',
    marked: pod('image: nginx:1.25', 'imagePullPolicy: «always»'),
    code: 'invalid-pull-policy',
    severity: 'error',
    says: ['Unsupported value: "always"', 'spec.containers[0].imagePullPolicy'],
    fixed: [pod('image: nginx:1.25', 'imagePullPolicy: Always')],
    preferred: 0,
  },
  {
    name: 'quoted, wrong case: the quotes are kept',
    marked: pod('image: nginx:1.25', "imagePullPolicy: «'ifnotpresent'»"),
    code: 'invalid-pull-policy',
    severity: 'error',
    fixed: [pod('image: nginx:1.25', "imagePullPolicy: 'IfNotPresent'")],
    preferred: 0,
  },
  {
    name: 'unknown value: the three choices',
    marked: deployment('image: nginx:1.25', 'imagePullPolicy: «Sometimes»'),
    code: 'invalid-pull-policy',
    severity: 'error',
    says: ['rejects this Deployment'],
    fixed: [
      deployment('image: nginx:1.25', 'imagePullPolicy: Always'),
      deployment('image: nginx:1.25', 'imagePullPolicy: IfNotPresent'),
      deployment('image: nginx:1.25', 'imagePullPolicy: Never'),
    ],
  },
  {
    name: 'an image volume pullPolicy',
    marked: 'apiVersion: v1\nkind: Pod\nspec:\n  volumes:\n    - name: v\n      image: {reference: "data:v1", pullPolicy: «never»}\n',
    code: 'invalid-pull-policy',
    severity: 'error',
    says: ['spec.volumes[0].image.pullPolicy'],
    fixed: ['apiVersion: v1\nkind: Pod\nspec:\n  volumes:\n    - name: v\n      image: {reference: "data:v1", pullPolicy: Never}\n'],
    preferred: 0,
  },

  // deprecated-registry.
  {
    name: 'k8s.gcr.io',
    marked: pod('image: «k8s.gcr.io»/pause:3.9'),
    code: 'deprecated-registry',
    severity: 'warning',
    says: ['frozen', 'registry.k8s.io'],
    fixed: [pod('image: registry.k8s.io/pause:3.9')],
    preferred: 0,
  },
  {
    name: 'k8s.gcr.io in a List item, any case',
    marked: 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    spec:\n      containers: [{name: a, image: "«K8S.GCR.IO»/pause:3.9"}]\n',
    code: 'deprecated-registry',
    severity: 'warning',
    fixed: ['apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    spec:\n      containers: [{name: a, image: "registry.k8s.io/pause:3.9"}]\n'],
    preferred: 0,
  },
  {
    name: 'kustomize newName on k8s.gcr.io',
    marked: 'images:\n  - name: pause\n    newName: «k8s.gcr.io»/pause\n    newTag: "3.9"\n',
    context: KUSTOMIZATION,
    code: 'deprecated-registry',
    severity: 'warning',
    fixed: ['images:\n  - name: pause\n    newName: registry.k8s.io/pause\n    newTag: "3.9"\n'],
    preferred: 0,
  },

  // kustomize-invalid-field.
  { name: 'a bad newTag', marked: 'images:\n  - name: nginx\n    newTag: «-»bad\n', context: KUSTOMIZATION, code: 'kustomize-invalid-field', severity: 'error', says: ['"nginx:-bad"', 'InvalidImageName'] },
  { name: 'newTag that is a path', marked: 'images:\n  - name: nginx\n    newTag: «5000/app»\n', context: KUSTOMIZATION, code: 'kustomize-invalid-field', severity: 'error', says: ['is not a tag'] },
  { name: 'a short digest', marked: 'images:\n  - name: nginx\n    digest: «sha256:abc»\n', context: KUSTOMIZATION, code: 'kustomize-invalid-field', severity: 'error' },
  { name: 'an uppercase newName', marked: 'images:\n  - name: nginx\n    newName: registry.example.com/«W»eb\n', context: KUSTOMIZATION, code: 'kustomize-invalid-field', severity: 'error' },
  { name: 'a tag in newName next to newTag', marked: 'images:\n  - name: nginx\n    newName: «nginx:1»\n    newTag: "2"\n', context: KUSTOMIZATION, code: 'kustomize-invalid-field', severity: 'error', says: ['"nginx:1:2"'] },

  // Codes from the document rather than an image.
  // The parser reports an unclosed flow sequence at the end of the text, where more input was expected.
  { name: 'a YAML syntax error', marked: 'apiVersion: v1\nkind: Pod\nspec: [unclosed\n«»', code: 'yaml-syntax', severity: 'error' },
  { name: 'a duplicate key: the parser marks its first character', marked: 'apiVersion: v1\nkind: Pod\n«k»ind: Pod\n', code: 'yaml-syntax', severity: 'error' },
];

/** Documents where a code must not be reported. */
const ABSENT_CASES: readonly { name: string; text: string; code: DiagnosticCode; context?: AnalysisContext }[] = [
  { name: 'a digest is not an implied latest', text: pod(`image: nginx@${DIGEST}`), code: 'implicit-latest' },
  { name: 'Latest is not latest', text: pod('image: nginx:Latest'), code: 'latest-tag' },
  { name: ':latest with a digest is tag-and-digest only', text: pod(`image: nginx:latest@${DIGEST}`), code: 'latest-tag' },
  { name: 'a digest is pinned', text: pod(`image: nginx@${DIGEST}`), code: 'not-pinned' },
  { name: 'Never with a digest', text: pod(`image: nginx@${DIGEST}`, 'imagePullPolicy: Never'), code: 'never-mutable-tag' },
  { name: 'a valid policy', text: pod('image: nginx:1.25', 'imagePullPolicy: IfNotPresent'), code: 'invalid-pull-policy' },
  { name: 'an empty policy is defaulted, not invalid', text: pod('image: nginx:1.25', 'imagePullPolicy: ""'), code: 'invalid-pull-policy' },
  { name: 'registry.k8s.io', text: pod('image: registry.k8s.io/pause:3.9'), code: 'deprecated-registry' },
  { name: 'another gcr.io project', text: pod('image: gcr.io/k8s-staging-images/pause:3.9'), code: 'deprecated-registry' },
  { name: 'a k8s.gcr.io path on Docker Hub', text: pod('image: library/k8s.gcr.io:1'), code: 'deprecated-registry' },
  { name: 'uppercase is its own rule', text: pod('image: Nginx:1.25'), code: 'invalid-reference' },
  { name: 'whitespace is its own rule', text: pod('image: " nginx:1.25"'), code: 'invalid-reference' },
  { name: 'a kustomization without newTag inherits the tag', text: 'images:\n  - name: nginx\n    newName: registry.example.com/nginx\n', code: 'implicit-latest', context: KUSTOMIZATION },
  { name: 'a kustomize tag carrying its digest', text: `images:\n  - name: nginx\n    newTag: "1.25@${DIGEST}"\n`, code: 'kustomize-invalid-field', context: KUSTOMIZATION },
  { name: 'a templated image', text: pod('image: "{{ .Values.image }}"'), code: 'invalid-reference' },
  { name: 'a templated policy', text: pod('image: nginx:1.25', 'imagePullPolicy: "{{ .Values.pullPolicy }}"'), code: 'invalid-pull-policy' },
  { name: 'syntax errors in a Helm template', text: 'apiVersion: v1\nkind: Pod\nspec: [unclosed\n', code: 'yaml-syntax', context: { helmTemplate: true } },
  { name: 'syntax errors next to {{', text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Release.Name }}\nspec: [unclosed\n', code: 'yaml-syntax' },
];

function findingsWithCode(text: string, code: DiagnosticCode, context: AnalysisContext = {}): Finding[] {
  return analyzeDocument(text, context).findings.filter((finding) => finding.code === code);
}

test('each rule reports the exact span, severity, message and fixes', async (t) => {
  for (const { name, marked, code, severity, context, says, fixed, preferred } of FINDING_CASES) {
    await t.test(`${code}: ${name}`, () => {
      const { text, span } = markedText(marked);
      const findings = findingsWithCode(text, code, context);
      assert.equal(findings.length, 1, `one ${code} finding, got ${JSON.stringify(findings)}`);
      const [finding] = findings;
      assert.deepEqual({ start: finding.start, end: finding.end }, span, `underlines "${covered(text, finding)}"`);
      assert.equal(finding.severity, severity);
      for (const words of says ?? []) assert.ok(finding.message.includes(words), `"${finding.message}" says ${words}`);
      if (fixed !== undefined) {
        assert.deepEqual((finding.fixes ?? []).map((fix) => applyEdits(text, fix.edits)), fixed);
      }
      const preferredFixes = (finding.fixes ?? []).flatMap((fix, index) => (fix.isPreferred === true ? [index] : []));
      assert.deepEqual(preferredFixes, preferred === undefined ? [] : [preferred]);
    });
  }
});

test('codes are not reported where they do not apply', async (t) => {
  for (const { name, text, code, context } of ABSENT_CASES) {
    await t.test(`${code}: ${name}`, () => {
      assert.deepEqual(findingsWithCode(text, code, context), []);
    });
  }
});

test('a fix leaves a document without the finding it fixed', async (t) => {
  for (const { name, marked, code, context, fixed } of FINDING_CASES) {
    if (fixed === undefined || fixed.length === 0) continue;
    await t.test(`${code}: ${name}`, () => {
      for (const text of fixed) assert.deepEqual(findingsWithCode(text, code, context), []);
      assert.ok(findingsWithCode(markedText(marked).text, code, context).length > 0);
    });
  }
});

test('a clean image gets no findings above off', () => {
  const text = pod(`image: registry.k8s.io/pause@${DIGEST}`, 'imagePullPolicy: IfNotPresent');
  assert.deepEqual(analyzeDocument(text).findings, []);
});

test('one scalar shared by aliases is reported once', () => {
  const text = `x-image: &img nginx\n${pod('image: *img')}    - name: second\n      image: *img\n`;
  const findings = findingsWithCode(text, 'implicit-latest');
  assert.equal(findings.length, 1);
  assert.equal(covered(text, findings[0]), 'nginx');
});

test('analysis never throws, whatever the input', async (t) => {
  const inputs: readonly (readonly [name: string, text: string])[] = [
    ['deeply nested flow sequences', `${'['.repeat(20_000)}${']'.repeat(20_000)}`],
    ['deeply nested block maps', Array.from({ length: 3_000 }, (_, depth) => `${' '.repeat(depth)}k:`).join('\n')],
    ['control characters', 'apiVersion: v1\nkind: Pod\nspec: {containers: [{image: "\u0000\u0001\u0007"}]}\n'],
    ['lone surrogates', 'apiVersion: v1\nkind: Pod\nspec: {containers: [{image: "\ud800nginx"}]}\n'],
    ['tabs for indentation', 'apiVersion: v1\nkind: Pod\nspec:\n\tcontainers:\n\t\t- image: nginx\n'],
    ['a directive only', '%YAML 1.2\n'],
    ['an unterminated quote', 'apiVersion: v1\nkind: Pod\nspec: {containers: [{image: "nginx}]}\n'],
    ['containers as a map of maps', 'apiVersion: v1\nkind: Pod\nspec: {containers: {a: {image: nginx}}, volumes: [{image: [x]}, 3]}\n'],
    ['non-string image values', 'apiVersion: v1\nkind: Pod\nspec: {containers: [{image: [a, b]}, {image: {a: b}}, {image: 1.10}, {image: true}]}\n'],
  ];
  for (const [name, text] of inputs) {
    await t.test(name, () => {
      const analysis = analyzeDocument(text);
      assert.ok(Array.isArray(analysis.images) && Array.isArray(analysis.findings));
    });
  }
});

test('the registry has metadata for every code, and every site rule is registered', () => {
  const codes = RULE_LIST.map((rule) => rule.code);
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
  for (const rule of RULE_LIST) {
    assert.equal(RULES[rule.code], rule);
    assert.match(rule.docsUrl, /^https:\/\/kubernetes\.io\/(docs|blog)\//, `${rule.code} links to kubernetes.io`);
    assert.ok(rule.title.length > 0 && rule.description.length > 0);
  }
  for (const rule of SITE_RULES) {
    assert.deepEqual(RULES[rule.code], { code: rule.code, title: rule.title, defaultSeverity: rule.defaultSeverity, docsUrl: rule.docsUrl, description: rule.description });
  }
  assert.equal(RULES['not-pinned'].defaultSeverity, 'off');
});

test('severity settings override defaults, and off drops a finding', async (t) => {
  const findings: Finding[] = [
    { code: 'latest-tag', severity: 'warning', start: 0, end: 1, message: 'a' },
    { code: 'not-pinned', severity: 'off', start: 2, end: 3, message: 'b' },
    { code: 'invalid-reference', severity: 'error', start: 4, end: 5, message: 'c' },
  ];
  const cases: readonly (readonly [name: string, overrides: Record<string, unknown>, expected: readonly string[]])[] = [
    ['defaults', {}, ['latest-tag:warning', 'invalid-reference:error']],
    ['opt in to not-pinned', { 'not-pinned': 'warning' }, ['latest-tag:warning', 'not-pinned:warning', 'invalid-reference:error']],
    ['silence latest-tag', { 'latest-tag': 'off' }, ['invalid-reference:error']],
    ['demote an error', { 'invalid-reference': 'hint' }, ['latest-tag:warning', 'invalid-reference:hint']],
    ['a value that is not a severity keeps the default', { 'latest-tag': 'loud', 'not-pinned': 42 }, ['latest-tag:warning', 'invalid-reference:error']],
  ];
  for (const [name, overrides, expected] of cases) {
    await t.test(name, () => {
      // Settings are user input: the cast lets the last case pass values the type rules out.
      const reported = applySeverities(findings, overrides as SeverityOverrides);
      assert.deepEqual(
        reported.map((finding) => `${finding.code}:${finding.severity}`),
        expected,
      );
    });
  }
});
