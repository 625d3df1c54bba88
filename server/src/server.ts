/**
 * Entry point of the language server. `node dist/server.js --stdio` for any editor; VS Code starts
 * it with `--node-ipc` (`createConnection` picks the transport from the arguments).
 *
 * This file only wires: the document store, the settings, the diagnostics publisher and one
 * adapter per LSP feature. Every handler is guarded, so no input ends the process.
 */
import { ProposedFeatures, TextDocumentSyncKind, createConnection, type InitializeResult } from 'vscode-languageserver/node';
import { CODE_ACTION_OPTIONS, registerCodeActions } from './lsp/codeActions';
import { DiagnosticsPublisher } from './lsp/diagnostics';
import { DocumentStore } from './lsp/documents';
import { DriftChecker } from './lsp/drift';
import { guard, logError } from './lsp/guard';
import { registerHover } from './lsp/hover';
import { registerImageReferences } from './lsp/imageReferences';
import { registerInlayHints } from './lsp/inlayHints';
import { registerCheckDrift, registerPinAll } from './lsp/pinAll';
import { PinCodeActions } from './lsp/pinCodeActions';
import { ClientCredentialSource } from './lsp/pinCredentials';
import { editorRegistryClients, RegistryAccess } from './lsp/pinRegistryAccess';
import { readInitializationOptions, RegistryCredentialsChangedNotification, WorkspaceTrustGrantedNotification } from './lsp/protocol';
import { SettingsStore } from './lsp/settings';

const connection = createConnection(ProposedFeatures.all);

// Last line of defence: a failure outside any handler is logged, never fatal.
process.on('uncaughtException', (error) => logError(connection, 'Uncaught exception', error));
process.on('unhandledRejection', (reason) => logError(connection, 'Unhandled rejection', reason));

connection.onInitialize((params): InitializeResult => {
  const store = new DocumentStore();
  const settings = new SettingsStore(connection, params.capabilities);
  const diagnostics = new DiagnosticsPublisher(connection, store, settings);
  const canRefreshInlayHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
  const options = readInitializationOptions(params.initializationOptions);
  // Without a trust state (editors other than VS Code), lookups happen only when the user acts or opts in.
  const userEnteredCredentials = options.registryCredentials === true ? new ClientCredentialSource(connection) : undefined;
  const registryClients = editorRegistryClients(userEnteredCredentials, (message) => connection.console.warn(message));
  const registry = new RegistryAccess(options.workspaceTrusted !== false, registryClients);
  const drift = new DriftChecker(connection, registry, (uri) => diagnostics.schedule(uri));
  diagnostics.addSource((document, documents, documentSettings) => drift.diagnostics(document.uri, document.textDocument, documents, documentSettings));

  connection.onDidOpenTextDocument(guard(connection, 'didOpen', undefined, (event) => store.didOpen(event)));
  connection.onDidChangeTextDocument(guard(connection, 'didChange', undefined, (event) => store.didChange(event)));
  connection.onDidCloseTextDocument(guard(connection, 'didClose', undefined, (event) => store.didClose(event)));
  connection.onDidChangeConfiguration(guard(connection, 'didChangeConfiguration', undefined, (event) => settings.didChangeConfiguration(event.settings)));
  connection.onNotification(WorkspaceTrustGrantedNotification.type, guard(connection, 'workspaceTrustGranted', undefined, () => registry.grantTrust()));
  connection.onNotification(RegistryCredentialsChangedNotification.type, guard(connection, 'registryCredentialsChanged', undefined, () => registry.credentialsChanged()));
  connection.onShutdown(() => registry.dispose());

  store.onDidChangeContent((document) => diagnostics.schedule(document.uri));
  store.onDidClose((uri) => {
    settings.forget(uri);
    drift.forget(uri);
    diagnostics.clear(uri);
  });
  // Drift checks the settings asked for may start now.
  registry.onDidGrantTrust(() => diagnostics.scheduleAll());
  settings.onDidChange(() => {
    diagnostics.scheduleAll();
    if (canRefreshInlayHints) connection.languages.inlayHint.refresh().catch((error: unknown) => logError(connection, 'Refreshing inlay hints failed', error));
  });

  registerHover(connection, store, settings, registry);
  registerImageReferences(connection, store, settings);
  registerInlayHints(connection, store, settings);
  registerCodeActions(connection, store, settings, new PinCodeActions(connection, store, settings, registry, params.capabilities));
  registerPinAll(connection, store, settings, registry);
  registerCheckDrift(connection, store, settings, registry, drift);

  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      inlayHintProvider: { resolveProvider: false },
      codeActionProvider: CODE_ACTION_OPTIONS,
    },
    serverInfo: { name: 'kube-images' },
  };
});

connection.listen();
