/**
 * Remove Image: the selected images, each with every tag it has (CRI removes whole images). Built
 * first: judged on a fresh listing, an image a container uses (any state) or the runtime pinned
 * is refused and said so, and a modal confirmation names every tag that goes. Then run: each
 * image is judged once more just before its removal, since containerd would delete an image
 * from under a running container.
 */
import * as vscode from 'vscode';
import { removalConfirmation, type RemovalConfirmation } from '../../explorer/model/confirmations';
import type { ExplorerItem, ExplorerNode } from '../../explorer/model/explorerTree';
import { describeRefusal, judgeRemovals, removeImagesChecked, type RemovalResult } from '../../nodes/imageRemoval';
import type { NodeSession } from '../../nodes/nodeSession';
import { plural, reportFailure, selectedImages, withCancellableProgress, withheldUntrusted, type CommandContext, type CommandOutcome } from '../commandContext';

export interface RemovalReport {
  readonly removed: readonly string[];
  /** Each refused image with why, whether refused before asking or at removal time. */
  readonly refused: readonly { readonly id: string; readonly reason: string }[];
  readonly failed: readonly { readonly id: string; readonly message: string }[];
}

export type RemoveCommandOutcome = CommandOutcome<RemovalReport>;

/** What removing `ids` from one node would do, judged on a listing made now. */
export async function buildRemoval(node: ExplorerNode, session: NodeSession, ids: readonly string[]): Promise<RemovalConfirmation & { readonly refusedIds: readonly { id: string; reason: string }[] }> {
  const snapshot = await session.snapshot();
  const candidates = judgeRemovals(snapshot.images, snapshot.containers, ids);
  return {
    ...removalConfirmation(node.target.name, candidates),
    refusedIds: candidates.flatMap(({ image, refusal }) => (refusal === undefined ? [] : [{ id: image.id, reason: describeRefusal(refusal) }])),
  };
}

export async function removeCommand(context: CommandContext, item?: ExplorerItem, items?: readonly ExplorerItem[]): Promise<RemoveCommandOutcome> {
  const withheld = withheldUntrusted('Removing images');
  if (withheld !== undefined) return withheld;
  const images = selectedImages(item, items);
  if (images.length === 0) {
    void vscode.window.showInformationMessage('Select the images to remove in the Images on Nodes view.');
    return { status: 'cancelled' };
  }
  const byNode = new Map<string, string[]>();
  for (const image of images) byNode.set(image.node.target.key, [...(byNode.get(image.node.target.key) ?? []), image.entry.image.id]);

  const removed: string[] = [];
  const refused: { id: string; reason: string }[] = [];
  const failed: { id: string; message: string }[] = [];
  try {
    for (const [key, ids] of byNode) {
      const node = context.explorer.node(key);
      const session = context.explorer.session(key);
      if (node === undefined || session === undefined) continue;
      const built = await buildRemoval(node, session, ids);
      refused.push(...built.refusedIds);
      if (built.refusals.length > 0) void vscode.window.showWarningMessage(built.refusals.join(' '));
      if (built.confirmation === undefined || !(await context.prompts().confirm(built.confirmation))) continue;
      const toRemove = ids.filter((id) => !built.refusedIds.some((refusal) => refusal.id === id));
      const results = await withCancellableProgress(`Removing images from ${node.target.name}`, (signal, report) =>
        removeImagesChecked(session, toRemove, { signal, onProgress: ({ done, total }) => report(`${done + 1} of ${total}`) }),
      );
      collect(results, removed, refused, failed);
    }
  } catch (error) {
    return reportFailure(context, 'Removing images failed', error);
  } finally {
    void context.explorer.refresh();
  }
  report(removed, refused, failed);
  return removed.length === 0 && refused.length === 0 && failed.length === 0 ? { status: 'cancelled' } : { status: 'done', removed, refused, failed };
}

function collect(results: readonly RemovalResult[], removed: string[], refused: { id: string; reason: string }[], failed: { id: string; message: string }[]): void {
  for (const result of results) {
    switch (result.outcome) {
      case 'removed':
        removed.push(result.image.id);
        break;
      case 'refused':
        refused.push({ id: result.image.id, reason: `${describeRefusal(result.refusal)} (found at removal time)` });
        break;
      case 'gone':
        removed.push(result.id);
        break;
      case 'failed':
        failed.push({ id: result.id, message: result.error.message });
        break;
    }
  }
}

function report(removed: readonly string[], refused: readonly { reason: string }[], failed: readonly { id: string; message: string }[]): void {
  if (failed.length > 0) {
    void vscode.window.showErrorMessage(`Removed ${plural(removed.length, 'image')}; ${failed.length} failed: ${failed.map((failure) => failure.message).join('; ')}`);
  } else if (removed.length > 0) {
    void vscode.window.showInformationMessage(`Removed ${plural(removed.length, 'image')}${refused.length > 0 ? `; ${refused.length} kept` : ''}.`);
  }
}
