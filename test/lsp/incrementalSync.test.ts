// Incremental sync: a didChange with several changes, each in the coordinates of the text the
// previous one left, must give the same diagnostics as opening the resulting text afresh.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Diagnostic, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lspClient';
import { applyChanges, positionAt, rangeOf, textIn } from '../support/lspText';

let client: LspClient;
before(async () => {
  client = LspClient.start();
  await client.initialize();
});
after(async () => {
  await client.shutdown();
});

const BASE = `apiVersion: v1
kind: Pod
metadata:
  name: first
spec:
  containers:
    - name: app
      image: nginx:1.25
      imagePullPolicy: IfNotPresent
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: second
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: busybox:1.36
      containers:
        - name: web
          image: registry.k8s.io/pause:3.9
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: third
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: alpine:3.20
`;

/** What a diagnostic says, without the version its fixes were computed for. */
function comparable(diagnostics: readonly Diagnostic[]): unknown[] {
  return diagnostics
    .map(({ data, ...rest }) => ({ ...rest, fixes: (data as { fixes?: unknown } | undefined)?.fixes }))
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || String(a.code).localeCompare(String(b.code)));
}

let freshCount = 0;
async function diagnosticsOfFreshOpen(text: string): Promise<PublishDiagnosticsParams> {
  const uri = `file:///work/fresh-${freshCount++}.yaml`;
  await client.open(uri, text);
  const published = await client.waitForDiagnostics(uri);
  await client.close(uri);
  return published;
}

test('several changes in one didChange: each applies to the text the previous one left', async () => {
  const uri = 'file:///work/incremental.yaml';
  await client.open(uri, BASE);
  await client.waitForDiagnostics(uri);

  // 1. Retag the init container to :latest (second document).
  const first: TextDocumentContentChangeEvent = { range: rangeOf(BASE, '1.36'), text: 'latest' };
  // 2. Insert a whole document in front, which moves everything after it (including change 1).
  const second: TextDocumentContentChangeEvent = {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: zero}\nspec:\n  containers: [{name: z, image: k8s.gcr.io/pause}]\n---\n',
  };
  // 3. Delete the tag of the CronJob's image, in the coordinates left by changes 1 and 2.
  const beforeThird = applyChanges(BASE, [first, second]);
  const third: TextDocumentContentChangeEvent = { range: rangeOf(beforeThird, ':3.20'), text: '' };
  const changes = [first, second, third];
  const finalText = applyChanges(BASE, changes);

  await client.change(uri, changes);
  const { diagnostics, version } = await client.waitForDiagnostics(uri);
  assert.equal(version, 2);

  const underlined = (code: string): string[] => diagnostics.filter((d) => d.code === code).map((d) => textIn(finalText, d.range));
  assert.deepEqual(underlined('latest-tag'), ['latest']);
  assert.deepEqual(underlined('deprecated-registry'), ['k8s.gcr.io']);
  assert.deepEqual(underlined('implicit-latest').sort(), ['alpine', 'k8s.gcr.io/pause']);
  assert.deepEqual(comparable(diagnostics), comparable((await diagnosticsOfFreshOpen(finalText)).diagnostics));
});

test('a full-text change replaces the document', async () => {
  const uri = 'file:///work/full-change.yaml';
  await client.open(uri, BASE);
  await client.waitForDiagnostics(uri);
  const replacement = BASE.replace('nginx:1.25', 'nginx');
  await client.change(uri, [{ text: replacement }]);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  assert.deepEqual(comparable(diagnostics), comparable((await diagnosticsOfFreshOpen(replacement)).diagnostics));
  assert.deepEqual(
    diagnostics.filter((d) => d.code === 'implicit-latest').map((d) => textIn(replacement, d.range)),
    ['nginx'],
  );
});

test('identical documents in one file each keep their own positions across edits', async () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: same}\nspec:\n  containers: [{name: a, image: k8s.gcr.io/pause}]\n';
  const text = [pod, pod, pod].join('---\n');
  const uri = 'file:///work/identical.yaml';
  await client.open(uri, text);
  await client.waitForDiagnostics(uri);
  const change: TextDocumentContentChangeEvent = { range: rangeOf(text, 'metadata', { occurrence: 1 }), text: '# one more line\nmetadata' };
  const changed = applyChanges(text, [change]);
  await client.change(uri, [change]);
  const { diagnostics } = await client.waitForDiagnostics(uri);
  assert.deepEqual(
    diagnostics.filter((d) => d.code === 'deprecated-registry').map((d) => d.range),
    [0, 1, 2].map((occurrence) => rangeOf(changed, 'k8s.gcr.io', { occurrence })),
  );
  assert.deepEqual(comparable(diagnostics), comparable((await diagnosticsOfFreshOpen(changed)).diagnostics));
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays exactly. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function splitsPair(text: string, offset: number): boolean {
  const before = text.charCodeAt(offset - 1);
  const after = text.charCodeAt(offset);
  return (before === 0x0d && after === 0x0a) || (before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff);
}

const SNIPPETS = ['image: nginx', ':latest', 'k8s.gcr.io/', '---\n', '\n', ' ', '"', '\r\n', '- name: x\n  image: busybox\n', '{{ .Values.tag }}', '#', '🚀', '@sha256:' + 'a'.repeat(64)];

for (const seed of [20240601, 7, 424242]) {
  test(`random edit sequences end with the same diagnostics as a fresh open of the same text (seed ${seed})`, async () => {
    const next = random(seed);
    const pick = (n: number): number => Math.floor(next() * n);
    const uri = `file:///work/random-${seed}.yaml`;
    let text = BASE;
    await client.open(uri, text);
    for (let round = 0; round < 60; round++) {
      const changes: TextDocumentContentChangeEvent[] = [];
      for (let count = 1 + pick(4); count > 0; count--) {
        const start = pick(text.length + 1);
        const end = Math.min(text.length, start + (next() < 0.5 ? 0 : pick(40)));
        // An editor never places a cursor inside a CRLF or a surrogate pair.
        if (splitsPair(text, start) || splitsPair(text, end)) continue;
        const change = { range: { start: positionAt(text, start), end: positionAt(text, end) }, text: next() < 0.2 ? '' : SNIPPETS[pick(SNIPPETS.length)] };
        changes.push(change);
        text = applyChanges(text, [change]);
      }
      await client.change(uri, changes);
      const incremental = await client.waitForDiagnostics(uri);
      assert.deepEqual(comparable(incremental.diagnostics), comparable((await diagnosticsOfFreshOpen(text)).diagnostics), `round ${round}`);
    }
  });
}
