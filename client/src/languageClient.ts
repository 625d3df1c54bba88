/**
 * The language client for our server (`dist/server.js`), started over Node IPC. The server speaks
 * plain LSP, so this file holds only what VS Code needs to start it; other editors run the same
 * server with `--stdio`.
 */
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { KubeImagesInitializationOptions } from '../../server/src/lsp/protocol';

/** Also the settings prefix: the client reads `kubeImages.trace.server` for its message trace. */
const CLIENT_ID = 'kubeImages';

/** `initializationOptions` is called at every start of the server, so a restart sees the state of that moment. */
export function createLanguageClient(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  initializationOptions: () => KubeImagesInitializationOptions,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    synchronize: { configurationSection: 'kubeImages' },
    initializationOptions,
    // One channel for the server's log and the message trace, so users attach a single log to bug reports.
    outputChannel: log,
    traceOutputChannel: log,
  };
  return new LanguageClient(CLIENT_ID, log.name, serverOptions, clientOptions);
}
