// Hover, inlay hints and code actions over the real protocol, with their edits applied to the
// text to check the result an editor would show.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  CodeActionKind,
  MarkupKind,
  type CodeAction,
  type CodeActionContext,
  type Diagnostic,
  type Hover,
  type InlayHint,
  type MarkupContent,
  type Position,
  type Range,
  type TextEdit,
} from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lspClient';
import { applyEdits, positionAt, rangeOf } from '../support/lspText';

let client: LspClient;
before(async () => {
  client = LspClient.start();
  await client.initialize();
});
after(async () => {
  await client.shutdown();
});

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const WORKLOAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: tagged
          image: nginx:1.25
        - name: untagged
          image: nginx
        - name: pinned
          image: nginx@${DIGEST}
        - name: explicit
          image: nginx:latest
          imagePullPolicy: Never
        - name: invalid
          image: Nginx:1.25
      volumes:
        - name: tools
          image:
            reference: registry.k8s.io/pause:3.9
`;

let opened = 0;
async function openDocument(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
  const uri = `file:///work/features-${opened++}.yaml`;
  await client.open(uri, text);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  return { uri, diagnostics };
}

/** Where the value `image` ends; the line break in the needle keeps `nginx` from matching `nginx:1.25`. */
function endOfValue(text: string, image: string): Position {
  return positionAt(text, text.indexOf(`${image}\n`) + image.length);
}

function wholeText(text: string): Range {
  return { start: { line: 0, character: 0 }, end: positionAt(text, text.length) };
}

function editsOf(action: CodeAction, uri: string): TextEdit[] {
  return action.edit?.changes?.[uri] ?? assert.fail(`${action.title} has no edit for ${uri}`);
}

function codeActions(uri: string, range: Range, context: CodeActionContext): Promise<CodeAction[]> {
  return client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context });
}

describe('inlay hints', () => {
  test('show the policy the API server defaults to after every image whose policy is omitted, and write it in', async () => {
    const { uri } = await openDocument(WORKLOAD);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: wholeText(WORKLOAD) });
    // FACTS.md §2: Always iff the parsed tag is `latest` (no tag means latest); digest-only and unparseable are IfNotPresent.
    const expected = [
      { image: 'nginx:1.25', policy: 'IfNotPresent' },
      { image: 'nginx', policy: 'Always' },
      { image: `nginx@${DIGEST}`, policy: 'IfNotPresent' },
      { image: 'Nginx:1.25', policy: 'IfNotPresent' },
      { image: 'registry.k8s.io/pause:3.9', policy: 'IfNotPresent' },
    ];
    assert.deepEqual(
      hints.map((hint) => ({ position: hint.position, label: hint.label })),
      expected.map(({ image, policy }) => ({ position: endOfValue(WORKLOAD, image), label: policy })),
    );
    for (const hint of hints) {
      assert.equal(hint.paddingLeft, true);
      assert.equal((hint.tooltip as MarkupContent).kind, MarkupKind.Markdown);
      assert.match((hint.tooltip as MarkupContent).value, new RegExp(`\`${hint.label as string}\``));
    }

    const written = applyEdits(WORKLOAD, hints.flatMap((hint) => hint.textEdits ?? []));
    assert.equal(
      written,
      WORKLOAD.replace('image: nginx:1.25\n', 'image: nginx:1.25\n          imagePullPolicy: IfNotPresent\n')
        .replace('image: nginx\n', 'image: nginx\n          imagePullPolicy: Always\n')
        .replace(`image: nginx@${DIGEST}\n`, `image: nginx@${DIGEST}\n          imagePullPolicy: IfNotPresent\n`)
        .replace('image: Nginx:1.25\n', 'image: Nginx:1.25\n          imagePullPolicy: IfNotPresent\n')
        .replace('reference: registry.k8s.io/pause:3.9\n', 'reference: registry.k8s.io/pause:3.9\n            pullPolicy: IfNotPresent\n'),
    );
  });

  test('only hints inside the requested range are returned', async () => {
    const { uri } = await openDocument(WORKLOAD);
    const range = { start: rangeOf(WORKLOAD, 'name: untagged').start, end: rangeOf(WORKLOAD, 'name: pinned').start };
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range });
    assert.deepEqual(hints.map((hint) => hint.label), ['Always']);
  });
});

