// Pinning, drift and workspace trust over the real protocol: the built language server as a
// child process, a real docker-registry on loopback, and images whose digests the test computes
// from the bytes it pushed. Every byte the server writes is kept, to prove no password leaks.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  CancellationTokenSource,
  CodeActionKind,
  CodeActionRequest,
  CodeActionResolveRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LSPErrorCodes,
  PublishDiagnosticsNotification,
  ResponseError,
  ShowMessageNotification,
  ShowMessageRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type ClientCapabilities,
  type CodeAction,
  type Diagnostic,
  type MarkupContent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type ShowMessageParams,
  type TextDocumentEdit,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import {
  CheckDriftRequest,
  PinAllRequest,
  RegistryCredentialsChangedNotification,
  RegistryCredentialsRequest,
  UNTRUSTED_WORKSPACE_REASON,
  WorkspaceTrustGrantedNotification,
  type RegistryCredentialsParams,
} from '../../server/src/lsp/protocol';
import type { RegistryCredential } from '../../server/src/registry/types';
import { EDITOR_CAPABILITIES, SERVER_PATH } from '../support/lspClient';
import { applyEdits, rangeOf, textIn } from '../support/lspText';
import { buildDataImage, buildTwoPlatformIndex } from '../support/ociImage';
import { startRegistry, type FaultProxy, type LoopbackRegistry } from '../support/registry';
import { missingRequirements, registryRequirements, waitUntil } from '../support/system';

const CAPABILITIES: ClientCapabilities = {
  ...EDITOR_CAPABILITIES,
  textDocument: {
    ...EDITOR_CAPABILITIES.textDocument,
    codeAction: { ...EDITOR_CAPABILITIES.textDocument!.codeAction, disabledSupport: true },
  },
};

/** The server as an editor runs it, with everything it writes kept verbatim. */
class PinServer {
  readonly connection: ProtocolConnection;
  readonly shown: ShowMessageParams[] = [];
  readonly credentialRequests: RegistryCredentialsParams[] = [];
  settings: unknown = {};
  credentials: (params: RegistryCredentialsParams) => RegistryCredential[] = () => [];
  private readonly written: Buffer[] = [];
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private opened = 0;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => this.written.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.written.push(chunk));
    child.stdin.on('error', () => undefined);
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.latest.set(params.uri, params);
    });
    // vscode-languageserver's showErrorMessage is a request; a plain notification is shown alike.
    this.connection.onNotification(ShowMessageNotification.type, (params) => {
      this.shown.push(params);
    });
    this.connection.onRequest(ShowMessageRequest.type, (params) => {
      this.shown.push(params);
      return null;
    });
    this.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => this.settings));
    this.connection.onRequest(RegistryCredentialsRequest.type, (params) => {
      this.credentialRequests.push(params);
      return this.credentials(params);
    });
    this.connection.onRequest('client/registerCapability', () => undefined);
    this.connection.onRequest('workspace/inlayHint/refresh', () => undefined);
    this.connection.listen();
  }

  static async start(initializationOptions: Record<string, unknown>): Promise<PinServer> {
    const server = new PinServer(spawn(process.execPath, [SERVER_PATH, '--stdio'], { stdio: 'pipe' }));
    await server.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: CAPABILITIES,
      workspaceFolders: null,
      initializationOptions,
    });
    await server.connection.sendNotification(InitializedNotification.type, {});
    return server;
  }

  /** Everything the server wrote to stdout (every LSP message) and stderr. */
  get output(): string {
    return Buffer.concat(this.written).toString('utf8');
  }

  async configure(settings: unknown): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { kubeImages: settings } });
  }

  async open(text: string): Promise<string> {
    const uri = `file:///work/pin-${this.opened++}.yaml`;
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return uri;
  }

  diagnostics(uri: string, predicate: (diagnostics: readonly Diagnostic[]) => boolean = () => true): Promise<Diagnostic[]> {
    return waitUntil(`diagnostics of ${uri}`, () => {
      const latest = this.latest.get(uri);
      return latest !== undefined && predicate(latest.diagnostics) ? latest.diagnostics : undefined;
    });
  }

  codeActions(uri: string, text: string, needle: string, diagnostics: Diagnostic[] = [], only?: string[]): Promise<CodeAction[]> {
    const range = rangeOf(text, needle);
    return this.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range,
      context: only === undefined ? { diagnostics } : { diagnostics, only },
    }) as Promise<CodeAction[]>;
  }

  resolve(action: CodeAction): Promise<CodeAction> {
    return this.connection.sendRequest(CodeActionResolveRequest.type, action);
  }

  hover(uri: string, text: string, needle: string): Promise<string> {
    return this.connection
      .sendRequest(HoverRequest.type, { textDocument: { uri }, position: rangeOf(text, needle).start })
      .then((hover) => (hover?.contents as MarkupContent | undefined)?.value ?? '');
  }

  async stop(): Promise<void> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    await new Promise<void>((resolve) => (this.child.exitCode !== null ? resolve() : this.child.once('exit', () => resolve())));
    this.connection.dispose();
  }
}

