/**
 * What the explorer needs from the rest of the extension: the images of the open manifests (the
 * language server knows them) and registry credentials for pulls (the ones entered in VS Code,
 * then docker's, then the kubelet's files when `kubeImages.credentials.useNodeFiles` is on).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ImageReferencesRequest } from '../../../server/src/lsp/protocol';
import { createCredentialSource } from '../../../server/src/registry/credentials/credentialStore';
import type { PullCredentialLookup } from '../nodes/imagePull';
import { SecretCredentials } from '../registry/secretCredentials';
import type { ReferenceSuggestion } from './userPrompts';

export function openManifestImages(client: LanguageClient): () => Promise<readonly ReferenceSuggestion[]> {
  return async () => {
    if (!client.isRunning()) return [];
    const entries = await client.sendRequest(ImageReferencesRequest.type);
    return entries.map(({ image, normalized, uris }) => ({
      image,
      normalized,
      where: uris.map((uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri))).join(', '),
    }));
  };
}

/** Built for each pull, so a changed setting or credential counts at once. */
export function pullCredentials(secrets: vscode.SecretStorage): PullCredentialLookup {
  const entered = new SecretCredentials(secrets);
  return {
    lookup: (registry, repository, signal) =>
      createCredentialSource({
        userEntered: { lookup: async (host) => ({ credentials: await entered.lookup(host), warnings: [] }) },
        kubeletNodeFiles: vscode.workspace.getConfiguration('kubeImages.credentials').get<boolean>('useNodeFiles') === true,
      }).lookup(registry, repository, signal),
  };
}
