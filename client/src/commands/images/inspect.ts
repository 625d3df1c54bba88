/**
 * Inspect Image: the runtime's verbose ImageStatus (containerd puts the image config and more
 * under `info`) as a read-only JSON document. Reading only, so allowed in untrusted workspaces.
 */
import * as vscode from 'vscode';
import type { ExplorerItem } from '../../explorer/model/explorerTree';
import { reportFailure, selectedImages, type CommandContext, type CommandOutcome } from '../commandContext';

export type InspectCommandOutcome = CommandOutcome<{ readonly uri: string }>;

export async function inspectCommand(context: CommandContext, item?: ExplorerItem): Promise<InspectCommandOutcome> {
  const [image] = selectedImages(item, undefined);
  const session = image === undefined ? undefined : context.explorer.session(image.node.target.key);
  if (image === undefined || session === undefined) {
    void vscode.window.showInformationMessage('Select an image in the Images on Nodes view to inspect it.');
    return { status: 'cancelled' };
  }
  try {
    const status = await session.images.imageStatus(image.entry.image.id, { verbose: true });
    if (status.image === undefined) {
      void vscode.window.showWarningMessage(`${image.entry.shortId} is no longer on ${image.node.target.name}.`);
      void context.explorer.refresh();
      return { status: 'failed', message: 'the image is gone' };
    }
    const uri = context.documents.put(`/inspect/${image.node.target.name}/${image.entry.shortId}.json`, `${JSON.stringify(inspection(status), null, 2)}\n`);
    await vscode.window.showTextDocument(uri, { preview: true });
    return { status: 'done', uri: uri.toString() };
  } catch (error) {
    return reportFailure(context, `Inspecting ${image.entry.shortId} failed`, error);
  }
}

/** The runtime's `info` values are JSON text; they are shown as JSON, not as escaped strings. */
function inspection(status: { image: unknown; info: Readonly<Record<string, string>> }): object {
  const info = Object.fromEntries(
    Object.entries(status.info).map(([key, value]) => {
      try {
        return [key, JSON.parse(value) as unknown];
      } catch {
        return [key, value];
      }
    }),
  );
  return { image: status.image, info };
}
