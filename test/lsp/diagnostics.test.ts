// didOpen → publishDiagnostics: codes, exact ranges, documentation links, and how a file's name
// changes its reading (Helm templates, kustomization files).
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DiagnosticSeverity, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol';
import { RULES } from '../../server/src/core/rules';
import { LspClient } from '../support/lspClient';
import { rangeOf, textIn } from '../support/lspText';

let client: LspClient;
before(async () => {
  client = LspClient.start();
  await client.initialize();
});
after(async () => {
  await client.shutdown();
});

const LSP_SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint };

function withCode(diagnostics: readonly Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((diagnostic) => diagnostic.code === code);
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: k8s.gcr.io/pause:3.9
      imagePullPolicy: IfNotPresent
    - name: sidecar
      image: busybox
`;

test('didOpen publishes a diagnostic per problem, each underlining exactly its part, with code, source and documentation link', async () => {
  const uri = 'file:///work/pod.yaml';
  await client.open(uri, POD);
  const { diagnostics, version } = await client.waitForDiagnostics(uri);
  assert.equal(version, 1);

  const expected = [
    { code: 'deprecated-registry', underlined: rangeOf(POD, 'k8s.gcr.io') },
    { code: 'implicit-latest', underlined: rangeOf(POD, 'busybox') },
  ] as const;
  assert.deepEqual(diagnostics.map((diagnostic) => diagnostic.code).sort(), expected.map(({ code }) => code).sort());
  for (const { code, underlined } of expected) {
    const [diagnostic] = withCode(diagnostics, code);
    assert.deepEqual(diagnostic.range, underlined, code);
    assert.equal(diagnostic.source, 'kube-images');
    assert.equal(diagnostic.severity, LSP_SEVERITY[RULES[code].defaultSeverity as keyof typeof LSP_SEVERITY]);
    assert.match(diagnostic.codeDescription?.href ?? '', /^https:\/\/kubernetes\.io\//);
    assert.equal(diagnostic.codeDescription?.href, RULES[code].docsUrl);
    assert.ok(typeof diagnostic.message === 'string' && diagnostic.message.length > 0);
  }
});

test('diagnostics carry no fixes: a code action computes them from the text as it is then', async () => {
  const uri = 'file:///work/pod-data.yaml';
  await client.open(uri, POD);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  // Every publication of a large file is re-sent on each keystroke; fixes in it were dead weight.
  assert.deepEqual(diagnostics.filter((diagnostic) => diagnostic.data !== undefined), []);
  const [deprecated] = withCode(diagnostics, 'deprecated-registry');
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: deprecated.range,
    context: { diagnostics: [deprecated] },
  });
  const fix = actions.find((action) => action.title === 'Use registry.k8s.io');
  assert.deepEqual(fix?.edit?.changes?.[uri], [{ range: rangeOf(POD, 'k8s.gcr.io'), newText: 'registry.k8s.io' }]);
});

test('ranges are right in every document of a file, with CRLF line ends and characters outside the BMP', async () => {
  const text = [
    '# 🚀 deploys: 🚀🚀',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: a}',
    'spec:',
    '  containers: [{name: a, image: "nginx:1.25"}]',
    '---',
    '# ✓ second 🚀',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: b',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: b',
    '          image: nginx:latest  # 🚀',
    '',
  ].join('\r\n');
  const uri = 'file:///work/multi.yaml';
  await client.open(uri, text);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  const latest = withCode(diagnostics, 'latest-tag');
  assert.equal(latest.length, 1);
  assert.deepEqual(latest[0].range, rangeOf(text, 'latest', { from: text.indexOf('nginx:latest') }));
  assert.equal(textIn(text, latest[0].range), 'latest');
});

test('closing a document clears its diagnostics', async () => {
  const uri = 'file:///work/closed.yaml';
  await client.open(uri, POD);
  await client.waitForDiagnostics(uri, ({ diagnostics }) => diagnostics.length > 0);
  await client.close(uri);
  const { diagnostics, version } = await client.waitForDiagnostics(uri);
  assert.equal(version, undefined);
  assert.deepEqual(diagnostics, []);
});

/** Not YAML as written; in a chart it may be a fragment that rendering completes. */
const UNFINISHED = `apiVersion: v1
kind: Pod
metadata:
  name: a
spec: [unclosed
`;

test('a file under a templates/ folder is read as a Helm template: its YAML syntax errors are not reported', async () => {
  const template = 'file:///charts/app/templates/pod.yaml';
  const nested = 'file:///charts/app/templates/tests/pod.yaml';
  const plain = 'file:///manifests/pod.yaml';
  const named = 'file:///manifests/templates.yaml';
  await Promise.all([template, nested, plain, named].map((uri) => client.open(uri, UNFINISHED)));
  const [inTemplates, inNested, elsewhere, byName] = await Promise.all([template, nested, plain, named].map((uri) => client.waitForDiagnostics(uri)));
  assert.deepEqual(inTemplates.diagnostics, []);
  assert.deepEqual(inNested.diagnostics, []);
  assert.ok(withCode(elsewhere.diagnostics, 'yaml-syntax').length > 0, 'outside templates/ the same text is a YAML error');
  assert.ok(withCode(byName.diagnostics, 'yaml-syntax').length > 0, 'a file named templates.yaml is not in a templates/ folder');
});

const KUSTOMIZE_IMAGES = `images:
  - name: pause
    newName: k8s.gcr.io/pause
    newTag: "3.9"
`;

test('kustomization.yaml is read as a kustomization, by its file name alone', async () => {
  const kustomization = 'file:///overlays/prod/kustomization.yaml';
  const other = 'file:///overlays/prod/images.yaml';
  await client.open(kustomization, KUSTOMIZE_IMAGES);
  await client.open(other, KUSTOMIZE_IMAGES);
  const [asKustomization, asOther] = await Promise.all([client.waitForDiagnostics(kustomization), client.waitForDiagnostics(other)]);
  const [deprecated] = withCode(asKustomization.diagnostics, 'deprecated-registry');
  assert.deepEqual(deprecated?.range, rangeOf(KUSTOMIZE_IMAGES, 'k8s.gcr.io'));
  assert.deepEqual(asOther.diagnostics, [], 'not a Kubernetes object, not a kustomization: nothing to say');
});
