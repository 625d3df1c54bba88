// Pin planning over real analyses: which references are pinned, the text each becomes, that
// nothing outside the reference moves, and the findings a registry answer supports.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FileAnalyzer } from '../../server/src/core/fileAnalyzer';
import type { AnalysisContext } from '../../server/src/core/types';
import { pinDigest, planPins, registryFindings, shortDigest } from '../../server/src/pinning/pinPlan';
import { findPinTargets, type PinTargets } from '../../server/src/pinning/pinTargets';
import { formatPlatform, parsePlatform } from '../../server/src/pinning/platform';
import type { LookupOutcome } from '../../server/src/pinning/resolveLookups';
import type { Platform, ResolvedImage } from '../../server/src/registry/types';
import { applyEdits } from '../support/textEdits';

function digestOf(content: string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

const INDEX = digestOf('index');
const AMD64 = digestOf('amd64');
const ARM64 = digestOf('arm64');
const OLD = digestOf('old');

function targetsIn(text: string, context: AnalysisContext = {}): PinTargets {
  const analyzer = new FileAnalyzer(context);
  analyzer.update(text);
  return findPinTargets(analyzer.documents);
}

function resolved(reference: string, overrides: Partial<ResolvedImage> = {}): ResolvedImage {
  const [name, tag] = reference.split(/:(?=[^/:]+$)/) as [string, string];
  const slash = name.indexOf('/');
  return {
    reference,
    registry: name.slice(0, slash),
    repository: name.slice(slash + 1),
    tag,
    digest: INDEX,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    platforms: [
      { os: 'linux', architecture: 'amd64', digest: AMD64 },
      { os: 'linux', architecture: 'arm64', variant: 'v8', digest: ARM64 },
    ],
    platformDigest: undefined,
    resolvedAt: new Date(0),
    ...overrides,
  };
}

/** Every lookup answered with the two-platform index above. */
function allResolved(found: PinTargets): Map<string, LookupOutcome> {
  return new Map(found.targets.map((target) => [target.lookup, { ok: true, image: resolved(target.lookup) }]));
}

function pod(image: string, lineBreak = '\n'): string {
  return ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:', '    - name: c', `      image: ${image}`, ''].join(lineBreak);
}

describe('findPinTargets', () => {
  const cases: readonly (readonly [name: string, image: string, lookup: string | undefined])[] = [
    ['a tag', 'nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['no tag: the kubelet pulls latest', 'nginx', 'docker.io/library/nginx:latest'],
    ['a registry with a port', 'localhost:5000/team/app:v1', 'localhost:5000/team/app:v1'],
    ['single quotes', `'ghcr.io/o/app:2'`, 'ghcr.io/o/app:2'],
    ['double quotes', '"quay.io/o/app:3"', 'quay.io/o/app:3'],
    ['tag and digest: a drift target', `nginx:1.25@${OLD}`, 'docker.io/library/nginx:1.25'],
    ['a digest alone: nothing to pin or check', `nginx@${OLD}`, undefined],
    ['a Helm template', '"{{ .Values.image }}"', undefined],
    ['an invalid reference', 'Nginx:1.25', undefined],
  ];
  for (const [name, image, lookup] of cases) {
    test(name, () => {
      const found = targetsIn(pod(image));
      assert.deepEqual(
        found.targets.map((target) => target.lookup),
        lookup === undefined ? [] : [lookup],
      );
      assert.deepEqual(found.unplaceable, []);
    });
  }

  test('a reference whose scalar has escapes is unplaceable, not a target', () => {
    const found = targetsIn(pod('"nginx:\\x31.25"'));
    assert.deepEqual(found.targets, []);
    assert.deepEqual(
      found.unplaceable.map(({ image, digest }) => ({ image, digest })),
      [{ image: 'nginx:1.25', digest: undefined }],
    );
  });

  test('kustomization overrides are left alone: their tag and digest are separate fields', () => {
    const text = 'images:\n  - name: nginx\n    newTag: "1.25"\n';
    assert.deepEqual(targetsIn(text, { fileName: 'kustomization.yaml' }).targets, []);
  });

  test('a scalar shared through an alias is one target', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'spec:',
      '  containers:',
      '    - name: a',
      '      image: &img nginx:1.25',
      '    - name: b',
      '      image: *img',
      '',
    ].join('\n');
    assert.equal(targetsIn(text).targets.length, 1);
  });
});

