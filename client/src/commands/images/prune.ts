/**
 * Prune Unused Images: every image no container uses (in any state) and the runtime has not
 * pinned, as `crictl rmi --prune`. Planned on a fresh listing, confirmed in a modal that lists
 * them with every tag, then removed one by one, each checked again just before its removal.
 */
import * as vscode from 'vscode';
import { planPrune } from '../../cri/gc/prunePlan';
import { pruneConfirmation } from '../../explorer/model/confirmations';
import type { ExplorerItem } from '../../explorer/model/explorerTree';
import { executeRemovalPlan, type RemovalRun } from '../../nodes/gcExecution';
import { chooseNode, reportFailure, withCancellableProgress, withheldUntrusted, type CommandContext, type CommandOutcome } from '../commandContext';

export type PruneCommandOutcome = CommandOutcome<{ readonly planned: readonly string[]; readonly run: Omit<RemovalRun, 'results'> | undefined }>;

export async function pruneCommand(context: CommandContext, item?: ExplorerItem): Promise<PruneCommandOutcome> {
  const withheld = withheldUntrusted('Pruning images');
  if (withheld !== undefined) return withheld;
  const chosen = await chooseNode(context, item, 'Prune Unused Images on a Node');
  if (chosen === undefined) return { status: 'cancelled' };
  const { node, session } = chosen;
  try {
    const snapshot = await session.snapshot();
    const plan = planPrune(snapshot.images, snapshot.containers);
    const planned = plan.remove.map((image) => image.id);
    const confirmation = pruneConfirmation(node.target.name, plan);
    if (confirmation === undefined) {
      void vscode.window.showInformationMessage(`${node.target.name}: ${plan.summary}`);
      return { status: 'done', planned, run: undefined };
    }
    if (!(await context.prompts().confirm(confirmation))) return { status: 'cancelled' };
    const run = await withCancellableProgress(`Pruning images on ${node.target.name}`, (signal, report) =>
      executeRemovalPlan(session, { remove: plan.remove, target: { bytes: 0 } }, { signal, onProgress: ({ done, total }) => report(`${done + 1} of ${total}`) }),
    );
    const show = run.failed > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`${node.target.name}: ${run.summary}`);
    const { results: _results, ...summary } = run;
    return { status: 'done', planned, run: summary };
  } catch (error) {
    return reportFailure(context, `Pruning ${node.target.name} failed`, error);
  } finally {
    void context.explorer.refresh();
  }
}
