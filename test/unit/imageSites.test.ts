// The image-site walker: every place Kubernetes (or kustomize) reads an image, in every YAML
// style, and nothing anywhere else.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeDocument } from '../../server/src/core/analyzeDocument';
import { findImageSites, isKustomizationFileName, scanImageSites } from '../../server/src/core/imageSites';
import type { AnalysisContext, ImageSite } from '../../server/src/core/types';
import { parseYamlDocument } from '../../server/src/core/yaml/parse';
import { applyEdits, covered } from '../support/textEdits';
import { yaml } from '../support/yamlText';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function sitesOf(text: string, context: AnalysisContext = {}): ImageSite[] {
  return findImageSites(parseYamlDocument(text).root, text, context);
}

/** The parts of a site that say where it is and what it holds, in one line per site. */
function describe(site: ImageSite): string {
  const owner = `${site.owner.kind}/${site.owner.name ?? '-'}`;
  return `${site.kind} ${site.path.join('.')} = ${site.image} (${owner}${site.inPod ? ', pod' : ''}${site.name === undefined ? '' : `, ${site.name}`})`;
}

test('finds the images of every kind that runs containers', async (t) => {
  const cases: readonly { name: string; text: string; context?: AnalysisContext; sites: readonly string[] }[] = [
    {
      name: 'Pod: init, regular and ephemeral containers, and image volumes',
      text: yaml`
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          initContainers:
            - name: init
              image: busybox:1.36
          containers:
            - name: app
              image: nginx:1.25
          ephemeralContainers:
            - name: debug
              image: busybox:1.37
          volumes:
            - name: data
              image:
                reference: registry.example.com/data:v1
                pullPolicy: IfNotPresent
            - name: scratch
              emptyDir: {}
      `,
      sites: [
        'initContainer spec.initContainers.0.image = busybox:1.36 (Pod/web, pod, init)',
        'container spec.containers.0.image = nginx:1.25 (Pod/web, pod, app)',
        'ephemeralContainer spec.ephemeralContainers.0.image = busybox:1.37 (Pod/web, pod, debug)',
        'imageVolume spec.volumes.0.image.reference = registry.example.com/data:v1 (Pod/web, pod, data)',
      ],
    },
    ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController'].map((kind) => ({
      name: `${kind}: spec.template`,
      text: yaml`
        apiVersion: example/v1
        kind: ${kind}
        metadata:
          name: w
        spec:
          template:
            spec:
              initContainers:
                - name: init
                  image: busybox:1.36
              containers:
                - name: app
                  image: nginx:1.25
      `,
      sites: [
        `initContainer spec.template.spec.initContainers.0.image = busybox:1.36 (${kind}/w, init)`,
        `container spec.template.spec.containers.0.image = nginx:1.25 (${kind}/w, app)`,
      ],
    })),
    {
      name: 'CronJob: spec.jobTemplate.spec.template',
      text: yaml`
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: nightly
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                    - name: job
                      image: busybox:1.36
      `,
      sites: ['container spec.jobTemplate.spec.template.spec.containers.0.image = busybox:1.36 (CronJob/nightly, job)'],
    },
    {
      name: 'PodTemplate: a top-level template without spec',
      text: yaml`
        apiVersion: v1
        kind: PodTemplate
        metadata:
          name: tpl
        template:
          spec:
            containers:
              - name: app
                image: nginx:1.25
      `,
      sites: ['container template.spec.containers.0.image = nginx:1.25 (PodTemplate/tpl, app)'],
    },
    {
      name: 'List: each item is its own owner, nested lists included',
      text: yaml`
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers: [{name: a, image: "nginx:1.25"}]
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec:
              template:
                spec:
                  containers: [{name: b, image: "redis:7"}]
          - apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Pod
                metadata: {name: inner}
                spec:
                  containers: [{name: c, image: "busybox:1.36"}]
          - kind: Pod
            spec:
              containers: [{name: x, image: "not-an-object:1"}]
      `,
      sites: [
        'container items.0.spec.containers.0.image = nginx:1.25 (Pod/p, pod, a)',
        'container items.1.spec.template.spec.containers.0.image = redis:7 (Deployment/d, b)',
        'container items.2.items.0.spec.containers.0.image = busybox:1.36 (Pod/inner, pod, c)',
      ],
    },
    {
      name: 'custom resources with a pod-shaped spec.template.spec: Argo Rollout',
      text: yaml`
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata:
          name: canary
        spec:
          template:
            spec:
              containers:
                - name: app
                  image: ghcr.io/acme/app:2.0
      `,
      sites: ['container spec.template.spec.containers.0.image = ghcr.io/acme/app:2.0 (Rollout/canary, app)'],
    },
    {
      name: 'custom resources with a pod-shaped spec.template.spec: Knative Service',
      text: yaml`
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: hello
        spec:
          template:
            spec:
              containers:
                - image: gcr.io/knative-samples/helloworld-go
      `,
      sites: ['container spec.template.spec.containers.0.image = gcr.io/knative-samples/helloworld-go (Service/hello)'],
    },
    {
      name: 'a custom resource whose template is not pod-shaped',
      text: yaml`
        apiVersion: example.com/v1
        kind: Widget
        spec:
          template:
            spec:
              image: nginx:1.25
              containers: {app: {image: nginx:1.25}}
      `,
      sites: [],
    },
    {
      name: 'kustomization file by name: the reference kustomize produces',
      context: { fileName: 'overlays/prod/kustomization.yaml' },
      text: yaml`
        resources:
          - deployment.yaml
        images:
          - name: nginx
            newTag: "1.25"
          - name: app
            newName: registry.example.com/team/app
            digest: ${DIGEST}
          - name: redis
            newName: registry.example.com/redis
            newTag: "7"
            digest: ${DIGEST}
          - name: unchanged
          - newTag: orphan
      `,
      sites: [
        'kustomization images.0.name = nginx:1.25 (Kustomization/-)',
        `kustomization images.1.newName = registry.example.com/team/app@${DIGEST} (Kustomization/-)`,
        `kustomization images.2.newName = registry.example.com/redis:7@${DIGEST} (Kustomization/-)`,
        'kustomization images.3.name = unchanged (Kustomization/-)',
      ],
    },
    {
      name: 'kustomization by kind',
      context: { fileName: 'base.yaml' },
      text: yaml`
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        metadata:
          name: base
        images:
          - name: nginx
            newTag: "1.25"
      `,
      sites: ['kustomization images.0.name = nginx:1.25 (Kustomization/base)'],
    },
    {
      name: 'kustomize Component',
      text: yaml`
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        images:
          - name: nginx
            newName: registry.example.com/nginx
      `,
      sites: ['kustomization images.0.newName = registry.example.com/nginx (Component/-)'],
    },
    {
      name: "Flux Kustomization's spec.images",
      text: yaml`
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: apps
        spec:
          images:
            - name: nginx
              newTag: "1.25"
      `,
      sites: ['kustomization spec.images.0.name = nginx:1.25 (Kustomization/apps)'],
    },
  ];
  for (const { name, text, context, sites } of cases) {
    await t.test(name, () => {
      assert.deepEqual(sitesOf(text, context).map(describe), sites);
    });
  }
});

