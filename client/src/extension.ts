/**
 * Activation: assembles the extension's parts and hands their disposal to VS Code.
 */
import * as vscode from 'vscode';
import { openManifestImages, pullCredentials } from './explorer/editorServices';
import { registerExplorer, type ExplorerTestHooks } from './explorer/registerExplorer';
import { createLanguageClient } from './languageClient';
import { initializationOptions, registerRegistryFeatures } from './registry/registryFeatures';

/** Returned only to the extension-host tests (extension mode Test), which answer prompts through it. */
export interface KubeImagesTestApi {
  readonly explorer: ExplorerTestHooks;
}

export async function activate(context: vscode.ExtensionContext): Promise<KubeImagesTestApi | undefined> {
  const log = vscode.window.createOutputChannel('Kubernetes Images', { log: true });
  const client = createLanguageClient(context, log, initializationOptions);
  const explorer = registerExplorer({ context, log, imageReferences: openManifestImages(client), credentials: pullCredentials(context.secrets) });
  context.subscriptions.push(
    ...explorer.disposables,
    // Disposing the client stops the server when the extension is deactivated.
    client,
    log,
    vscode.commands.registerCommand('kubeImages.restartServer', () => client.restart()),
    ...registerRegistryFeatures(client, context.secrets, log),
  );
  await client.start();
  return context.extensionMode === vscode.ExtensionMode.Test ? { explorer: explorer.testHooks } : undefined;
}
