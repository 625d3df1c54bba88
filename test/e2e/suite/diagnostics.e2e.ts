import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { diagnosticsFor } from './waitFor';

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' ? String(code.value) : String(code);
}

describe('diagnostics in a real extension host', () => {
  it('activates on a YAML manifest and publishes our diagnostics with codes and links', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    const uri = vscode.Uri.joinPath(folder.uri, 'deployment.yaml');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const diagnostics = await diagnosticsFor(uri, (found) => found.some((d) => d.source === 'kube-images'));
    const ours = diagnostics.filter((d) => d.source === 'kube-images');
    assert.deepEqual(ours.map(codeOf).sort(), ['implicit-latest', 'invalid-pull-policy', 'latest-tag']);
    for (const diagnostic of ours) {
      const code = diagnostic.code;
      assert.ok(typeof code === 'object' && code.target.toString().startsWith('https://kubernetes.io/'), `${codeOf(diagnostic)} links to the Kubernetes docs`);
    }
    const latest = ours.find((d) => codeOf(d) === 'latest-tag')!;
    assert.equal(document.getText(latest.range), 'latest');
  });
});
