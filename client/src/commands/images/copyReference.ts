/**
 * Copy Image Reference: the selected images' references, one a line: the first tag, or for an
 * image without tags the repository digest it was pulled by, or its id.
 */
import * as vscode from 'vscode';
import type { ExplorerItem } from '../../explorer/model/explorerTree';
import { selectedImages, type CommandOutcome } from '../commandContext';

export type CopyCommandOutcome = CommandOutcome<{ readonly text: string }>;

export async function copyReferenceCommand(item?: ExplorerItem, items?: readonly ExplorerItem[]): Promise<CopyCommandOutcome> {
  const images = selectedImages(item, items);
  if (images.length === 0) return { status: 'cancelled' };
  const text = images.map(({ entry }) => entry.tags[0] ?? entry.image.repoDigests[0] ?? entry.image.id).join('\n');
  await vscode.env.clipboard.writeText(text);
  return { status: 'done', text };
}
