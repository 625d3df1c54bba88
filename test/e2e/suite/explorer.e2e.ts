// The image explorer in a real VS Code against a real containerd (started by
// test/e2e/extensionHost.test.ts, passed in KUBE_IMAGES_E2E_ENDPOINT): what the view lists, and
// Pull, Remove (and its refusal of an image in use), Inspect and Garbage Collect run as commands
// with the user's answers scripted through the extension's test hooks. In a restricted
// (untrusted) workspace the view still lists, and every action on the node is withheld.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** The explorer's tree items, as far as these tests read them. */
interface ExplorerItem {
  readonly kind: 'node' | 'group' | 'image' | 'container' | 'message';
  readonly id: string;
  readonly label: string;
  readonly children: readonly ExplorerItem[];
  readonly entry?: { readonly image: { readonly id: string; readonly repoTags: readonly string[] } };
}

interface Confirmation {
  readonly message: string;
  readonly detail: string;
  readonly action: string;
}

interface Suggestion {
  readonly image: string;
  readonly normalized: string;
}

/** The extension's `UserPrompts`, answered by the test. */
interface Prompts {
  confirm(confirmation: Confirmation): Promise<boolean>;
  pickNode(nodes: readonly unknown[], title: string): Promise<unknown>;
  pickReference(nodeName: string, suggestions: readonly Suggestion[]): Promise<string | undefined>;
  askCapacity(request: unknown): Promise<number | 'skip' | undefined>;
  askFilter(current: string): Promise<string | undefined>;
  pickSortOrder(current: string): Promise<string | undefined>;
  pickGrouping(current: string): Promise<string | undefined>;
}

interface TestApi {
  readonly explorer: {
    usePrompts(prompts: Prompts): void;
    readonly treeDataProvider: vscode.TreeDataProvider<ExplorerItem>;
    reload(): Promise<void>;
  };
}

interface Outcome {
  readonly status: 'done' | 'cancelled' | 'withheld' | 'failed';
  readonly [key: string]: unknown;
}

/** Answers from a script and a record of every question, so a test can say nothing else was asked. */
class ScriptedPrompts implements Prompts {
  readonly asked: string[] = [];
  confirmations: Confirmation[] = [];
  confirmAnswer = false;
  reference: string | undefined;
  suggestions: readonly Suggestion[] = [];
  onConfirm: ((confirmation: Confirmation) => Promise<void>) | undefined;

  async confirm(confirmation: Confirmation): Promise<boolean> {
    this.asked.push('confirm');
    this.confirmations.push(confirmation);
    await this.onConfirm?.(confirmation);
    return this.confirmAnswer;
  }
  async pickNode(): Promise<unknown> {
    this.asked.push('pickNode');
    return undefined;
  }
  async pickReference(_nodeName: string, suggestions: readonly Suggestion[]): Promise<string | undefined> {
    this.asked.push('pickReference');
    this.suggestions = suggestions;
    return this.reference;
  }
  async askCapacity(): Promise<number | 'skip' | undefined> {
    this.asked.push('askCapacity');
    return undefined;
  }
  async askFilter(): Promise<string | undefined> {
    this.asked.push('askFilter');
    return undefined;
  }
  async pickSortOrder(): Promise<string | undefined> {
    this.asked.push('pickSortOrder');
    return undefined;
  }
  async pickGrouping(): Promise<string | undefined> {
    this.asked.push('pickGrouping');
    return undefined;
  }
}

const endpoint = process.env.KUBE_IMAGES_E2E_ENDPOINT;
const seeded = JSON.parse(process.env.KUBE_IMAGES_E2E_IMAGES ?? 'null') as { inUse: string; inUseId: string; pullable: string } | null;
const trusted = process.env.KUBE_IMAGES_E2E_TRUST === 'trusted';