test('YAML that is not a Kubernetes object yields nothing', async (t) => {
  const cases: readonly { name: string; text: string; context?: AnalysisContext }[] = [
    {
      name: 'a GitHub Actions workflow',
      text: yaml`
        name: ci
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            container:
              image: node:20
            services:
              db:
                image: postgres
      `,
    },
    { name: 'a GitLab CI file', text: yaml`
        image: node:20
        test:
          script: [npm test]
      ` },
    {
      name: 'a Compose file',
      text: yaml`
        services:
          web:
            image: nginx
      `,
      context: { fileName: 'compose.yaml' },
    },
    {
      name: 'kind without apiVersion',
      text: yaml`
        kind: Pod
        spec:
          containers: [{name: a, image: nginx}]
      `,
    },
    {
      name: 'apiVersion without kind',
      text: yaml`
        apiVersion: v1
        spec:
          containers: [{name: a, image: nginx}]
      `,
    },
    {
      name: 'a Backstage Component (not kustomize)',
      text: yaml`
        apiVersion: backstage.io/v1alpha1
        kind: Component
        images:
          - name: nginx
            newTag: latest
      `,
    },
    { name: 'a scalar document', text: 'just a string\n' },
    { name: 'a sequence document', text: yaml`
        - image: nginx
        - kind: Pod
      ` },
    { name: 'an empty document', text: '# only a comment\n' },
  ];
  for (const { name, text, context } of cases) {
    await t.test(name, () => {
      assert.deepEqual(sitesOf(text, context), []);
    });
  }
});

