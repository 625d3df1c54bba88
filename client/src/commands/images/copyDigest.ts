/**
 * Copy Image Digest: the manifest digest (`sha256:…`) each selected image was pulled by, the
 * value that pins a manifest to exactly this content.
 */
import * as vscode from 'vscode';
import type { ExplorerItem } from '../../explorer/model/explorerTree';
import { selectedImages } from '../commandContext';
import type { CopyCommandOutcome } from './copyReference';

export async function copyDigestCommand(item?: ExplorerItem, items?: readonly ExplorerItem[]): Promise<CopyCommandOutcome> {
  const digests = selectedImages(item, items).flatMap(({ entry }) => (entry.digest === undefined ? [] : [entry.digest]));
  if (digests.length === 0) {
    void vscode.window.showInformationMessage('The runtime reports no repository digest for this image (it was not pulled from a registry).');
    return { status: 'cancelled' };
  }
  const text = digests.join('\n');
  await vscode.env.clipboard.writeText(text);
  return { status: 'done', text };
}