describe('planPins', () => {
  // Each case: the file before, and after every reference is pinned to the index digest.
  const cases: readonly (readonly [name: string, before: string, after: string])[] = [
    ['tag kept as written', pod('nginx:1.25'), pod(`nginx:1.25@${INDEX}`)],
    ['no tag stays without one', pod('nginx'), pod(`nginx@${INDEX}`)],
    ['quotes and a trailing comment untouched', pod(`'nginx:1.25'   # web`), pod(`'nginx:1.25@${INDEX}'   # web`)],
    ['CRLF line breaks untouched', pod('"nginx:1.25"', '\r\n'), pod(`"nginx:1.25@${INDEX}"`, '\r\n')],
  ];
  for (const [name, before, after] of cases) {
    test(name, () => {
      const found = targetsIn(before);
      const plan = planPins(found, allResolved(found), undefined);
      assert.deepEqual(plan.failures, []);
      assert.equal(applyEdits(before, plan.changes.map((change) => change.edit)), after);
    });
  }

  test('flow mappings and several documents: every reference pinned, nothing else moved', () => {
    const before = [
      'apiVersion: v1',
      'kind: Pod',
      'spec:',
      '  containers: [{ name: a, image: nginx:1.25 }, { name: b, image: "redis" }]',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      initContainers:',
      '        - image: busybox:1.36 # init',
      '',
    ].join('\n');
    const found = targetsIn(before);
    const plan = planPins(found, allResolved(found), undefined);
    assert.deepEqual(
      plan.changes.map(({ from, to }) => [from, to]),
      [
        ['nginx:1.25', `nginx:1.25@${INDEX}`],
        ['redis', `redis@${INDEX}`],
        ['busybox:1.36', `busybox:1.36@${INDEX}`],
      ],
    );
    const after = applyEdits(before, plan.changes.map((change) => change.edit));
    assert.equal(after, before.replace('nginx:1.25 ', `nginx:1.25@${INDEX} `).replace('"redis"', `"redis@${INDEX}"`).replace('busybox:1.36 ', `busybox:1.36@${INDEX} `));
    for (const change of plan.changes) assert.equal(before.slice(change.start, change.end), change.from);
  });

  test('failed lookups and unplaceable references become failures; the rest is pinned', () => {
    const before = [pod('nginx:1.25'), pod('nginx:9.9').replace('name: p', 'name: q'), pod('"redis:\\x37"').replace('name: p', 'name: r')].join('---\n');
    const found = targetsIn(before);
    const outcomes = allResolved(found);
    const missing = 'docker.io/library/nginx:9.9 was not found in docker.io';
    outcomes.set('docker.io/library/nginx:9.9', { ok: false, kind: 'not-found', message: missing });
    const plan = planPins(found, outcomes, undefined);
    assert.deepEqual(
      plan.changes.map(({ to }) => to),
      [`nginx:1.25@${INDEX}`],
    );
    assert.deepEqual(plan.failures.map(({ image }) => image), ['nginx:9.9', 'redis:7']);
    assert.equal(plan.failures[0]!.message, missing);
    assert.match(plan.failures[1]!.message, /escapes/);
  });

  test('a platform setting pins that platform’s manifest', () => {
    const found = targetsIn(pod('nginx:1.25'));
    const plan = planPins(found, allResolved(found), parsePlatform('linux/arm64'));
    assert.deepEqual(plan.changes.map(({ to }) => to), [`nginx:1.25@${ARM64}`]);
  });
});