test('kustomization file names', () => {
  const recognised = ['kustomization.yaml', 'kustomization.yml', 'Kustomization', 'a/b/kustomization.yaml', 'C:\\repo\\kustomization.yml'];
  const others = ['kustomization.json', 'my-kustomization.yaml', 'Kustomization.yaml', 'kustomization.yaml/deployment.yaml', undefined];
  assert.deepEqual(recognised.filter(isKustomizationFileName), recognised);
  assert.deepEqual(others.filter(isKustomizationFileName), []);
});

test('reads the image in every YAML style', async (t) => {
  const pod = (containers: string): string => `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n${containers}`;
  const cases: readonly {
    name: string;
    text: string;
    /** Each site's decoded image and the source text its value span covers. */
    expected: readonly (readonly [image: string, source: string])[];
    /** Whether image offsets map onto the source one-to-one. */
    mapped?: boolean;
  }[] = [
    { name: 'plain', text: pod('    - image: nginx:1.25\n'), expected: [['nginx:1.25', 'nginx:1.25']], mapped: true },
    { name: 'plain with a comment', text: pod('    - image: nginx:1.25   # pinned\n'), expected: [['nginx:1.25', 'nginx:1.25']], mapped: true },
    { name: 'single-quoted', text: pod("    - image: 'nginx:1.25'\n"), expected: [['nginx:1.25', "'nginx:1.25'"]], mapped: true },
    { name: 'double-quoted', text: pod('    - image: "nginx:1.25"\n'), expected: [['nginx:1.25', '"nginx:1.25"']], mapped: true },
    { name: 'double-quoted with an escape', text: pod('    - image: "nginx:\\x31.25"\n'), expected: [['nginx:1.25', '"nginx:\\x31.25"']], mapped: false },
    { name: 'literal block keeps its line break', text: pod('    - image: |\n        nginx:1.25\n      name: a\n'), expected: [['nginx:1.25\n', '|\n        nginx:1.25\n']], mapped: false },
    { name: 'folded block, stripped', text: pod('    - image: >-\n        nginx:1.25\n'), expected: [['nginx:1.25', '>-\n        nginx:1.25\n']], mapped: false },
    { name: 'value on the next line', text: pod('    - image:\n        nginx:1.25\n'), expected: [['nginx:1.25', 'nginx:1.25']], mapped: true },
    { name: 'flow sequence of flow maps', text: pod('    [{name: a, image: nginx:1.25}, {name: b, image: "redis:7"}]\n'), expected: [['nginx:1.25', 'nginx:1.25'], ['redis:7', '"redis:7"']], mapped: true },
    {
      name: 'an aliased scalar: the value is the anchored one',
      text: `x-image: &img nginx:1.25\n${pod('    - name: a\n      image: *img\n    - name: b\n      image: *img\n')}`,
      expected: [['nginx:1.25', 'nginx:1.25'], ['nginx:1.25', 'nginx:1.25']],
      mapped: true,
    },
    {
      name: 'a merge key brings the image in; an explicit key wins over a merged one',
      text: `x-base: &base {image: "nginx:1.25", imagePullPolicy: Always}\n${pod('    - <<: *base\n      name: a\n    - <<: *base\n      name: b\n      image: redis:7\n')}`,
      expected: [['nginx:1.25', '"nginx:1.25"'], ['redis:7', 'redis:7']],
      mapped: true,
    },
    {
      name: 'CRLF line breaks',
      text: 'apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n    - name: a\r\n      image: nginx:1.25\r\n',
      expected: [['nginx:1.25', 'nginx:1.25']],
      mapped: true,
    },
  ];
  for (const { name, text, expected, mapped } of cases) {
    await t.test(name, () => {
      const sites = sitesOf(text);
      assert.deepEqual(
        sites.map((site) => [site.image, covered(text, site.value)]),
        expected,
      );
      for (const site of sites) {
        assert.equal(covered(text, site.key), 'image');
        if (mapped === true) assert.equal(site.value.valueStart === undefined ? undefined : text.slice(site.value.valueStart, site.value.valueStart + site.image.length), site.image);
        if (mapped === false) assert.equal(site.value.valueStart, undefined);
      }
    });
  }
});