describe('hover', () => {
  async function hoverOn(text: string, needle: string, from = 0): Promise<string | undefined> {
    const { uri } = await openDocument(text);
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: rangeOf(text, needle, { from }).start });
    if (hover === null) return undefined;
    assert.equal((hover.contents as MarkupContent).kind, MarkupKind.Markdown);
    return (hover.contents as MarkupContent).value;
  }

  test('an untagged image: fully qualified as pulled, its parts, and Always defaulted because no tag means latest', async () => {
    const markdown = (await hoverOn(WORKLOAD, 'nginx\n')) ?? assert.fail('no hover');
    assert.match(markdown, /`docker\.io\/library\/nginx:latest`/);
    assert.match(markdown, /\*\*Registry\*\* `docker\.io`/);
    assert.match(markdown, /\*\*Repository\*\* `library\/nginx`/);
    assert.match(markdown, /imagePullPolicy: Always/);
    assert.match(markdown, /defaulted by the API server at creation because the reference has no tag, which means `latest`/);
    assert.match(markdown, /registry round trip/);
  });

  test('a digest-pinned image: IfNotPresent, with the digest shown', async () => {
    const markdown = (await hoverOn(WORKLOAD, `nginx@${DIGEST}`)) ?? assert.fail('no hover');
    assert.match(markdown, new RegExp(`\\*\\*Digest\\*\\* \`${DIGEST}\``));
    assert.match(markdown, /imagePullPolicy: IfNotPresent/);
    assert.match(markdown, /pinned by digest and has no tag/);
  });

  test('an explicit Never says the node must have the image', async () => {
    const markdown = (await hoverOn(WORKLOAD, 'nginx:latest')) ?? assert.fail('no hover');
    assert.match(markdown, /imagePullPolicy: Never\*\*, as written/);
    assert.match(markdown, /ErrImageNeverPull/);
  });

  test('an invalid reference says what the kubelet will do', async () => {
    const markdown = (await hoverOn(WORKLOAD, 'Nginx:1.25')) ?? assert.fail('no hover');
    assert.match(markdown, /Invalid reference/);
    assert.match(markdown, /InvalidImageName/);
  });

  test('an image volume is explained with its own field name', async () => {
    const markdown = (await hoverOn(WORKLOAD, 'registry.k8s.io')) ?? assert.fail('no hover');
    assert.match(markdown, /image volume `tools` of Deployment `api`/);
    assert.match(markdown, /\*\*pullPolicy: IfNotPresent\*\*/);
  });

  test('nothing to say away from images', async () => {
    assert.equal(await hoverOn(WORKLOAD, 'metadata'), undefined);
  });
});

