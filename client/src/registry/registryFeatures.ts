/**
 * The editor side of registry lookups: workspace trust passed to the server, credentials answered
 * from `SecretStorage`, and the commands that pin, check drift and manage credentials. Each
 * command takes an optional document URI, so the palette, an editor menu and a context menu
 * share one body.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient, type WorkDoneProgressBegin, type WorkDoneProgressReport } from 'vscode-languageclient/node';
import {
  CheckDriftRequest,
  PinAllRequest,
  RegistryCredentialsRequest,
  registryHostOf,
  UNTRUSTED_WORKSPACE_REASON,
  RegistryCredentialsChangedNotification,
  WorkspaceTrustGrantedNotification,
  type KubeImagesInitializationOptions,
  type PinFailureReport,
} from '../../../server/src/lsp/protocol';
import { credentialOf, isRegistryCredentialKey, SecretCredentials } from './secretCredentials';

/** Read at every server start, so a restarted server sees the trust state of that moment. */
export function initializationOptions(): KubeImagesInitializationOptions {
  return { workspaceTrusted: vscode.workspace.isTrusted, registryCredentials: true };
}

export function registerRegistryFeatures(client: LanguageClient, secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const credentials = new SecretCredentials(secrets);
  return [
    // The server asks only from a trusted workspace; the answer is withheld otherwise all the same.
    client.onRequest(RegistryCredentialsRequest.type, async ({ registry }) => {
      const host = registryHostOf(registry);
      return vscode.workspace.isTrusted && host !== undefined ? credentials.lookup(host) : [];
    }),
    secrets.onDidChange((event) => {
      if (isRegistryCredentialKey(event.key) && client.isRunning()) void client.sendNotification(RegistryCredentialsChangedNotification.type);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (client.isRunning()) void client.sendNotification(WorkspaceTrustGrantedNotification.type);
    }),
    vscode.commands.registerCommand('kubeImages.pinAllImages', (uri?: vscode.Uri) => pinAllImages(client, log, uri)),
    vscode.commands.registerCommand('kubeImages.checkDrift', (uri?: vscode.Uri) => checkDrift(client, log, uri)),
    vscode.commands.registerCommand('kubeImages.addRegistryCredentials', () => addCredentials(credentials)),
    vscode.commands.registerCommand('kubeImages.removeRegistryCredentials', () => removeCredentials(credentials)),
  ];
}

async function pinAllImages(client: LanguageClient, log: vscode.LogOutputChannel, uri: vscode.Uri | undefined): Promise<void> {
  const document = await targetDocument(uri);
  if (document === undefined || !(await trusted())) return;
  const version = document.version;
  const title = `Pinning the images of ${vscode.workspace.asRelativePath(document.uri)} to digests`;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const workDoneToken = randomUUID();
    let reported = 0;
    const listening = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      if (value.kind === 'end') return;
      const { percentage, message } = value as WorkDoneProgressBegin | WorkDoneProgressReport;
      // VS Code adds increments up; the server reports how far it is.
      const increment = percentage === undefined ? undefined : Math.max(0, percentage - reported);
      if (percentage !== undefined) reported = Math.max(reported, percentage);
      progress.report(increment === undefined ? { message } : { message, increment });
    });
    try {
      const result = await client.sendRequest(PinAllRequest.type, { uri: document.uri.toString(), version, workDoneToken }, token);
      // Nothing half-applied: a cancel or an edit while the registries answered voids the result.
      if (token.isCancellationRequested) return;
      if (document.version !== version) {
        void vscode.window.showWarningMessage('The document changed while its images were looked up; nothing was pinned. Run the command again.');
        return;
      }
      const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result.edit, token);
      if (token.isCancellationRequested || document.version !== version) return;
      const pinned = edit.size > 0 ? edit.get(document.uri).length : 0;
      if (pinned > 0 && !(await vscode.workspace.applyEdit(edit))) {
        void vscode.window.showErrorMessage('VS Code did not apply the pins; nothing was changed.');
        return;
      }
      await reportOutcome(log, `Pinned ${plural(pinned, 'image')}`, result.failures, 'could not be pinned');
    } catch (error) {
      if (!token.isCancellationRequested) void vscode.window.showErrorMessage(messageOf(error));
    } finally {
      listening.dispose();
    }
  });
}