test('a container shared through an alias is one site', () => {
  const text = yaml`
    apiVersion: v1
    kind: Pod
    spec:
      initContainers:
        - &c {name: a, image: "nginx:1.25"}
      containers:
        - *c
        - *c
  `;
  assert.deepEqual(sitesOf(text).map(describe), ['initContainer spec.initContainers.0.image = nginx:1.25 (Pod/-, pod, a)']);
});

test('Helm templates: templated values are marked, never read as images', () => {
  const text = yaml`
    {{- if .Values.enabled }}
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ include "chart.fullname" . }}
    spec:
      template:
        spec:
          containers:
            - name: {{ .Chart.Name }}
              image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
              imagePullPolicy: {{ .Values.image.pullPolicy }}
            - name: sidecar
              image: {{ .Values.sidecar.image }}
            - name: fixed
              image: busybox:1.36
    {{- end }}
  `;
  // Through analyzeDocument, which reads template-action-only lines (`{{- if … }}`) as blank lines.
  const analysis = analyzeDocument(text, { helmTemplate: true });
  const sites = analysis.images;
  assert.deepEqual(
    sites.map((site) => [site.image, site.templated, site.pullPolicy.effective, site.pullPolicy.insert === undefined]),
    [
      ['{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}', true, undefined, true],
      ['{{ .Values.sidecar.image }}', true, undefined, true],
      ['busybox:1.36', false, 'IfNotPresent', false],
    ],
  );
  assert.equal(sites[0].pullPolicy.explicit, '{{ .Values.image.pullPolicy }}');
  // No syntax errors, and nothing about the templated images (not-pinned is off by default).
  assert.deepEqual(
    analysis.findings.filter((finding) => finding.severity !== 'off').map((finding) => finding.code),
    [],
  );
});

test('Helm templates: a templated apiVersion and names still make an object', () => {
  const text = yaml`
    apiVersion: {{ include "common.capabilities.deployment.apiVersion" . }}
    kind: Deployment
    metadata:
      name: {{ include "common.names.fullname" . }}
    spec:
      template:
        spec:
          containers:
            - name: {{ .Chart.Name }}
              image: {{ include "web.image" . }}
            - name: metrics
              image: prom/statsd-exporter:v0.26.0
  `;
  const sites = analyzeDocument(text).images;
  assert.deepEqual(sites.map(describe), [
    'container spec.template.spec.containers.0.image = {{ include "web.image" . }} ' +
      '(Deployment/{{ include "common.names.fullname" . }}, {{ .Chart.Name }})',
    'container spec.template.spec.containers.1.image = prom/statsd-exporter:v0.26.0 (Deployment/{{ include "common.names.fullname" . }}, metrics)',
  ]);
  assert.equal(sites[0].owner.apiVersion, '{{ include "common.capabilities.deployment.apiVersion" . }}');
});

test('the effective pull policy is what the API server defaults to', async (t) => {
  const cases: readonly (readonly [image: string, explicit: string | undefined, effective: string])[] = [
    ['nginx', undefined, 'Always'],
    ['localhost:5000/app', undefined, 'Always'],
    ['nginx:latest', undefined, 'Always'],
    ['nginx:Latest', undefined, 'IfNotPresent'],
    ['nginx:1.25', undefined, 'IfNotPresent'],
    [`nginx@${DIGEST}`, undefined, 'IfNotPresent'],
    [`nginx:latest@${DIGEST}`, undefined, 'Always'],
    ['Foo/Bar', undefined, 'IfNotPresent'],
    ['nginx', 'IfNotPresent', 'IfNotPresent'],
    ['nginx:1.25', 'Never', 'Never'],
    ['nginx:1.25', 'Always', 'Always'],
    // An invalid value is rejected by the API server; until fixed, show the default it would get.
    ['nginx', 'always', 'Always'],
    ['nginx:1.25', '""', 'IfNotPresent'],
  ];
  for (const [image, explicit, effective] of cases) {
    await t.test(`${image} with ${explicit ?? 'no policy'}`, () => {
      const policyLine = explicit === undefined ? '' : `\n      imagePullPolicy: ${explicit}`;
      const [site] = sitesOf(`apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: "${image}"${policyLine}\n`);
      assert.equal(site.pullPolicy.effective, effective);
      assert.equal(site.pullPolicy.explicit, explicit === undefined || explicit === '""' ? undefined : explicit);
    });
  }
});

