/**
 * A minimal LSP client for tests and the benchmark: starts the real `dist/server.js --stdio` as a
 * child process and speaks JSON-RPC to it. Everything waits on messages, never on time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import {
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  UnregistrationRequest,
  createProtocolConnection,
  type ClientCapabilities,
  type ConfigurationItem,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const SERVER_PATH = join(__dirname, '..', '..', '..', 'dist', 'server.js');

/** What a client with pull-model settings, inlay hints and code-action literals announces. */
export const EDITOR_CAPABILITIES: ClientCapabilities = {
  workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    inlayHint: { resolveSupport: { properties: [] } },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'refactor.rewrite', 'source', 'source.fixAll'] } },
      isPreferredSupport: true,
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
  },
};

interface DiagnosticsWaiter {
  readonly uri: string;
  readonly matches: (params: PublishDiagnosticsParams) => boolean;
  readonly resolve: (params: PublishDiagnosticsParams) => void;
  readonly reject: (error: Error) => void;
}

export class LspClient {
  readonly connection: ProtocolConnection;
  /** The server's `window/logMessage` messages, for failure reports. */
  readonly log: string[] = [];
  /** Answers the server's `workspace/configuration` requests; `settings` is returned for every item. */
  settings: unknown = {};
  /** Every `workspace/configuration` item the server asked for. */
  readonly configurationRequests: ConfigurationItem[] = [];
  /** Resolves with the exit code (or signal name) when the server process ends. */
  readonly exited: Promise<number | string>;

  private readonly versions = new Map<string, number>();
  private readonly latestDiagnostics = new Map<string, PublishDiagnosticsParams>();
  private waiters: DiagnosticsWaiter[] = [];
  private stderr = '';
  private hasExited = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.hasExited = true;
        const error = new Error(`The server exited (${code ?? signal}). stderr:\n${this.stderr}\nlog:\n${this.log.join('\n')}`);
        for (const waiter of this.waiters) waiter.reject(error);
        this.waiters = [];
        resolve(code ?? signal ?? 'unknown');
      });
    });
    // Writes to a dead server fail; the exit report above says why, so these are not rethrown.
    child.stdin.on('error', () => undefined);

    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => this.received(params));
    this.connection.onNotification(LogMessageNotification.type, (params) => {
      this.log.push(params.message);
    });
    this.connection.onRequest(ConfigurationRequest.type, (params) => {
      this.configurationRequests.push(...params.items);
      return params.items.map(() => this.settings);
    });
    this.connection.onRequest(RegistrationRequest.type, () => undefined);
    this.connection.onRequest(UnregistrationRequest.type, () => undefined);
    this.connection.onRequest('workspace/inlayHint/refresh', () => undefined);
    this.connection.onRequest('workspace/diagnostic/refresh', () => undefined);
    this.connection.listen();
  }

  /** `nodeArguments` go before the script, e.g. `--cpu-prof` for the benchmark's profiles. */
  static start(serverPath = SERVER_PATH, nodeArguments: readonly string[] = []): LspClient {
    return new LspClient(spawn(process.execPath, [...nodeArguments, serverPath, '--stdio'], { stdio: 'pipe' }));
  }

  get alive(): boolean {
    return !this.hasExited;
  }

  /** The server's process id, for reading its memory use from `/proc`. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async initialize(capabilities: ClientCapabilities = EDITOR_CAPABILITIES): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities,
      workspaceFolders: null,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  async open(uri: string, text: string, languageId = 'yaml'): Promise<void> {
    this.versions.set(uri, 1);
    this.latestDiagnostics.delete(uri);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends one `didChange` with all `changes`, at the next version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Replaces the answer to `workspace/configuration` and tells the server, as VS Code does. */
  async configure(settings: unknown): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { kubeImages: settings } });
  }

  /**
   * The diagnostics for the version of `uri` last sent, once they satisfy `predicate`: the latest
   * publication if it does, else the next one that does. After `close`, the unversioned
   * publication that clears the document. Rejects after `deadlineMs`, so that a publication that
   * never comes fails the test with a reason instead of hanging it.
   */
  waitForDiagnostics(
    uri: string,
    predicate: (params: PublishDiagnosticsParams) => boolean = () => true,
    deadlineMs = 30_000,
  ): Promise<PublishDiagnosticsParams> {
    const expectedVersion = this.versions.get(uri);
    const matches = (params: PublishDiagnosticsParams): boolean => params.version === expectedVersion && predicate(params);
    const latest = this.latestDiagnostics.get(uri);
    if (latest !== undefined && matches(latest)) return Promise.resolve(latest);
    if (this.hasExited) return Promise.reject(new Error(`The server has exited. stderr:\n${this.stderr}`));
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        const seen = this.latestDiagnostics.get(uri);
        const last = seen === undefined ? 'none' : `version ${String(seen.version)}, codes ${seen.diagnostics.map((d) => String(d.code)).join(', ')}`;
        reject(new Error(`No matching diagnostics for ${uri} (version ${String(expectedVersion)}) within ${deadlineMs} ms; last publication: ${last}`));
      }, deadlineMs);
      const waiter: DiagnosticsWaiter = {
        uri,
        matches,
        resolve: (params) => {
          clearTimeout(deadline);
          resolve(params);
        },
        reject: (error) => {
          clearTimeout(deadline);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Writes bytes to the server as they are, for tests of malformed messages. Sent after everything sent before. */
  sendRaw(data: string): Promise<void> {
    return new Promise((resolve, reject) => this.child.stdin.write(data, (error) => (error ? reject(error) : resolve())));
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params);
  }

  /** Shuts the server down politely and resolves with its exit code. */
  async shutdown(): Promise<number | string> {
    if (this.hasExited) return this.exited;
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  /** Ends the server without the protocol's goodbye, for tests that already failed. */
  kill(): void {
    if (!this.hasExited) this.child.kill('SIGKILL');
    this.connection.dispose();
  }

  private received(params: PublishDiagnosticsParams): void {
    this.latestDiagnostics.set(params.uri, params);
    const ready = this.waiters.filter((waiter) => waiter.uri === params.uri && waiter.matches(params));
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve(params);
  }
}
