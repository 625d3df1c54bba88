/**
 * Garbage Collect Images: the kubelet's image GC, planned on a fresh listing with the node's
 * history and the `kubeImages.gc.*` policy, shown as a read-only Markdown preview (removals with
 * reasons, what stays and why, target against what would be freed), confirmed in a modal, then
 * run with each image checked again just before its removal, past failures, and reported.
 *
 * The kubelet measures capacity on the node's own filesystem. A local runtime's is measured
 * here the same way; for a tcp:// or ssh:// node the user enters the size or skips the space pass.
 */
import * as vscode from 'vscode';
import { gcConfirmation } from '../../explorer/model/confirmations';
import type { ExplorerItem } from '../../explorer/model/explorerTree';
import { gcPreviewMarkdown } from '../../explorer/model/gcPreview';
import { executeRemovalPlan, type RemovalRun } from '../../nodes/gcExecution';
import { measureImageFilesystem } from '../../nodes/imageFilesystemCapacity';
import { planNodeGc, type GcFilesystem, type NodeGcPlan } from '../../nodes/nodeGcPlan';
import type { NodeSession } from '../../nodes/nodeSession';
import { chooseNode, gcPolicySetting, reportFailure, withCancellableProgress, withheldUntrusted, type CommandContext, type CommandOutcome } from '../commandContext';
import type { Explorer } from '../../explorer/explorer';
import type { UserPrompts } from '../../explorer/userPrompts';
import type { GcPolicy } from '../../cri/gc/gcPolicy';

export type GcCommandOutcome = CommandOutcome<{
  /** The plan's Markdown preview. */
  readonly previewUri: string;
  readonly planned: readonly string[];
  /** Undefined when nothing was removed: nothing to do, or not confirmed. */
  readonly run: Omit<RemovalRun, 'results'> | undefined;
}>;

/** The plan for a node, or undefined when the user cancelled the capacity question. */
export async function buildGcPlan(explorer: Explorer, prompts: UserPrompts, session: NodeSession, policy: GcPolicy): Promise<NodeGcPlan | undefined> {
  const { target } = session;
  const snapshot = await session.snapshot();
  const history = await explorer.history.observe(target.key, snapshot);
  const measured = await measureImageFilesystem(target, snapshot);
  let filesystem: GcFilesystem;
  if (measured.known) {
    filesystem = { kind: 'measured', capacityBytes: measured.capacityBytes, availableBytes: measured.availableBytes, mountpoint: measured.mountpoint };
  } else {
    const answer = await prompts.askCapacity({
      nodeName: target.name,
      reason: measured.reason,
      usedBytes: snapshot.imageFilesystems[0]?.usedBytes,
      highThresholdPercent: policy.highThresholdPercent,
      lowThresholdPercent: policy.lowThresholdPercent,
    });
    if (answer === undefined) return undefined;
    filesystem = answer === 'skip' ? { kind: 'unknown', reason: `${measured.reason}, and you chose to skip it` } : { kind: 'entered', capacityBytes: answer };
  }
  return planNodeGc({ snapshot, history, policy, filesystem, historyLocation: "this editor's storage (kept while the explorer lists the node)" });
}

export async function garbageCollectCommand(context: CommandContext, item?: ExplorerItem): Promise<GcCommandOutcome> {
  const withheld = withheldUntrusted('Garbage collection');
  if (withheld !== undefined) return withheld;
  const policy = gcPolicySetting();
  if (!policy.ok) {
    const message = `The kubeImages.gc settings are invalid: ${policy.message}`;
    void vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
      if (choice !== undefined) void vscode.commands.executeCommand('workbench.action.openSettings', 'kubeImages.gc');
    });
    return { status: 'failed', message };
  }
  const chosen = await chooseNode(context, item, 'Garbage Collect Images on a Node');
  if (chosen === undefined) return { status: 'cancelled' };
  const { node, session } = chosen;
  try {
    const built = await buildGcPlan(context.explorer, context.prompts(), session, policy.value);
    if (built === undefined) return { status: 'cancelled' };
    const { plan } = built;
    const previewUri = context.documents.put(`/gc/${node.target.name}.md`, gcPreviewMarkdown(node.target.name, built, policy.value));
    await showPreview(previewUri);
    const planned = plan.remove.map((image) => image.id);
    const confirmation = gcConfirmation(node.target.name, plan);
    if (confirmation === undefined) {
      void vscode.window.showInformationMessage(`${node.target.name}: nothing to remove. ${plan.summary}`);
      return { status: 'done', previewUri: previewUri.toString(), planned, run: undefined };
    }
    if (!(await context.prompts().confirm(confirmation))) return { status: 'cancelled' };
    const run = await withCancellableProgress(`Garbage-collecting images on ${node.target.name}`, (signal, report) =>
      executeRemovalPlan(session, plan, { signal, onProgress: ({ done, total }) => report(`${done + 1} of ${total}`) }),
    );
    const short = run.failed > 0 || run.freed < run.targetBytes;
    void (short ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(`${node.target.name}: ${run.summary}`);
    const { results: _results, ...summary } = run;
    return { status: 'done', previewUri: previewUri.toString(), planned, run: summary };
  } catch (error) {
    return reportFailure(context, `Garbage collection on ${node.target.name} failed`, error);
  } finally {
    void context.explorer.refresh();
  }
}

/** The rendered preview beside the view; the Markdown source when no Markdown preview is available. */
async function showPreview(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  } catch {
    await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }
}