test('image volumes follow the same defaulting with pullPolicy', () => {
  const text = yaml`
    apiVersion: v1
    kind: Pod
    spec:
      volumes:
        - name: a
          image: {reference: "data:latest"}
        - name: b
          image:
            reference: data:v1
            pullPolicy: Never
  `;
  const sites = sitesOf(text);
  assert.deepEqual(
    sites.map((site) => [site.pullPolicy.effective, site.pullPolicy.explicit, site.pullPolicy.explicitSpan && covered(text, site.pullPolicy.explicitSpan)]),
    [
      ['Always', undefined, undefined],
      ['Never', 'Never', 'Never'],
    ],
  );
});

test('writing the effective policy in keeps the style of the container', async (t) => {
  const cases: readonly { name: string; before: string; after: string }[] = [
    {
      name: 'block map: a new line after the image at the key indentation',
      before: '    - name: a\n      image: nginx\n      ports: []\n',
      after: '    - name: a\n      image: nginx\n      imagePullPolicy: Always\n      ports: []\n',
    },
    {
      name: 'image as the first key of the item',
      before: '    - image: nginx:1.25\n      name: a\n',
      after: '    - image: nginx:1.25\n      imagePullPolicy: IfNotPresent\n      name: a\n',
    },
    {
      name: 'after a trailing comment',
      before: '    - image: nginx # the web server\n      name: a\n',
      after: '    - image: nginx # the web server\n      imagePullPolicy: Always\n      name: a\n',
    },
    {
      name: 'at the end of a text without a final line break',
      before: '    - name: a\n      image: nginx',
      after: '    - name: a\n      image: nginx\n      imagePullPolicy: Always',
    },
    {
      name: 'after a block scalar',
      before: '    - image: >-\n        nginx:1.25\n      name: a\n',
      after: '    - image: >-\n        nginx:1.25\n      imagePullPolicy: IfNotPresent\n      name: a\n',
    },
    {
      name: 'after an alias, not at the anchor',
      before: '    - name: a\n      image: *img\n',
      after: '    - name: a\n      image: *img\n      imagePullPolicy: IfNotPresent\n',
    },
    {
      name: 'a merged image: written in the container, not in the shared anchor',
      before: '    - <<: *base\n      name: a\n',
      after: '    - <<: *base\n      name: a\n      imagePullPolicy: IfNotPresent\n',
    },
    {
      name: 'flow map: after the value',
      before: '    - {name: a, image: nginx}\n',
      after: '    - {name: a, image: nginx, imagePullPolicy: Always}\n',
    },
    {
      name: 'flow map with a merged image: before the closing brace',
      before: '    - {<<: *base, name: a }\n',
      after: '    - {<<: *base, name: a, imagePullPolicy: IfNotPresent }\n',
    },
    {
      name: 'an empty policy is filled in',
      before: '    - name: a\n      image: nginx\n      imagePullPolicy:\n',
      after: '    - name: a\n      image: nginx\n      imagePullPolicy: Always\n',
    },
    {
      name: 'a null policy is replaced',
      before: '    - name: a\n      image: nginx\n      imagePullPolicy: ~\n',
      after: '    - name: a\n      image: nginx\n      imagePullPolicy: Always\n',
    },
    {
      name: 'an empty string policy is replaced',
      before: '    - name: a\n      image: nginx\n      imagePullPolicy: ""\n',
      after: '    - name: a\n      image: nginx\n      imagePullPolicy: Always\n',
    },
    {
      name: 'an empty policy before a comment keeps the comment apart',
      before: '    - name: a\n      image: nginx\n      imagePullPolicy:   # set by CI\n',
      after: '    - name: a\n      image: nginx\n      imagePullPolicy:   Always # set by CI\n',
    },
  ];
  const prefix = 'x-image: &img nginx:1.25\nx-base: &base {image: "nginx:1.25"}\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n';
  for (const { name, before, after } of cases) {
    for (const lineBreak of ['\n', '\r\n']) {
      await t.test(`${name}${lineBreak === '\n' ? '' : ' (CRLF)'}`, () => {
        const text = (prefix + before).replace(/\n/g, lineBreak);
        const [site] = sitesOf(text);
        assert.ok(site.pullPolicy.insert !== undefined, 'an insert edit');
        const edited = applyEdits(text, [site.pullPolicy.insert]);
        assert.equal(edited, (prefix + after).replace(/\n/g, lineBreak));
        // The written-in policy is exactly the one that applied before.
        const parsed = parseYamlDocument(edited);
        assert.deepEqual(parsed.errors, []);
        const [reread] = findImageSites(parsed.root, edited);
        assert.equal(reread.pullPolicy.explicit, site.pullPolicy.effective);
        assert.equal(reread.pullPolicy.insert, undefined);
      });
    }
  }
});