function pod(...images: string[]): string {
  const containers = images.map((image, index) => `    - name: c${index}  # keep me\n      image: ${image}\n`).join('');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n${containers}`;
}

function editsOf(action: CodeAction, uri: string): TextEdit[] {
  return action.edit?.changes?.[uri] ?? assert.fail(`"${action.title}" has no edit for ${uri}`);
}

function pinAction(actions: readonly CodeAction[]): CodeAction {
  return actions.find((action) => action.title === 'Pin to digest') ?? assert.fail(`no pin action in ${JSON.stringify(actions.map((a) => a.title))}`);
}

const skip = missingRequirements(registryRequirements);

describe('pinning over LSP against a real registry', { skip }, () => {
  let registry: LoopbackRegistry;
  let proxy: FaultProxy;
  const single = buildDataImage('pin lsp single');
  const multi = buildTwoPlatformIndex('pin lsp multi');
  const moved = buildDataImage('pin lsp moved');

  before(async () => {
    registry = await startRegistry();
    await registry.push(single, 'team/app', '1.0');
    await registry.push(multi, 'team/multi', '2.0');
    await registry.push(single, 'team/drift', 'stable');
    proxy = await registry.openFaultProxy();
  });
  after(async () => {
    await registry?.stop();
  });

  describe('in a trusted workspace', () => {
    let server: PinServer;
    before(async () => {
      server = await PinServer.start({ workspaceTrusted: true, registryCredentials: true });
    });
    after(async () => {
      await server?.stop();
    });

    test('"Pin to digest" is listed without an edit and resolves to the digest of the pushed manifest', async () => {
      const image = `${registry.host}/team/app:1.0`;
      const text = pod(image);
      const uri = await server.open(text);
      const actions = await server.codeActions(uri, text, image);
      const listed = pinAction(actions);
      assert.equal(listed.edit, undefined);
      assert.equal(listed.disabled, undefined);
      const resolved = await server.resolve(listed);
      assert.equal(applyEdits(text, editsOf(resolved, uri)), pod(`${image}@${single.manifest.digest}`));
    });

    test('a multi-platform image pins its index; with kubeImages.pin.platform, that platform’s manifest', async () => {
      const image = `${registry.host}/team/multi:2.0`;
      const text = pod(image);
      const uri = await server.open(text);
      const index = await server.resolve(pinAction(await server.codeActions(uri, text, image)));
      assert.equal(applyEdits(text, editsOf(index, uri)), pod(`${image}@${multi.manifest.digest}`));

      await server.configure({ pin: { platform: 'linux/arm64' } });
      try {
        const arm = await server.resolve(pinAction(await server.codeActions(uri, text, image)));
        assert.equal(applyEdits(text, editsOf(arm, uri)), pod(`${image}@${multi.images[1]!.manifest.digest}`));
      } finally {
        await server.configure({});
      }
    });

    test('the pin is attached to latest-tag, implicit-latest and not-pinned diagnostics', async () => {
      await server.configure({ diagnostics: { severity: { 'not-pinned': 'warning' } } });
      try {
        const image = `${registry.host}/team/app`;
        const text = pod(image);
        const uri = await server.open(text);
        const diagnostics = await server.diagnostics(uri, (found) => found.some((diagnostic) => diagnostic.code === 'not-pinned'));
        const pin = pinAction(await server.codeActions(uri, text, image, diagnostics));
        assert.deepEqual(pin.diagnostics?.map((diagnostic) => diagnostic.code).sort(), ['implicit-latest', 'not-pinned']);
        assert.equal(pin.isPreferred, true);
      } finally {
        await server.configure({});
      }
    });

    test('fix-all pins too when not-pinned is shown, and only then', async () => {
      const image = `${registry.host}/team/app:1.0`;
      const text = pod(image);
      const uri = await server.open(text);
      assert.deepEqual(await server.codeActions(uri, text, image, [], [CodeActionKind.SourceFixAll]), []);

      await server.configure({ diagnostics: { severity: { 'not-pinned': 'information' } } });
      try {
        const [fixAll] = await server.codeActions(uri, text, image, [], [CodeActionKind.SourceFixAll]);
        assert.ok(fixAll !== undefined && fixAll.edit === undefined);
        const resolved = await server.resolve(fixAll);
        assert.equal(applyEdits(text, editsOf(resolved, uri)), pod(`${image}@${single.manifest.digest}`));
      } finally {
        await server.configure({});
      }
    });

    test('pin-all edits what resolved, lists what did not, and leaves everything else as written', async () => {
      const images = [`${registry.host}/team/app:1.0`, `'${registry.host}/team/multi:2.0'`, `${registry.host}/team/app:no-such-tag`, `${registry.host}/team/app:1.0`];
      const text = pod(...images);
      const uri = await server.open(text);
      const result = await server.connection.sendRequest(PinAllRequest.type, { uri, version: 1 });
      const [documentEdit] = result.edit.documentChanges as TextDocumentEdit[];
      assert.deepEqual(documentEdit!.textDocument, { uri, version: 1 });
      const expected = pod(
        `${images[0]}@${single.manifest.digest}`,
        `'${registry.host}/team/multi:2.0@${multi.manifest.digest}'`,
        images[2]!,
        `${images[3]}@${single.manifest.digest}`,
      );
      assert.equal(applyEdits(text, documentEdit!.edits as TextEdit[]), expected);
      assert.deepEqual(
        result.failures.map((failure) => failure.image),
        [`${registry.host}/team/app:no-such-tag`],
      );
      assert.match(result.failures[0]!.message, /no-such-tag/);
    });

    test('a cancelled pin-all answers an error and no edit', async () => {
      const hanging = `${proxy.host}/team/app:1.0`;
      proxy.inject({ match: ({ path }) => path.endsWith('/manifests/1.0'), fault: { kind: 'hang' } });
      try {
        const text = pod(hanging, `${registry.host}/team/app:1.0`);
        const uri = await server.open(text);
        const cancellation = new CancellationTokenSource();
        const pinning = server.connection.sendRequest(PinAllRequest.type, { uri, version: 1 }, cancellation.token);
        await waitUntil('the pin request to reach the hanging registry', () => (proxy.requests.some((request) => request.outcome === 'hang') ? true : undefined));
        cancellation.cancel();
        await assert.rejects(pinning, (error: unknown) => error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled);
      } finally {
        proxy.clearFaults();
      }
    });

    test('drift: a pin the tag moved away from, and a tag that does not exist, with a fix that moves the pin', async () => {
      const drifting = `${registry.host}/team/drift:stable@${single.manifest.digest}`;
      const missing = `${registry.host}/team/drift:gone@${single.manifest.digest}`;
      const text = pod(drifting, missing);
      await server.configure({ drift: { check: true } });
      try {
        const uri = await server.open(text);
        // The missing tag shows once the lookups are done; the pin still matches its tag then.
        const before = await server.diagnostics(uri, (found) => found.some((diagnostic) => diagnostic.code === 'tag-not-found'));
        assert.ok(!before.some((diagnostic) => diagnostic.code === 'digest-drift'));
        await registry.push(moved, 'team/drift', 'stable');
        const check = await server.connection.sendRequest(CheckDriftRequest.type, { uri });
        assert.deepEqual({ ...check, failures: check.failures.length }, { checked: 2, drifted: 1, notFound: 1, failures: 0 });
        const diagnostics = await server.diagnostics(uri, (found) => found.some((diagnostic) => diagnostic.code === 'digest-drift'));
        const drift = diagnostics.find((diagnostic) => diagnostic.code === 'digest-drift')!;
        assert.equal(textIn(text, drift.range), single.manifest.digest);
        assert.ok(String(drift.message).includes(moved.manifest.digest));
        const notFound = diagnostics.find((diagnostic) => diagnostic.code === 'tag-not-found')!;
        assert.equal(textIn(text, notFound.range), 'gone');

        const move = (await server.codeActions(uri, text, single.manifest.digest, [drift])).find((action) => action.title.startsWith('Move the pin to'));
        assert.ok(move !== undefined);
        assert.equal(applyEdits(text, editsOf(move, uri)), pod(`${registry.host}/team/drift:stable@${moved.manifest.digest}`, missing));

        const hover = await server.hover(uri, text, 'team/drift:stable');
        assert.ok(hover.includes(moved.manifest.digest), hover);
        assert.ok(hover.includes('application/vnd.oci.image.manifest.v1+json'), hover);
      } finally {
        await server.configure({});
      }
    });

    test('drift findings obey ignore comments, on their own line and from the line above', async () => {
      const shown = `${registry.host}/team/drift:shown@${single.manifest.digest}`;
      const trailing = `${registry.host}/team/drift:trailing@${single.manifest.digest}`;
      const above = `${registry.host}/team/drift:above@${single.manifest.digest}`;
      const text = pod(shown, trailing, above)
        .replace(`image: ${trailing}\n`, `image: ${trailing} # kube-images-ignore tag-not-found\n`)
        .replace(`    - name: c2  # keep me\n`, `    - name: c2  # keep me\n      # kube-images-ignore tag-not-found -- retired\n`);
      await server.configure({ drift: { check: true } });
      try {
        const uri = await server.open(text);
        const check = await server.connection.sendRequest(CheckDriftRequest.type, { uri });
        assert.equal(check.notFound, 3, 'the check itself counts every missing tag');
        const diagnostics = await server.diagnostics(uri, (found) => found.some((diagnostic) => diagnostic.code === 'tag-not-found'));
        assert.deepEqual(
          diagnostics.filter((diagnostic) => diagnostic.code === 'tag-not-found').map((diagnostic) => textIn(text, diagnostic.range)),
          ['shown'],
        );
      } finally {
        await server.configure({});
      }
    });

    test('the hover of a resolved index lists its platforms', async () => {
      const image = `${registry.host}/team/multi:2.0`;
      const text = pod(image);
      const uri = await server.open(text);
      await server.connection.sendRequest(PinAllRequest.type, { uri, version: 1 });
      const hover = await server.hover(uri, text, image);
      for (const expected of [multi.manifest.digest, 'application/vnd.oci.image.index.v1+json', '`linux/amd64`', '`linux/arm64/v8`', 'looked up']) {
        assert.ok(hover.includes(expected), `${expected} in:\n${hover}`);
      }
    });
  });

  describe('in an untrusted workspace', () => {
    let server: PinServer;
    before(async () => {
      server = await PinServer.start({ workspaceTrusted: false, registryCredentials: true });
    });
    after(async () => {
      await server?.stop();
    });

    test('nothing leaves the machine until trust is granted; then the same document is checked', async () => {
      const requestsBefore = proxy.requests.length;
      const image = `${proxy.host}/team/app:missing@${single.manifest.digest}`;
      const unpinned = `${proxy.host}/team/app:1.0`;
      const text = pod(image, unpinned);
      await server.configure({ drift: { check: true }, diagnostics: { severity: { 'not-pinned': 'warning' } } });
      const uri = await server.open(text);
      await server.diagnostics(uri);

      const pin = pinAction(await server.codeActions(uri, text, unpinned));
      assert.deepEqual(pin.disabled, { reason: UNTRUSTED_WORKSPACE_REASON });
      assert.equal(pin.data, undefined);
      // A client that resolves anyway gets the action back untouched.
      assert.equal((await server.resolve({ ...pin, data: { kind: 'kubeImages.pin', uri, version: 1, offset: text.indexOf(unpinned) } })).edit, undefined);
      await assert.rejects(server.connection.sendRequest(PinAllRequest.type, { uri, version: 1 }), { message: UNTRUSTED_WORKSPACE_REASON });
      await assert.rejects(server.connection.sendRequest(CheckDriftRequest.type, { uri }), { message: UNTRUSTED_WORKSPACE_REASON });
      const [fixAll] = await server.codeActions(uri, text, unpinned, [], [CodeActionKind.SourceFixAll]);
      assert.ok(fixAll === undefined || fixAll.data === undefined);
      await server.hover(uri, text, unpinned);
      assert.equal(server.credentialRequests.length, 0);
      assert.equal(proxy.requests.length, requestsBefore);

      await server.connection.sendNotification(WorkspaceTrustGrantedNotification.type);
      const diagnostics = await server.diagnostics(uri, (found) => found.some((diagnostic) => diagnostic.code === 'tag-not-found'));
      assert.equal(textIn(text, diagnostics.find((diagnostic) => diagnostic.code === 'tag-not-found')!.range), 'missing');
      assert.ok(proxy.requests.length > requestsBefore);
      await server.configure({});
    });
  });
});