describe('code actions', () => {
  const PROBLEMS = `apiVersion: v1
kind: Pod
metadata:
  name: old
spec:
  initContainers:
    - name: init
      image: k8s.gcr.io/busybox:1.36
      imagePullPolicy: IfNotPresent
  containers:
    - name: app
      image: k8s.gcr.io/pause:3.9
      imagePullPolicy: IfNotPresent
    - name: web
      image: nginx:latest
`;

  test('"Write imagePullPolicy: X in" is a refactoring offered on an image without a policy', async () => {
    const { uri, diagnostics } = await openDocument(PROBLEMS);
    const range = rangeOf(PROBLEMS, 'nginx:latest');
    const actions = await codeActions(uri, range, { diagnostics: diagnostics.filter((d) => d.range.start.line === range.start.line) });
    const write = actions.find((action) => action.title === 'Write imagePullPolicy: Always in') ?? assert.fail(JSON.stringify(actions.map((a) => a.title)));
    assert.equal(write.kind, CodeActionKind.RefactorRewrite);
    assert.equal(
      applyEdits(PROBLEMS, editsOf(write, uri)),
      PROBLEMS.replace('image: nginx:latest\n', 'image: nginx:latest\n      imagePullPolicy: Always\n'),
    );
    // Images that already have a policy get no such offer.
    const onPause = await codeActions(uri, rangeOf(PROBLEMS, 'k8s.gcr.io/pause'), { diagnostics: [] });
    assert.deepEqual(onPause.filter((action) => action.title.startsWith('Write')), []);
  });

  test('the quick fix from the diagnostic replaces the deprecated registry, and is preferred', async () => {
    const { uri, diagnostics } = await openDocument(PROBLEMS);
    const deprecated = diagnostics.find((d) => d.code === 'deprecated-registry' && d.range.start.line === rangeOf(PROBLEMS, 'k8s.gcr.io/pause').start.line);
    assert.ok(deprecated, 'a deprecated-registry diagnostic on the pause image');
    const actions = await codeActions(uri, deprecated.range, { diagnostics: [deprecated] });
    const fix = actions.find((action) => action.title === 'Use registry.k8s.io') ?? assert.fail(JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.kind, CodeActionKind.QuickFix);
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics, [deprecated]);
    assert.equal(applyEdits(PROBLEMS, editsOf(fix, uri)), PROBLEMS.replace('k8s.gcr.io/pause', 'registry.k8s.io/pause'));
  });

  test('"Ignore CODE on this line" adds the directive, and the diagnostic goes away', async () => {
    const { uri, diagnostics } = await openDocument(PROBLEMS);
    const latest = diagnostics.find((d) => d.code === 'latest-tag') ?? assert.fail('a latest-tag diagnostic');
    const actions = await codeActions(uri, latest.range, { diagnostics: [latest] });
    const ignore = actions.find((action) => action.title === 'Ignore latest-tag on this line') ?? assert.fail(JSON.stringify(actions.map((a) => a.title)));
    assert.equal(ignore.kind, CodeActionKind.QuickFix);
    const ignored = applyEdits(PROBLEMS, editsOf(ignore, uri));
    assert.equal(ignored, PROBLEMS.replace('image: nginx:latest\n', 'image: nginx:latest # kube-images-ignore latest-tag\n'));

    await client.change(uri, editsOf(ignore, uri).map((edit) => ({ range: edit.range, text: edit.newText })));
    const { diagnostics: after } = await client.waitForDiagnostics(uri);
    assert.deepEqual(after.filter((d) => d.code === 'latest-tag'), []);
    assert.equal(after.length, diagnostics.length - 1);
  });

  test('a second code on a line with a directive extends the directive', async () => {
    const text = PROBLEMS.replace('image: k8s.gcr.io/pause:3.9', 'image: k8s.gcr.io/pause # kube-images-ignore implicit-latest -- sandbox image');
    const { uri, diagnostics } = await openDocument(text);
    const deprecated = diagnostics.find((d) => d.code === 'deprecated-registry' && d.range.start.line === rangeOf(text, 'k8s.gcr.io/pause').start.line);
    assert.ok(deprecated);
    const actions = await codeActions(uri, deprecated.range, { diagnostics: [deprecated] });
    const ignore = actions.find((action) => action.title === 'Ignore deprecated-registry on this line') ?? assert.fail('no ignore action');
    assert.equal(
      applyEdits(text, editsOf(ignore, uri)),
      text.replace('# kube-images-ignore implicit-latest -- sandbox image', '# kube-images-ignore implicit-latest, deprecated-registry -- sandbox image'),
    );
  });

  test('source.fixAll.kubeImages applies every preferred fix, and only when asked for', async () => {
    const { uri, diagnostics } = await openDocument(PROBLEMS);
    const [fixAll, ...others] = await codeActions(uri, wholeText(PROBLEMS), { diagnostics: [], only: [CodeActionKind.SourceFixAll] });
    assert.deepEqual(others, []);
    assert.equal(fixAll.kind, 'source.fixAll.kubeImages');
    assert.equal(applyEdits(PROBLEMS, editsOf(fixAll, uri)), PROBLEMS.replaceAll('k8s.gcr.io/', 'registry.k8s.io/'));

    const unfiltered = await codeActions(uri, wholeText(PROBLEMS), { diagnostics });
    assert.deepEqual(unfiltered.filter((action) => action.kind?.startsWith(CodeActionKind.Source)), []);
    const quickFixesOnly = await codeActions(uri, wholeText(PROBLEMS), { diagnostics, only: [CodeActionKind.QuickFix] });
    assert.ok(quickFixesOnly.length > 0);
    assert.ok(quickFixesOnly.every((action) => action.kind === CodeActionKind.QuickFix));
  });

  test('a diagnostic the text has moved away from gets no fix until it is published again', async () => {
    const { uri, diagnostics } = await openDocument(PROBLEMS);
    const deprecated = diagnostics.find((d) => d.code === 'deprecated-registry') ?? assert.fail('a deprecated-registry diagnostic');
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# moved\n' }]);
    const { diagnostics: republished } = await client.waitForDiagnostics(uri);
    const actions = await codeActions(uri, deprecated.range, { diagnostics: [deprecated] });
    assert.deepEqual(actions.filter((action) => action.title === 'Use registry.k8s.io'), []);
    // The diagnostic as published for the new text has its fix, in the new place.
    const moved = republished.find((d) => d.code === 'deprecated-registry') ?? assert.fail('republished');
    assert.equal(moved.range.start.line, deprecated.range.start.line + 1);
    const fresh = await codeActions(uri, moved.range, { diagnostics: [moved] });
    const fix = fresh.find((action) => action.title === 'Use registry.k8s.io') ?? assert.fail(JSON.stringify(fresh.map((a) => a.title)));
    assert.equal(applyEdits(`# moved\n${PROBLEMS}`, editsOf(fix, uri)), `# moved\n${PROBLEMS}`.replace('k8s.gcr.io/busybox', 'registry.k8s.io/busybox'));
  });

  test('an edit after a diagnostic leaves it where it was, and its fix still applies', async () => {
    const { uri, diagnostics } = await openDocument(PROBLEMS);
    const deprecated = diagnostics.find((d) => d.code === 'deprecated-registry') ?? assert.fail('a deprecated-registry diagnostic');
    const end = rangeOf(PROBLEMS, 'nginx:latest').end;
    await client.change(uri, [{ range: { start: end, end }, text: '-alpine' }]);
    await client.waitForDiagnostics(uri);
    const edited = PROBLEMS.replace('nginx:latest', 'nginx:latest-alpine');
    const actions = await codeActions(uri, deprecated.range, { diagnostics: [deprecated] });
    const fix = actions.find((action) => action.title === 'Use registry.k8s.io') ?? assert.fail(JSON.stringify(actions.map((a) => a.title)));
    assert.equal(applyEdits(edited, editsOf(fix, uri)), edited.replace('k8s.gcr.io/busybox', 'registry.k8s.io/busybox'));
  });

  test('fixes land right in the later documents of a file', async () => {
    const text = `${WORKLOAD}---\n${PROBLEMS}---\n${PROBLEMS.replace('name: old', 'name: older')}`;
    const { uri, diagnostics } = await openDocument(text);
    const deprecated = diagnostics.filter((d) => d.code === 'deprecated-registry');
    assert.equal(deprecated.length, 4);
    const last = deprecated.at(-1)!;
    const actions = await codeActions(uri, last.range, { diagnostics: [last] });
    const fix = actions.find((action) => action.title === 'Use registry.k8s.io') ?? assert.fail(JSON.stringify(actions.map((a) => a.title)));
    const fixed = applyEdits(text, editsOf(fix, uri));
    const lastPause = text.lastIndexOf('k8s.gcr.io/pause');
    assert.equal(fixed, `${text.slice(0, lastPause)}registry.k8s.io/pause${text.slice(lastPause + 'k8s.gcr.io/pause'.length)}`);
  });

  test('codeAction/resolve returns a complete action as it is', async () => {
    const { uri, diagnostics } = await openDocument(PROBLEMS);
    const [action] = await codeActions(uri, diagnostics[0].range, { diagnostics: [diagnostics[0]] });
    assert.deepEqual(await client.request<CodeAction>('codeAction/resolve', action), action);
  });
});
