// "Pin to digest" as it is listed, which never needs the network: which images get it, that it
// carries no edit until resolved, and that clients unable to resolve it are not offered it.
// (Resolving against a real registry is in test/integration/pinLsp.test.ts.)
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CodeActionKind, type CodeAction, type Hover, type MarkupContent } from 'vscode-languageserver-protocol';
import { EDITOR_CAPABILITIES, LspClient } from '../support/lspClient';
import { rangeOf } from '../support/lspText';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: tagged
      image: registry.example/team/app:1.25
    - name: untagged
      image: registry.example/team/app
    - name: pinned
      image: registry.example/team/app@${DIGEST}
    - name: templated
      image: "{{ .Values.image }}"
    - name: escaped
      image: "registry.example/team/\\x61pp:2"
`;

async function pinActions(client: LspClient, uri: string, needle: string, occurrence = 0): Promise<CodeAction[]> {
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: rangeOf(POD, needle, { occurrence }),
    context: { diagnostics: [], only: [CodeActionKind.QuickFix] },
  });
  return actions.filter((action) => action.title.includes('to digest'));
}

describe('listing "Pin to digest"', () => {
  let client: LspClient;
  const uri = 'file:///work/pin-actions.yaml';
  before(async () => {
    client = LspClient.start();
    await client.initialize();
    await client.open(uri, POD);
    await client.waitForDiagnostics(uri);
  });
  after(async () => {
    await client.shutdown();
  });

  // The untagged image is the second appearance of its name, after the tagged one.
  const cases: readonly (readonly [needle: string, occurrence: number, offered: boolean])[] = [
    ['registry.example/team/app:1.25', 0, true],
    ['registry.example/team/app', 1, true],
    [`registry.example/team/app@${DIGEST}`, 0, false],
    ['{{ .Values.image }}', 0, false],
  ];
  for (const [needle, occurrence, offered] of cases) {
    test(`${offered ? 'offered' : 'not offered'} on ${JSON.stringify(needle)}`, async () => {
      const actions = await pinActions(client, uri, needle, occurrence);
      if (!offered) {
        assert.deepEqual(actions, []);
        return;
      }
      assert.equal(actions.length, 1);
      const [action] = actions;
      assert.equal(action!.title, 'Pin to digest');
      assert.equal(action!.edit, undefined, 'the edit waits for codeAction/resolve');
      assert.equal((action!.data as { kind: string }).kind, 'kubeImages.pin');
    });
  }

  test('a range over several images names each', async () => {
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: rangeOf(POD, 'registry.example/team/app:1.25').start, end: rangeOf(POD, '{{ .Values.image }}').end },
      context: { diagnostics: [], only: [CodeActionKind.QuickFix] },
    });
    assert.deepEqual(
      actions.filter((action) => action.title.includes('to digest')).map((action) => action.title),
      ['Pin "registry.example/team/app:1.25" to digest', 'Pin "registry.example/team/app" to digest'],
    );
  });

  test('a hover says nothing about the registry before a lookup', async () => {
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: rangeOf(POD, 'team/app:1.25').start });
    const markdown = (hover?.contents as MarkupContent).value;
    assert.ok(markdown.includes('Pulled as') && !markdown.includes('In the registry'), markdown);
  });
});

describe('clients that cannot resolve code actions', () => {
  test('are not offered a pin they could not apply; an unplaceable image needs disabled support', async () => {
    const client = LspClient.start();
    try {
      const codeAction = { ...EDITOR_CAPABILITIES.textDocument!.codeAction };
      delete codeAction.resolveSupport;
      await client.initialize({ ...EDITOR_CAPABILITIES, textDocument: { ...EDITOR_CAPABILITIES.textDocument, codeAction } });
      const uri = 'file:///work/pin-no-resolve.yaml';
      await client.open(uri, POD);
      await client.waitForDiagnostics(uri);
      assert.deepEqual(await pinActions(client, uri, 'registry.example/team/app:1.25'), []);
      assert.deepEqual(await pinActions(client, uri, 'registry.example/team/\\x61pp:2'), []);
    } finally {
      await client.shutdown();
    }
  });
});

describe('clients that show disabled actions', () => {
  test('see why an image written with escapes cannot be pinned', async () => {
    const client = LspClient.start();
    try {
      const codeAction = { ...EDITOR_CAPABILITIES.textDocument!.codeAction, disabledSupport: true };
      await client.initialize({ ...EDITOR_CAPABILITIES, textDocument: { ...EDITOR_CAPABILITIES.textDocument, codeAction } });
      const uri = 'file:///work/pin-disabled.yaml';
      await client.open(uri, POD);
      await client.waitForDiagnostics(uri);
      const [action, ...others] = await pinActions(client, uri, 'registry.example/team/\\x61pp:2');
      assert.deepEqual(others, []);
      assert.equal(action?.title, 'Pin to digest');
      assert.match(action?.disabled?.reason ?? '', /^Cannot pin "registry\.example\/team\/app:2": its scalar uses escapes/);
    } finally {
      await client.shutdown();
    }
  });
});