describe('credentials stored in the editor', { skip }, () => {
  let registry: LoopbackRegistry;
  let server: PinServer;
  const image = buildDataImage('pin lsp private');

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await registry.push(image, 'private/app', '1');
    server = await PinServer.start({ workspaceTrusted: true, registryCredentials: true });
  });
  after(async () => {
    await server?.stop();
    await registry?.stop();
  });

  test('are asked for the registry at hand, used, and never written anywhere by the server', async () => {
    const { username, password } = registry.credentials;
    const reference = `${registry.host}/private/app:1`;
    const wrong = `${registry.host}/private/app:2`;

    server.credentials = () => [{ kind: 'basic', username, password: `${password}-wrong` }];
    let text = pod(wrong);
    let uri = await server.open(text);
    const refused = await server.resolve(pinAction(await server.codeActions(uri, text, wrong)));
    assert.equal(refused.edit, undefined);
    assert.match(server.shown.at(-1)?.message ?? '', /refused/);

    server.credentials = () => [{ kind: 'basic', username, password }];
    text = pod(reference);
    uri = await server.open(text);
    const resolved = await server.resolve(pinAction(await server.codeActions(uri, text, reference)));
    assert.equal(applyEdits(text, editsOf(resolved, uri)), pod(`${reference}@${image.manifest.digest}`));
    assert.deepEqual(server.credentialRequests.at(-1), { registry: registry.host, repository: 'private/app' });

    // Drift checks and hovers go through the same credentials; their output is checked too.
    const check = await server.connection.sendRequest(CheckDriftRequest.type, { uri });
    assert.equal(check.checked, 1);
    assert.ok((await server.hover(uri, text, reference)).includes(image.manifest.digest));

    const output = server.output;
    assert.ok(output.includes('kubeImages/registryCredentials'), 'the output was captured');
    assert.ok(!output.includes(password), 'the password appears in what the server wrote');
    assert.ok(!output.includes(Buffer.from(`${username}:${password}`).toString('base64')), 'the encoded password appears in what the server wrote');
  });

  test('once the stored credentials change, a removed credential is not used again through a cached answer', async () => {
    const { username, password } = registry.credentials;
    const reference = `${registry.host}/private/app:1`;
    const text = pod(reference);
    server.credentials = () => [{ kind: 'basic', username, password }];
    const allowed = await server.resolve(pinAction(await server.codeActions(await server.open(text), text, reference)));
    assert.notEqual(allowed.edit, undefined);

    // The user removes the credential: the client's secret storage fires, the client notifies.
    server.credentials = () => [];
    const askedBefore = server.credentialRequests.length;
    await server.connection.sendNotification(RegistryCredentialsChangedNotification.type);
    const refused = await server.resolve(pinAction(await server.codeActions(await server.open(text), text, reference)));
    assert.equal(refused.edit, undefined, 'the pin still resolved with the removed credential');
    assert.ok(server.credentialRequests.length > askedBefore, 'the server did not ask for credentials again');
  });
});
