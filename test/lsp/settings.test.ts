// Settings: pulled per document with workspace/configuration, refreshed on didChangeConfiguration;
// pushed in didChangeConfiguration for clients without the configuration capability.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DiagnosticSeverity, type Diagnostic, type InlayHint } from 'vscode-languageserver-protocol';
import { EDITOR_CAPABILITIES, LspClient } from '../support/lspClient';
import { positionAt, textIn } from '../support/lspText';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx
    - name: sidecar
      image: busybox:1.36
`;

const codes = (diagnostics: readonly Diagnostic[]): string[] => diagnostics.map((d) => String(d.code)).sort();
const has = (code: string) => ({ diagnostics }: { diagnostics: Diagnostic[] }) => diagnostics.some((d) => d.code === code);
const lacks = (code: string) => ({ diagnostics }: { diagnostics: Diagnostic[] }) => !diagnostics.some((d) => d.code === code);

describe('with workspace/configuration', () => {
  let client: LspClient;
  before(async () => {
    client = LspClient.start();
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
  });

  test('the settings are asked for the document, in the kubeImages section', async () => {
    const uri = 'file:///work/asks.yaml';
    await client.open(uri, POD);
    await client.waitForDiagnostics(uri);
    assert.ok(client.configurationRequests.some((item) => item.scopeUri === uri && item.section === 'kubeImages'));
  });

  test('severity overrides: off removes a diagnostic, opt-in adds not-pinned, a level changes the severity', async () => {
    const uri = 'file:///work/severity.yaml';
    await client.open(uri, POD);
    const defaults = await client.waitForDiagnostics(uri);
    assert.deepEqual(codes(defaults.diagnostics), ['implicit-latest']);

    await client.configure({ diagnostics: { severity: { 'implicit-latest': 'off' } } });
    const silenced = await client.waitForDiagnostics(uri, lacks('implicit-latest'));
    assert.deepEqual(silenced.diagnostics, []);

    await client.configure({ diagnostics: { severity: { 'not-pinned': 'warning', 'implicit-latest': 'error' } } });
    const optedIn = await client.waitForDiagnostics(uri, has('not-pinned'));
    const notPinned = optedIn.diagnostics.filter((d) => d.code === 'not-pinned');
    assert.deepEqual(notPinned.map((d) => textIn(POD, d.range)).sort(), ['busybox:1.36', 'nginx']);
    assert.ok(notPinned.every((d) => d.severity === DiagnosticSeverity.Warning));
    assert.deepEqual(optedIn.diagnostics.filter((d) => d.code === 'implicit-latest').map((d) => d.severity), [DiagnosticSeverity.Error]);

    await client.configure({});
    await client.waitForDiagnostics(uri, lacks('not-pinned'));
  });

  test('values outside the documented ones fall back to the defaults', async () => {
    const uri = 'file:///work/invalid-settings.yaml';
    await client.configure({ diagnostics: { severity: { 'implicit-latest': 'loud' } }, maxFileSize: -1, inlayHints: { effectivePullPolicy: 'yes' } });
    await client.open(uri, POD);
    const { diagnostics } = await client.waitForDiagnostics(uri);
    assert.deepEqual(codes(diagnostics), ['implicit-latest']);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: positionAt(POD, 0), end: positionAt(POD, POD.length) } });
    assert.equal(hints.length, 2);
    await client.configure({});
  });

  test('inlay hints can be turned off', async () => {
    const uri = 'file:///work/no-hints.yaml';
    await client.open(uri, POD);
    await client.waitForDiagnostics(uri);
    const range = { start: positionAt(POD, 0), end: positionAt(POD, POD.length) };
    assert.equal((await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range })).length, 2);
    await client.configure({ inlayHints: { effectivePullPolicy: false } });
    assert.deepEqual(await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range }), []);
    await client.configure({});
  });

  test('a file over maxFileSize gets one diagnostic and no analysis', async () => {
    const uri = 'file:///work/small-limit.yaml';
    await client.configure({ maxFileSize: 64 });
    await client.open(uri, POD);
    const { diagnostics } = await client.waitForDiagnostics(uri);
    assert.deepEqual(codes(diagnostics), ['file-too-large']);
    await client.configure({});
    await client.waitForDiagnostics(uri, has('implicit-latest'));
  });
});

describe('without workspace/configuration (e.g. Neovim)', () => {
  let client: LspClient;
  before(async () => {
    client = LspClient.start();
    await client.initialize({ ...EDITOR_CAPABILITIES, workspace: { configuration: false } });
  });
  after(async () => {
    await client.shutdown();
  });

  test('the defaults apply and nothing is asked; settings pushed in didChangeConfiguration apply', async () => {
    const uri = 'file:///work/pushed.yaml';
    await client.open(uri, POD);
    const defaults = await client.waitForDiagnostics(uri);
    assert.deepEqual(codes(defaults.diagnostics), ['implicit-latest']);

    await client.configure({ diagnostics: { severity: { 'not-pinned': 'information' } } });
    const pushed = await client.waitForDiagnostics(uri, has('not-pinned'));
    assert.deepEqual(codes(pushed.diagnostics), ['implicit-latest', 'not-pinned', 'not-pinned']);
    assert.deepEqual(client.configurationRequests, []);
  });
});
