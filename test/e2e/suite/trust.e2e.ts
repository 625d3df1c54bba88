import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('workspace trust', () => {
  it('the workspace is in the trust mode this run was started for', () => {
    const expected = process.env.KUBE_IMAGES_E2E_TRUST;
    assert.ok(expected === 'trusted' || expected === 'untrusted', `KUBE_IMAGES_E2E_TRUST is ${expected}`);
    assert.equal(vscode.workspace.isTrusted, expected === 'trusted');
  });
});