test('image volumes get pullPolicy written in', () => {
  const text = 'apiVersion: v1\nkind: Pod\nspec:\n  volumes:\n    - name: data\n      image:\n        reference: data:v1\n';
  const [site] = sitesOf(text);
  assert.ok(site.pullPolicy.insert !== undefined);
  assert.equal(applyEdits(text, [site.pullPolicy.insert]), `${text}        pullPolicy: IfNotPresent\n`);
});

test('no insert where the policy is set, templated, or unknown', () => {
  const text = yaml`
    apiVersion: v1
    kind: Pod
    spec:
      containers:
        - {name: a, image: nginx, imagePullPolicy: Never}
        - {name: b, image: nginx, imagePullPolicy: always}
  `;
  assert.deepEqual(
    sitesOf(text).map((site) => site.pullPolicy.insert),
    [undefined, undefined],
  );
  const kustomization = sitesOf('images:\n  - name: nginx\n    newTag: "1.25"\n', { fileName: 'kustomization.yaml' });
  assert.deepEqual(kustomization[0].pullPolicy, { explicit: undefined, explicitSpan: undefined, effective: undefined, insert: undefined });
});

test('billion laughs: aliases that unfold to 10^9 pods cost work in proportion to the text', () => {
  const levels = ['  - &l0 {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: "nginx:1.25"}]}}'];
  for (let level = 1; level <= 9; level++) {
    const items = Array.from({ length: 10 }, () => `*l${level - 1}`).join(', ');
    levels.push(`  - &l${level} {apiVersion: v1, kind: List, items: [${items}]}`);
  }
  const text = `apiVersion: v1\nkind: List\nitems:\n${levels.join('\n')}\n`;
  const root = parseYamlDocument(text).root;
  // The source has about 200 nodes; a walk that unfolded the aliases would need 10^9 visits.
  const scan = scanImageSites(root, text, {}, 1_000);
  assert.equal(scan.complete, true);
  assert.deepEqual(scan.sites.map(describe), ['container items.0.spec.containers.0.image = nginx:1.25 (Pod/p, pod, c)']);
});

test('a document larger than the visit budget stops early and says so', () => {
  const containers = Array.from({ length: 300 }, (_, index) => `    - {name: c${index}, image: "nginx:1.${index}"}`).join('\n');
  const text = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n${containers}\n`;
  const root = parseYamlDocument(text).root;
  const bounded = scanImageSites(root, text, {}, 100);
  assert.equal(bounded.complete, false);
  assert.ok(bounded.sites.length > 0 && bounded.sites.length < 100, `found ${bounded.sites.length}`);
  assert.equal(scanImageSites(root, text).sites.length, 300);

  const analysis = analyzeDocument(text, {}, { visitBudget: 100 });
  const tooComplex = analysis.findings.filter((finding) => finding.code === 'document-too-complex');
  assert.equal(tooComplex.length, 1);
  assert.equal(covered(text, tooComplex[0]), 'apiVersion: v1');
});
