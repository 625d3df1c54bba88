// Input that must never end the server: every case is followed by a request the server must
// still answer.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lspClient';

let client: LspClient;
before(async () => {
  client = LspClient.start();
  await client.initialize();
});
after(async () => {
  assert.ok(client.alive, 'the server is still running');
  await client.shutdown();
});

const codes = (diagnostics: readonly Diagnostic[]): string[] => diagnostics.map((d) => String(d.code));

/** The server answers a request about `uri` (null or a hover: any answer but an error). */
async function stillAnswers(uri: string): Promise<void> {
  const answer = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
  assert.ok(answer === null || typeof answer === 'object');
  assert.ok(client.alive);
}

const BILLION_LAUGHS = `apiVersion: v1
kind: Pod
metadata:
  name: lol
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
spec:
  containers: [{name: x, image: nginx, env: *i}]
`;

const cases: { name: string; text: () => string; expect?: (codes: string[]) => void }[] = [
  {
    name: 'binary content',
    text: () => `\u0000\u0001\u0002ELF\u0000${'\ufffd'.repeat(50)}\u0000image: nginx\u0007`,
    expect: (found) => assert.deepEqual(found, ['binary-content']),
  },
  {
    name: 'malformed YAML',
    text: () => 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: nginx\n  - : : :\n\t\tbad: "unterminated\n',
    expect: (found) => assert.ok(found.includes('yaml-syntax'), found.join()),
  },
  {
    // Shared nodes are walked once, so the aliases cost nothing and the image is still checked.
    name: 'billion laughs',
    text: () => BILLION_LAUGHS,
    expect: (found) => assert.deepEqual(found, ['excessive-aliasing']),
  },
  { name: 'deeply nested flow collections', text: () => `apiVersion: v1\nkind: Pod\nspec: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n` },
  { name: 'deeply nested block mappings', text: () => `apiVersion: v1\nkind: Pod\nspec:\n${Array.from({ length: 5_000 }, (_, depth) => `${' '.repeat(depth + 1)}k${depth}:`).join('\n')}\n` },
  { name: 'a huge single line', text: () => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${'x'.repeat(5_000_000)}}\n` },
  {
    name: 'a file over the default 20 MiB limit',
    text: () => `apiVersion: v1\nkind: Pod\n${'# filler\n'.repeat((21 * 1024 * 1024) / 9)}`,
    expect: (found) => assert.deepEqual(found, ['file-too-large']),
  },
  { name: 'lone surrogates and control characters', text: () => `apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: "ng\ud800inx\u001b[31m"}]\n` },
  { name: 'an empty document', text: () => '' },
  { name: 'only separators', text: () => '---\n---\n...\n---' },
];

for (const { name, text, expect } of cases) {
  test(`${name}: diagnostics are published and the server keeps answering`, { timeout: 30_000 }, async () => {
    const uri = `file:///garbage/${encodeURIComponent(name)}.yaml`;
    await client.open(uri, text());
    const { diagnostics } = await client.waitForDiagnostics(uri);
    expect?.(codes(diagnostics));
    await stillAnswers(uri);
  });
}

test('protocol misuse is answered or ignored, never fatal', async () => {
  const uri = 'file:///garbage/misuse.yaml';
  // A change to a document that was never opened.
  await client.change('file:///garbage/never-opened.yaml', [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]);
  await client.open(uri, 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: nginx}]\n');
  await client.waitForDiagnostics(uri);
  // Positions beyond the text, reversed ranges.
  await client.change(uri, [{ range: { start: { line: 99, character: 99 }, end: { line: 0, character: 0 } }, text: 'image: k8s.gcr.io/x\n' }]);
  await client.waitForDiagnostics(uri);
  // Requests about unknown documents, nonsense positions and forged diagnostic data.
  assert.equal(await client.request('textDocument/hover', { textDocument: { uri: 'file:///nowhere.yaml' }, position: { line: -1, character: -5 } }), null);
  assert.deepEqual(await client.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 50, character: 0 }, end: { line: 0, character: 0 } } }), []);
  const forged = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', source: 'kube-images', code: 42, data: { version: 2, fixes: [{ title: 'evil', isPreferred: true, edits: 'all' }] } };
  const actions = await client.request<unknown[]>('textDocument/codeAction', { textDocument: { uri }, range: forged.range, context: { diagnostics: [forged] } });
  assert.deepEqual(actions.filter((action) => (action as { title: string }).title === 'evil'), []);
  // A forged code must not be written into the document by "Ignore CODE on this line".
  const injecting = { ...forged, code: 'latest-tag\nkind: Secret', data: undefined };
  assert.deepEqual(await client.request('textDocument/codeAction', { textDocument: { uri }, range: forged.range, context: { diagnostics: [injecting] } }), []);
  // A diagnostic without data, with a range past the end and reversed, finds no finding to fix.
  const beyond = { range: { start: { line: 500, character: 3 }, end: { line: -2, character: 0 } }, message: 'x', source: 'kube-images', code: 'deprecated-registry' };
  const onBeyond = await client.request<{ title: string }[]>('textDocument/codeAction', { textDocument: { uri }, range: beyond.range, context: { diagnostics: [beyond] } });
  assert.deepEqual(onBeyond.filter((action) => action.title === 'Use registry.k8s.io'), []);
  await assert.rejects(client.request('kubeImages/noSuchMethod', {}), /Unhandled method/);
  await stillAnswers(uri);
});

test('a message that is not JSON is dropped, and the next one is answered', async () => {
  const uri = 'file:///garbage/after-bad-json.yaml';
  await client.open(uri, 'apiVersion: v1\nkind: Pod\n');
  await client.waitForDiagnostics(uri);
  const body = '{"jsonrpc": "2.0", "method": tru';
  await client.sendRaw(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  await stillAnswers(uri);
});
