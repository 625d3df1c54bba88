// Editor features through VS Code's own command API, so what is checked is what the editor
// receives from the real language server: inlay hints, hover, quick fixes applied as workspace
// edits, and pinning against a loopback registry the driver started (KUBE_IMAGES_E2E_PIN); in an
// untrusted workspace pinning is withheld.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { diagnosticsFor } from './waitFor';

const trusted = process.env.KUBE_IMAGES_E2E_TRUST === 'trusted';

/** What the driver pushed: a tag on a registry behind a request-counting proxy, and its digest. */
const pinnable = ((): { reference: string; digest: string } | undefined => {
  const value = process.env.KUBE_IMAGES_E2E_PIN;
  return value === undefined ? undefined : (JSON.parse(value) as { reference: string; digest: string });
})();

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' ? String(code.value) : String(code);
}

function labelOf(hint: vscode.InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map((part) => part.value).join('');
}

function markdownOf(value: vscode.MarkdownString | vscode.MarkedString | string | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return value.value;
}

/** An unsaved YAML document with `text`: edits applied to it never touch the workspace's files. */
async function scratchManifest(text: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: text });
  await vscode.window.showTextDocument(document);
  return document;
}

function rangeOf(document: vscode.TextDocument, needle: string): vscode.Range {
  const start = document.getText().indexOf(needle);
  assert.ok(start >= 0, `"${needle}" is in the document`);
  return new vscode.Range(document.positionAt(start), document.positionAt(start + needle.length));
}

async function codeActions(document: vscode.TextDocument, range: vscode.Range, resolve = 0): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    document.uri,
    range,
    vscode.CodeActionKind.QuickFix.value,
    resolve,
  );
  return actions.filter((action): action is vscode.CodeAction => !('command' in action && typeof action.command === 'string'));
}

function deployment(...containers: string[]): string {
  return ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', 'spec:', '  template:', '    spec:', '      containers:', ...containers, ''].join('\n');
}

describe('editor features in a real extension host', () => {
  // Scratch manifests are closed unsaved, so later suites see only the documents they open.
  afterEach(async () => {
    if (vscode.window.activeTextEditor?.document.isUntitled) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('inlay hints show the imagePullPolicy the API server will default to, where it is omitted', async () => {
    const document = await scratchManifest(deployment('        - name: web', '          image: nginx:latest', '        - name: api', '          image: example/api:1.4', '          imagePullPolicy: Never'));
    await diagnosticsFor(document.uri, (found) => found.some((d) => d.source === 'kube-images'));
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', document.uri, new vscode.Range(0, 0, document.lineCount, 0));
    // One hint, right after the image whose policy is omitted; none where the policy is written.
    assert.deepEqual(
      hints.map((hint) => ({ label: labelOf(hint), position: hint.position })),
      [{ label: 'Always', position: rangeOf(document, 'nginx:latest').end }],
    );
    const [hint] = hints;
    assert.match(markdownOf(hint!.tooltip), /the API server sets it to `Always` when it creates this object/);
    assert.ok(hint!.textEdits?.some((edit) => edit.newText.includes('imagePullPolicy: Always')), 'double-clicking the hint writes the policy in');
  });

  it('the hover on an image shows the reference as it is pulled and the effective policy', async () => {
    const document = await scratchManifest(deployment('        - name: web', '          image: nginx'));
    await diagnosticsFor(document.uri, (found) => found.some((d) => codeOf(d) === 'implicit-latest'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, rangeOf(document, 'nginx').start.translate(0, 2));
    const text = hovers.flatMap((hover) => hover.contents.map(markdownOf)).join('\n');
    assert.match(text, /\*\*Pulled as\*\* `docker\.io\/library\/nginx:latest`/);
    assert.match(text, /\*\*Tag\*\* `latest` \(implied: no tag written\)/);
    assert.match(text, /\*\*imagePullPolicy: Always\*\*, defaulted by the API server at creation/);
  });

  it('a quick fix applies: the pull policy becomes the one Kubernetes accepts, and the error goes', async () => {
    const document = await scratchManifest(deployment('        - name: web', '          image: nginx:1.27', '          imagePullPolicy: ifnotpresent'));
    const [invalid] = (await diagnosticsFor(document.uri, (found) => found.some((d) => codeOf(d) === 'invalid-pull-policy'))).filter((d) => codeOf(d) === 'invalid-pull-policy');
    const fix = (await codeActions(document, invalid!.range)).find((action) => action.isPreferred);
    assert.equal(fix?.title, 'Change to IfNotPresent');
    assert.ok(await vscode.workspace.applyEdit(fix!.edit!));
    assert.ok(document.getText().includes('imagePullPolicy: IfNotPresent'));
    await diagnosticsFor(document.uri, (found) => !found.some((d) => codeOf(d) === 'invalid-pull-policy'));
  });

  it('"Pin to digest" writes the digest the registry answers (trusted); it is withheld when untrusted', async function () {
    if (pinnable === undefined) this.skip();
    const { reference, digest } = pinnable!;
    const document = await scratchManifest(deployment('        - name: app', `          image: ${reference}`));
    await diagnosticsFor(document.uri, () => true);
    const image = rangeOf(document, reference);
    const actions = await codeActions(document, image, 10);
    const pin = actions.find((action) => action.title === 'Pin to digest');
    if (!trusted) {
      // VS Code hands out only enabled actions: the server lists this one disabled, with the reason.
      assert.equal(pin, undefined, `no pin in an untrusted workspace: ${actions.map((action) => action.title).join(', ')}`);
      return;
    }
    assert.ok(pin?.edit, `the pin is resolved with an edit: ${actions.map((action) => action.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(pin.edit));
    assert.ok(document.getText().includes(`image: ${reference}@${digest}\n`), document.getText());
  });
});
