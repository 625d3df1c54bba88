/**
 * Activation: assembles the extension's parts and hands their disposal to VS Code.
 */
import * as vscode from 'vscode';
import { createLanguageClient } from './languageClient';
import { initializationOptions, registerRegistryFeatures } from './registry/registryFeatures';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Kubernetes Images', { log: true });
  const client = createLanguageClient(context, log, initializationOptions);
  context.subscriptions.push(
    // Disposing the client stops the server when the extension is deactivated.
    client,
    log,
    vscode.commands.registerCommand('kubeImages.restartServer', () => client.restart()),
    ...registerRegistryFeatures(client, context.secrets, log),
  );
  await client.start();
}