async function checkDrift(client: LanguageClient, log: vscode.LogOutputChannel, uri: vscode.Uri | undefined): Promise<void> {
  const document = await targetDocument(uri);
  if (document === undefined || !(await trusted())) return;
  const title = `Checking the tags of ${vscode.workspace.asRelativePath(document.uri)} in their registries`;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    try {
      const result = await client.sendRequest(CheckDriftRequest.type, { uri: document.uri.toString() }, token);
      const summary = `Checked ${plural(result.checked, 'tag')}: ${result.drifted} moved away from the pinned digest, ${result.notFound} not found (see Problems)`;
      await reportOutcome(log, summary, result.failures, 'could not be checked');
    } catch (error) {
      if (!token.isCancellationRequested) void vscode.window.showErrorMessage(messageOf(error));
    }
  });
}

async function addCredentials(credentials: SecretCredentials): Promise<void> {
  const typed = await vscode.window.showInputBox({
    title: 'Add Registry Credentials (1/3)',
    prompt: 'The registry host, as image references name it',
    placeHolder: 'ghcr.io, registry.example.com:5000, docker.io',
    ignoreFocusOut: true,
    validateInput: (value) => (registryHostOf(value) === undefined ? 'Enter a host name, with a port if the registry has one' : undefined),
  });
  const host = typed === undefined ? undefined : registryHostOf(typed);
  if (host === undefined) return;
  const username = await vscode.window.showInputBox({
    title: 'Add Registry Credentials (2/3)',
    prompt: `The user name for ${host}. Leave it empty if the secret is an access token sent as it is; <token> marks an identity token, as docker writes it.`,
    ignoreFocusOut: true,
  });
  if (username === undefined) return;
  const secret = await vscode.window.showInputBox({
    title: 'Add Registry Credentials (3/3)',
    prompt: username === '' ? `The access token for ${host}` : `The password or access token of ${username} at ${host}`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value === '' ? 'The secret cannot be empty' : undefined),
  });
  if (secret === undefined) return;
  await credentials.store(host, credentialOf(username.trim(), secret));
  void vscode.window.showInformationMessage(`The credentials for ${host} are stored in VS Code's secret storage; they are used before docker's.`);
}

async function removeCredentials(credentials: SecretCredentials): Promise<void> {
  const hosts = await credentials.hosts();
  if (hosts.length === 0) {
    void vscode.window.showInformationMessage('No registry credentials are stored in VS Code.');
    return;
  }
  const host = await vscode.window.showQuickPick(hosts, { title: 'Remove Registry Credentials', placeHolder: 'The registry whose stored credentials to remove' });
  if (host === undefined) return;
  const remove = 'Remove';
  const confirmed = await vscode.window.showWarningMessage(`Remove the credentials stored for ${host}?`, { modal: true, detail: 'Docker credentials are not affected.' }, remove);
  if (confirmed !== remove) return;
  await credentials.remove(host);
  void vscode.window.showInformationMessage(`The credentials for ${host} were removed.`);
}

/** The document a command acts on: the one it was invoked on, else the active editor's. */
async function targetDocument(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri !== undefined) return vscode.workspace.openTextDocument(uri);
  const document = vscode.window.activeTextEditor?.document;
  if (document === undefined) void vscode.window.showInformationMessage('Open a Kubernetes manifest first.');
  return document;
}

/** Registry lookups wait for trust; the user is pointed at where to give it. */
async function trusted(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  if ((await vscode.window.showWarningMessage(`${UNTRUSTED_WORKSPACE_REASON}.`, manage)) === manage) {
    await vscode.commands.executeCommand('workbench.trust.manage');
  }
  return false;
}

async function reportOutcome(log: vscode.LogOutputChannel, summary: string, failures: readonly PinFailureReport[], failed: string): Promise<void> {
  if (failures.length === 0) {
    void vscode.window.showInformationMessage(`${summary}.`);
    return;
  }
  for (const failure of failures) log.warn(`${failure.image} ${failed}: ${failure.message}`);
  const details = 'Show Details';
  const message = failures.length === 1 ? `${summary}; ${failures[0]!.image} ${failed}: ${failures[0]!.message}` : `${summary}; ${failures.length} images ${failed}.`;
  if ((await vscode.window.showWarningMessage(message, details)) === details) log.show(true);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function plural(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}