describe('the image explorer on a real containerd', function () {
  let api: TestApi;
  let prompts: ScriptedPrompts;

  before(async function () {
    if (endpoint === undefined || seeded === null) {
      console.log(`skipped: no containerd to list (${process.env.KUBE_IMAGES_E2E_NO_NODE ?? 'KUBE_IMAGES_E2E_ENDPOINT is not set'})`);
      this.skip();
      return;
    }
    const extension = vscode.extensions.getExtension<TestApi>('kube-images.kube-images');
    assert.ok(extension, 'the extension under test is loaded');
    const exports = await extension.activate();
    assert.ok(exports?.explorer, 'the extension hands its test hooks to tests');
    api = exports;
    await vscode.workspace.getConfiguration('kubeImages').update('endpoints', [{ name: 'e2e', endpoint }], vscode.ConfigurationTarget.Global);
  });

  beforeEach(async () => {
    prompts = new ScriptedPrompts();
    api.explorer.usePrompts(prompts);
    await api.explorer.reload();
  });

  after(async () => {
    if (api === undefined) return;
    const settings = vscode.workspace.getConfiguration('kubeImages');
    for (const key of ['endpoints', 'gc.highThresholdPercent', 'gc.lowThresholdPercent', 'gc.minAge']) await settings.update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  async function node(): Promise<ExplorerItem> {
    const roots = (await api.explorer.treeDataProvider.getChildren()) ?? [];
    assert.deepEqual(roots.map((root) => root.label), ['e2e']);
    return roots[0];
  }

  async function imageNamed(reference: string): Promise<ExplorerItem | undefined> {
    return (await node()).children.find((item) => item.kind === 'image' && item.entry?.image.repoTags.includes(reference));
  }

  it('lists the node and its images, with the container using one', async () => {
    const root = await node();
    const treeItem = await api.explorer.treeDataProvider.getTreeItem(root);
    assert.match(String(treeItem.description), /^containerd 1\.\d+\.\S+ · \d+ images? · \d/);
    assert.equal(treeItem.contextValue, 'node listed ready');
    const app = await imageNamed(seeded!.inUse);
    assert.ok(app, `the view lists ${seeded!.inUse}`);
    const appItem = await api.explorer.treeDataProvider.getTreeItem(app);
    assert.equal(appItem.label, [seeded!.inUse, seeded!.inUse.replace(/:1$/, ':stable')].sort().join(', '));
    assert.match(String(appItem.description), /^[0-9a-f]{12} · .* · in use \(1\)$/);
    assert.deepEqual(app.children.map((child) => child.label), ['app']);
    const resolved = await api.explorer.treeDataProvider.resolveTreeItem?.(appItem, app, new vscode.CancellationTokenSource().token);
    assert.match((resolved?.tooltip as vscode.MarkdownString).value, /\*\*In use by\*\*/);
  });

  if (trusted) {
    it('pulls an image, offering the images of the open manifests', async () => {
      const manifest = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'deployment.yaml');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(manifest));
      prompts.reference = seeded!.pullable;
      const outcome = (await vscode.commands.executeCommand('kubeImages.images.pull', await node())) as Outcome;
      assert.equal(outcome.status, 'done', JSON.stringify(outcome));
      assert.deepEqual((outcome['pulled'] as { reference: string; authentication: string }).reference, seeded!.pullable);
      assert.deepEqual(prompts.asked, ['pickReference']);
      // Other suites may have opened documents of their own; deployment.yaml's images are offered, normalized.
      const offered = prompts.suggestions.map(({ image, normalized }) => ({ image, normalized }));
      for (const expected of [
        { image: 'busybox', normalized: 'docker.io/library/busybox:latest' },
        { image: 'nginx:latest', normalized: 'docker.io/library/nginx:latest' },
      ]) {
        assert.ok(offered.some((suggestion) => suggestion.image === expected.image && suggestion.normalized === expected.normalized), JSON.stringify(offered));
      }
      await api.explorer.reload();
      assert.ok(await imageNamed(seeded!.pullable), 'the pulled image is listed');
    });

    it('refuses to remove an image a container uses, without asking', async () => {
      const app = await imageNamed(seeded!.inUse);
      assert.ok(app);
      const outcome = (await vscode.commands.executeCommand('kubeImages.images.remove', app, [app])) as Outcome;
      assert.equal(outcome.status, 'done');
      assert.deepEqual(outcome['removed'], []);
      const refused = outcome['refused'] as { id: string; reason: string }[];
      assert.deepEqual(refused.map((refusal) => refusal.id), [seeded!.inUseId]);
      assert.match(refused[0].reason, /^it is in use by container app \(pod kube-images-test\/e2e, running\)/);
      assert.deepEqual(prompts.asked, [], 'nothing to confirm');
      await api.explorer.reload();
      assert.ok(await imageNamed(seeded!.inUse), 'the image is still there');
    });

    it('removes an unused image after a confirmation that names every tag', async () => {
      const data = await imageNamed(seeded!.pullable);
      assert.ok(data);
      prompts.confirmAnswer = false;
      const declined = (await vscode.commands.executeCommand('kubeImages.images.remove', data, [data])) as Outcome;
      assert.equal(declined.status, 'cancelled');
      assert.ok(await imageNamed(seeded!.pullable), 'declining removes nothing');

      prompts.confirmAnswer = true;
      const outcome = (await vscode.commands.executeCommand('kubeImages.images.remove', data, [data])) as Outcome;
      assert.equal(outcome.status, 'done', JSON.stringify(outcome));
      assert.deepEqual(outcome['removed'], [data.entry!.image.id]);
      const [first] = prompts.confirmations;
      assert.match(first.message, /^Remove 1 image \(.*\) from e2e\?$/);
      assert.ok(first.detail.includes(seeded!.pullable), first.detail);
      await api.explorer.reload();
      assert.equal(await imageNamed(seeded!.pullable), undefined);
    });

    it('inspects an image as read-only JSON', async () => {
      const app = await imageNamed(seeded!.inUse);
      const outcome = (await vscode.commands.executeCommand('kubeImages.images.inspect', app)) as Outcome;
      assert.equal(outcome.status, 'done', JSON.stringify(outcome));
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(String(outcome['uri'])));
      assert.equal(document.uri.scheme, 'kube-images');
      const inspected = JSON.parse(document.getText()) as { image: { id: string }; info: { info?: { imageSpec?: unknown } } };
      assert.equal(inspected.image.id, seeded!.inUseId);
      assert.ok(inspected.info.info?.imageSpec, 'containerd’s verbose info is shown as JSON');
    });

    it('garbage-collects after a preview and a confirmation, keeping the image in use', async () => {
      const gc = vscode.workspace.getConfiguration('kubeImages.gc');
      await gc.update('highThresholdPercent', 0, vscode.ConfigurationTarget.Global);
      await gc.update('lowThresholdPercent', 0, vscode.ConfigurationTarget.Global);
      await gc.update('minAge', '0', vscode.ConfigurationTarget.Global);
      prompts.reference = seeded!.pullable;
      assert.equal(((await vscode.commands.executeCommand('kubeImages.images.pull', await node())) as Outcome).status, 'done');
      await api.explorer.reload();
      const dataId = (await imageNamed(seeded!.pullable))?.entry?.image.id;
      assert.ok(dataId);

      let preview = '';
      prompts.onConfirm = async () => {
        preview = (await vscode.workspace.openTextDocument(vscode.Uri.parse('kube-images:/gc/e2e.md'))).getText();
      };
      prompts.confirmAnswer = false;
      const declined = (await vscode.commands.executeCommand('kubeImages.images.garbageCollect', await node())) as Outcome;
      assert.equal(declined.status, 'cancelled');
      assert.match(preview, /^# Image garbage collection on e2e\n/);
      assert.match(preview, new RegExp(`## Remove \\(\\d+, .*\\)\\n\\n\\| Image \\| Tags \\| Size \\| Reason \\| Why \\|[^]*\`${dataId.slice(7, 19)}\``));
      assert.match(preview, new RegExp(`## Keep[^]*\`${seeded!.inUseId.slice(7, 19)}\`[^]*\\| in use \\|`));
      assert.ok(await imageNamed(seeded!.pullable), 'nothing is removed before the confirmation');

      prompts.confirmAnswer = true;
      const outcome = (await vscode.commands.executeCommand('kubeImages.images.garbageCollect', await node())) as Outcome;
      assert.equal(outcome.status, 'done', JSON.stringify(outcome));
      assert.ok((outcome['planned'] as string[]).includes(dataId));
      const run = outcome['run'] as { freed: number; failed: number; summary: string };
      assert.equal(run.failed, 0);
      assert.ok(run.freed > 0, run.summary);
      await api.explorer.reload();
      assert.equal(await imageNamed(seeded!.pullable), undefined);
      assert.ok(await imageNamed(seeded!.inUse), 'the image in use stays');
    });
  } else {
    it('withholds every action on the node, asking nothing', async () => {
      const root = await node();
      const app = await imageNamed(seeded!.inUse);
      for (const [command, ...args] of [
        ['kubeImages.images.pull', root],
        ['kubeImages.images.remove', app, [app]],
        ['kubeImages.images.prune', root],
        ['kubeImages.images.garbageCollect', root],
      ] as const) {
        const outcome = (await vscode.commands.executeCommand(command, ...args)) as Outcome;
        assert.equal(outcome.status, 'withheld', command);
        assert.match(String(outcome['reason']), /withheld in an untrusted workspace/);
      }
      assert.deepEqual(prompts.asked, []);
      assert.ok(await imageNamed(seeded!.inUse), 'the image is still there');
    });
  }
});
