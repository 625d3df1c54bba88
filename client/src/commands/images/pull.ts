/**
 * Pull Image: a reference typed or picked from the images of the open manifests, pulled onto a
 * node as the kubelet would, with the registry credentials found for it (VS Code's, then
 * docker's) or anonymously, under a cancellable progress notification.
 */
import * as vscode from 'vscode';
import type { ExplorerItem } from '../../explorer/model/explorerTree';
import { normalizePullReference, pullImage, type PullOutcome } from '../../nodes/imagePull';
import { chooseNode, reportFailure, withCancellableProgress, withheldUntrusted, type CommandContext, type CommandOutcome } from '../commandContext';

export type PullCommandOutcome = CommandOutcome<{ readonly pulled: PullOutcome }>;

export async function pullCommand(context: CommandContext, item?: ExplorerItem): Promise<PullCommandOutcome> {
  const withheld = withheldUntrusted('Pulling an image');
  if (withheld !== undefined) return withheld;
  const chosen = await chooseNode(context, item, 'Pull an Image onto a Node');
  if (chosen === undefined) return { status: 'cancelled' };
  const { node, session } = chosen;
  const suggestions = await context.imageReferences().catch((error: unknown) => {
    context.log.warn(`The open manifests' images could not be listed: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  });
  const typed = await context.prompts().pickReference(node.target.name, suggestions);
  if (typed === undefined) return { status: 'cancelled' };
  const reference = normalizePullReference(typed);
  if (!reference.ok) {
    void vscode.window.showErrorMessage(`Not pulled: ${reference.message}`);
    return { status: 'failed', message: reference.message };
  }
  try {
    const pulled = await withCancellableProgress(`Pulling ${reference.reference} onto ${node.target.name}`, (signal) =>
      pullImage(session, reference.reference, context.credentials, { signal }),
    );
    for (const warning of pulled.warnings) context.log.warn(`Pulling ${pulled.reference}: ${warning}`);
    void vscode.window.showInformationMessage(`Pulled ${pulled.reference} onto ${node.target.name} ${pulled.authentication}.`);
    return { status: 'done', pulled };
  } catch (error) {
    return reportFailure(context, `Pulling ${reference.reference} onto ${node.target.name} failed`, error);
  } finally {
    void context.explorer.refresh();
  }
}