describe('pinDigest', () => {
  const single = resolved('r.example/app:1', { digest: AMD64, mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: undefined });
  const cases: readonly (readonly [name: string, image: ResolvedImage, platform: string | undefined, expected: string])[] = [
    ['no platform: the index', resolved('r.example/app:1'), undefined, INDEX],
    ['linux/amd64', resolved('r.example/app:1'), 'linux/amd64', AMD64],
    ['arm64 without a variant matches v8', resolved('r.example/app:1'), 'linux/arm64', ARM64],
    ['arm64/v8 spelled out', resolved('r.example/app:1'), 'linux/arm64/v8', ARM64],
    ['a single manifest is all there is', single, 'linux/arm64', AMD64],
  ];
  for (const [name, image, platform, expected] of cases) {
    test(name, () => {
      assert.deepEqual(pinDigest(image, platform === undefined ? undefined : parsePlatform(platform)), { digest: expected });
    });
  }

  test('a platform the index does not offer is a problem naming what it offers', () => {
    const chosen = pinDigest(resolved('r.example/app:1'), { os: 'windows', architecture: 'amd64' });
    assert.ok('problem' in chosen);
    assert.match(chosen.problem, /no windows\/amd64 image \(it offers linux\/amd64, linux\/arm64\/v8\)/);
  });
});

describe('parsePlatform', () => {
  const cases: readonly (readonly [text: string, expected: Platform | undefined])[] = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    [' Linux/ARM64/v8 ', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux', undefined],
    ['linux/amd64/v1/extra', undefined],
    ['linux//amd64', undefined],
  ];
  for (const [text, expected] of cases) {
    test(JSON.stringify(text), () => {
      assert.deepEqual(parsePlatform(text), expected);
      if (expected !== undefined) assert.equal(parsePlatform(formatPlatform(expected))?.architecture, expected.architecture);
    });
  }
});

describe('registryFindings', () => {
  test('a pinned digest the tag no longer names is drift, with a fix that moves the pin', () => {
    const before = pod(`nginx:1.25@${OLD}`);
    const found = targetsIn(before);
    const findings = registryFindings(found.targets, allResolved(found), undefined);
    assert.equal(findings.length, 1);
    const [drift] = findings;
    assert.equal(drift!.code, 'digest-drift');
    assert.equal(before.slice(drift!.start, drift!.end), OLD);
    assert.ok(drift!.message.includes(INDEX) && drift!.message.includes(OLD));
    const fix = drift!.fixes![0]!;
    assert.equal(fix.title, `Move the pin to ${shortDigest(INDEX)}`);
    assert.equal(applyEdits(before, fix.edits), pod(`nginx:1.25@${INDEX}`));
  });

  test('a pin to the index or to one of its platform manifests is not drift', () => {
    for (const digest of [INDEX, AMD64, ARM64]) {
      const found = targetsIn(pod(`nginx:1.25@${digest}`));
      assert.deepEqual(registryFindings(found.targets, allResolved(found), undefined), []);
    }
  });

  test('a platform pin that drifted moves to that platform’s new manifest', () => {
    const before = pod(`nginx:1.25@${OLD}`);
    const found = targetsIn(before);
    const [drift] = registryFindings(found.targets, allResolved(found), parsePlatform('linux/amd64'));
    assert.equal(applyEdits(before, drift!.fixes![0]!.edits), pod(`nginx:1.25@${AMD64}`));
  });

  test('not found marks the tag; other failures say nothing about the manifest', () => {
    const before = [pod('nginx:9.9'), pod('redis').replace('name: p', 'name: q'), pod('quay.io/o/app:1').replace('name: p', 'name: r')].join('---\n');
    const found = targetsIn(before);
    const outcomes = new Map<string, LookupOutcome>([
      ['docker.io/library/nginx:9.9', { ok: false, kind: 'not-found', message: 'gone', missing: 'tag' }],
      ['docker.io/library/redis:latest', { ok: false, kind: 'not-found', message: 'gone' }],
      ['quay.io/o/app:1', { ok: false, kind: 'unauthorized', message: 'no' }],
    ]);
    const findings = registryFindings(found.targets, outcomes, undefined);
    assert.deepEqual(
      findings.map((finding) => [finding.code, before.slice(finding.start, finding.end)]),
      [
        ['tag-not-found', '9.9'],
        ['tag-not-found', 'redis'],
      ],
    );
    assert.match(findings[0]!.message, /has no "nginx:9\.9" \(no such tag\)/);
    assert.match(findings[1]!.message, /has no "redis:latest" \(no such tag or repository\)/);
  });
});
