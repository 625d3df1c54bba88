// The server's handshake: what it announces, and that it shuts down cleanly when asked.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CodeActionKind, TextDocumentSyncKind } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lspClient';

test('initialize announces incremental sync, hover, inlay hints and code actions with resolve', async () => {
  const client = LspClient.start();
  try {
    const { capabilities, serverInfo } = await client.initialize();
    assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: TextDocumentSyncKind.Incremental });
    assert.equal(capabilities.hoverProvider, true);
    assert.deepEqual(capabilities.inlayHintProvider, { resolveProvider: false });
    assert.deepEqual(capabilities.codeActionProvider, {
      codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, 'source.fixAll.kubeImages'],
      resolveProvider: true,
    });
    assert.equal(serverInfo?.name, 'kube-images');
    assert.equal(await client.shutdown(), 0);
  } finally {
    client.kill();
  }
});
