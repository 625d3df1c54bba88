/**
 * Deterministic generator of realistic multi-document Kubernetes manifest files, for the
 * benchmark and for the differential tests of the YAML layer.
 *
 * Documents mix the kinds people keep in one file (Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * Job, CronJob, Pod, Service, ConfigMap with block-scalar data, Secret, Ingress, kustomization,
 * List), with init and ephemeral containers, image volumes, present and absent `imagePullPolicy`,
 * plain and quoted images with tags, digests and registries with ports, a few invalid references,
 * comments and blank lines. A configurable fraction of "unusual" documents uses what the fast
 * scanner leaves to the `yaml` library: anchors, aliases and merge keys, flow collections, tags,
 * multi-line scalars and outright syntax errors. The same options always give the same text.
 */
import { SeededRandom } from './random';

export interface GenerateOptions {
  readonly documents: number;
  readonly seed: number;
  /** Share of documents, 0 to 1, written in YAML the fast scanner declines. Default 0. */
  readonly unusualFraction?: number;
  /** Write `\r\n` line breaks. */
  readonly crlf?: boolean;
}

export function generateManifests(options: GenerateOptions): string {
  const random = new SeededRandom(options.seed);
  const unusualFraction = options.unusualFraction ?? 0;
  const parts: string[] = [];
  for (let index = 0; index < options.documents; index++) {
    const writer = new Writer();
    const unusual = random.chance(unusualFraction);
    if (unusual) writeUnusualDocument(writer, random, index);
    else writePlainDocument(writer, random, index);
    const separator = index === 0 ? (random.chance(0.3) ? '---\n' : '') : random.chance(0.1) ? `---\n# Source: app/templates/part-${index}.yaml\n` : '---\n';
    parts.push(separator + writer.text());
  }
  const text = parts.join('');
  return options.crlf === true ? text.replace(/\n/g, '\r\n') : text;
}

/** mulberry32: small, fast and good enough to make varied test data from a seed. */
/** Collects indented lines. */
class Writer {
  private readonly lines: string[] = [];

  line(indent: number, content: string): void {
    this.lines.push(' '.repeat(indent) + content);
  }

  blank(): void {
    this.lines.push('');
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

// ---- Images ----

const REGISTRIES = [
  '',
  '',
  '',
  'docker.io/',
  'registry.k8s.io/',
  'gcr.io/acme-prod/',
  'ghcr.io/acme/',
  'quay.io/prometheus/',
  'localhost:5000/',
  'registry.example.com:8443/team-a/',
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/',
  'k8s.gcr.io/',
  '[2001:db8::1]:5000/',
];
const REPOSITORIES = ['nginx', 'redis', 'postgres', 'busybox', 'alpine', 'envoyproxy/envoy', 'library/ubuntu', 'api-server', 'worker', 'prometheus', 'grafana/grafana', 'fluent-bit', 'coredns', 'pause', 'web-frontend', 'payments_service', 'etcd'];
const TAGS = ['1.25.3', '7.2', '16-alpine', 'v2.3.1', 'latest', 'stable-alpine', '3.19', 'v1.29.0', '2024.05.1', 'main-8f3a2c1', 'Latest'];
const INVALID_IMAGES = ['MyApp:1.0', 'nginx:', 'nginx::1.25', 'nginx@sha256:abc123', 'registry.example.com/Team/app:1', 'nginx:v1.0+build', 'app:-dev', ' nginx:1.25', 'nginx:1.25 ', ''];

function image(random: SeededRandom): string {
  if (random.chance(0.03)) return random.pick(INVALID_IMAGES);
  const name = random.pick(REGISTRIES) + random.pick(REPOSITORIES);
  const shape = random.next();
  if (shape < 0.08) return name;
  if (shape < 0.18) return `${name}@sha256:${random.hex(64)}`;
  if (shape < 0.22) return `${name}:${random.pick(TAGS)}@sha256:${random.hex(64)}`;
  return `${name}:${random.pick(TAGS)}`;
}

/** An image as a YAML scalar: mostly plain, sometimes quoted (always when plain would not read back as the same string). */
function imageScalar(random: SeededRandom, value: string): string {
  const style = random.next();
  if (!isPlainSafe(value) || style < 0.2) return `"${value}"`;
  if (style < 0.3) return `'${value}'`;
  return value;
}

/** Whether `value` written as a plain scalar reads back as the string `value`. */
function isPlainSafe(value: string): boolean {
  return value !== '' && value.trim() === value && !/^[-?:,[\]{}#&*!|>'"%@`]|: | #|:$/.test(value);
}

function pullPolicy(random: SeededRandom): string | undefined {
  const roll = random.next();
  if (roll < 0.5) return undefined;
  if (roll < 0.75) return 'IfNotPresent';
  if (roll < 0.9) return 'Always';
  if (roll < 0.97) return 'Never';
  return random.pick(['always', 'IfNotPresent ', '"Sometimes"']);
}

// ---- Plain documents ----

const APPS = ['web', 'api', 'worker', 'cache', 'db', 'auth', 'billing', 'search', 'ingest', 'metrics', 'frontend', 'gateway'];
const NAMESPACES = ['default', 'prod', 'staging', 'monitoring', 'kube-system', 'team-a'];

function appName(random: SeededRandom, index: number): string {
  return `${random.pick(APPS)}-${index}`;
}

function writeMetadata(writer: Writer, random: SeededRandom, indent: number, name: string): void {
  writer.line(indent, 'metadata:');
  writer.line(indent + 2, `name: ${name}`);
  if (random.chance(0.7)) writer.line(indent + 2, `namespace: ${random.pick(NAMESPACES)}`);
  writer.line(indent + 2, 'labels:');
  writer.line(indent + 4, `app.kubernetes.io/name: ${name}`);
  writer.line(indent + 4, `app.kubernetes.io/part-of: ${random.pick(APPS)}`);
  if (random.chance(0.5)) writer.line(indent + 4, `app.kubernetes.io/version: "${random.integer(1, 9)}.${random.integer(0, 30)}"`);
  if (random.chance(0.3)) writer.line(indent + 4, `tier: ${random.pick(['frontend', 'backend', 'data'])} # used by network policies`);
  if (random.chance(0.6)) {
    writer.line(indent + 4, `app.kubernetes.io/instance: ${name}-${random.pick(NAMESPACES)}`);
    writer.line(indent + 4, 'app.kubernetes.io/managed-by: Helm');
    writer.line(indent + 4, `helm.sh/chart: ${random.pick(APPS)}-${random.integer(0, 9)}.${random.integer(0, 20)}.${random.integer(0, 9)}`);
  }
  if (random.chance(0.5)) {
    writer.line(indent + 2, 'annotations:');
    writer.line(indent + 4, `deployment.kubernetes.io/revision: "${random.integer(1, 40)}"`);
    if (random.chance(0.5)) writer.line(indent + 4, `prometheus.io/scrape: 'true'`);
    if (random.chance(0.3)) writer.line(indent + 4, 'kubectl.kubernetes.io/default-container: main');
    if (random.chance(0.3)) writer.line(indent + 4, `checksum/config: ${random.hex(64)}`);
  }
}

function writeContainer(writer: Writer, random: SeededRandom, indent: number, name: string, full: boolean): void {
  // `- name: x` with the remaining keys aligned under `name`.
  const inner = indent + 2;
  writer.line(indent, `- name: ${name}`);
  writer.line(inner, `image: ${imageScalar(random, image(random))}`);
  const policy = pullPolicy(random);
  if (policy !== undefined) writer.line(inner, `imagePullPolicy: ${policy}`);
  else if (random.chance(0.1)) writer.line(inner, '# imagePullPolicy: Always');
  if (random.chance(0.3)) {
    writer.line(inner, 'command:');
    writer.line(inner, `- /bin/${random.pick(['sh', 'server', 'app'])}`);
  }
  if (random.chance(0.4)) {
    writer.line(inner, 'args:');
    for (let count = random.integer(1, 4); count > 0; count--) writer.line(inner + 2, `- "--${random.pick(['port', 'log-level', 'config', 'workers'])}=${random.integer(1, 9000)}"`);
  }
  if (!full) return;
  if (random.chance(0.7)) {
    writer.line(inner, 'ports:');
    writer.line(inner, `- containerPort: ${random.pick([80, 443, 8080, 9090, 5432, 6379])}`);
    writer.line(inner + 2, 'name: http');
    writer.line(inner + 2, 'protocol: TCP');
  }
  if (random.chance(0.6)) {
    writer.line(inner, 'env:');
    for (let count = random.integer(1, 6); count > 0; count--) {
      writer.line(inner, `- name: ${random.pick(['LOG_LEVEL', 'PORT', 'DATABASE_URL', 'FEATURE_FLAGS', 'GOMAXPROCS'])}_${count}`);
      if (random.chance(0.7)) writer.line(inner + 2, `value: ${random.pick(['"info"', '"8080"', 'debug', "'postgres://db:5432/app'", '"true"'])}`);
      else {
        writer.line(inner + 2, 'valueFrom:');
        writer.line(inner + 4, 'secretKeyRef:');
        writer.line(inner + 6, `name: ${name}-secrets`);
        writer.line(inner + 6, 'key: password');
      }
    }
    if (random.chance(0.2)) writer.line(inner, '# - name: DEBUG');
  }
  if (random.chance(0.8)) {
    writer.line(inner, 'resources:');
    writer.line(inner + 2, 'requests:');
    writer.line(inner + 4, `cpu: ${random.pick(['100m', '250m', '500m', '1'])}`);
    writer.line(inner + 4, `memory: ${random.pick(['64Mi', '128Mi', '256Mi', '1Gi'])}`);
    writer.line(inner + 2, 'limits:');
    writer.line(inner + 4, `memory: ${random.pick(['128Mi', '512Mi', '2Gi'])}`);
  } else if (random.chance(0.5)) {
    writer.line(inner, 'resources: {}');
  }
  if (random.chance(0.5)) {
    writer.line(inner, `${random.pick(['livenessProbe', 'readinessProbe'])}:`);
    writer.line(inner + 2, 'httpGet:');
    writer.line(inner + 4, `path: ${random.pick(['/healthz', '/ready', '/'])}`);
    writer.line(inner + 4, 'port: http');
    writer.line(inner + 2, `initialDelaySeconds: ${random.integer(1, 30)}`);
    writer.line(inner + 2, `periodSeconds: ${random.integer(5, 20)}  # kubelet default is 10`);
  }
  if (random.chance(0.5)) {
    writer.line(inner, 'volumeMounts:');
    writer.line(inner, '- name: config');
    writer.line(inner + 2, `mountPath: /etc/${name}`);
    writer.line(inner + 2, 'readOnly: true');
  }
  if (random.chance(0.3)) {
    writer.line(inner, 'securityContext:');
    writer.line(inner + 2, 'runAsNonRoot: true');
    writer.line(inner + 2, 'allowPrivilegeEscalation: false');
  }
}

function writePodSpec(writer: Writer, random: SeededRandom, indent: number, name: string, restartPolicy?: string): void {
  writer.line(indent, 'spec:');
  const inner = indent + 2;
  if (random.chance(0.4)) writer.line(inner, `serviceAccountName: ${name}`);
  if (restartPolicy !== undefined) writer.line(inner, `restartPolicy: ${restartPolicy}`);
  if (random.chance(0.25)) {
    writer.line(inner, 'initContainers:');
    writeContainer(writer, random, inner, 'init-config', false);
  }
  // Both sequence styles occur in the wild: items at the key's column and indented under it.
  const itemIndent = random.chance(0.6) ? inner : inner + 2;
  writer.line(inner, 'containers:');
  writeContainer(writer, random, itemIndent, 'main', true);
  for (let count = random.integer(0, 3); count > 0; count--) {
    if (random.chance(0.3)) writer.blank();
    writeContainer(writer, random, itemIndent, `sidecar-${count}`, random.chance(0.5));
  }
  if (random.chance(0.15)) {
    writer.line(inner, 'imagePullSecrets:');
    writer.line(inner, '- name: registry-credentials');
  }
  writer.line(inner, 'volumes:');
  writer.line(inner, '- name: config');
  writer.line(inner + 2, 'configMap:');
  writer.line(inner + 4, `name: ${name}-config`);
  if (random.chance(0.15)) {
    writer.line(inner, '- name: models');
    writer.line(inner + 2, 'image:');
    writer.line(inner + 4, `reference: ${imageScalar(random, image(random))}`);
    const policy = pullPolicy(random);
    if (policy !== undefined) writer.line(inner + 4, `pullPolicy: ${policy}`);
  }
  if (random.chance(0.3)) {
    writer.line(inner, 'nodeSelector:');
    writer.line(inner + 2, 'kubernetes.io/os: linux');
  }
  if (random.chance(0.3)) {
    writer.line(inner, 'affinity:');
    writer.line(inner + 2, 'podAntiAffinity:');
    writer.line(inner + 4, 'preferredDuringSchedulingIgnoredDuringExecution:');
    writer.line(inner + 4, '- weight: 100');
    writer.line(inner + 6, 'podAffinityTerm:');
    writer.line(inner + 8, 'topologyKey: kubernetes.io/hostname');
    writer.line(inner + 8, 'labelSelector:');
    writer.line(inner + 10, 'matchLabels:');
    writer.line(inner + 12, `app.kubernetes.io/name: ${name}`);
  }
  if (random.chance(0.2)) {
    writer.line(inner, 'tolerations:');
    writer.line(inner, '- key: node-role.kubernetes.io/control-plane');
    writer.line(inner + 2, 'operator: Exists');
    writer.line(inner + 2, 'effect: NoSchedule');
  }
}

function writePodTemplate(writer: Writer, random: SeededRandom, indent: number, name: string, restartPolicy?: string): void {
  writer.line(indent, 'template:');
  writer.line(indent + 2, 'metadata:');
  writer.line(indent + 4, 'labels:');
  writer.line(indent + 6, `app.kubernetes.io/name: ${name}`);
  writePodSpec(writer, random, indent + 2, name, restartPolicy);
}

function writeWorkload(writer: Writer, random: SeededRandom, index: number, kind: string): void {
  const name = appName(random, index);
  writer.line(0, `apiVersion: ${kind === 'ReplicaSet' || kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet' ? 'apps/v1' : 'batch/v1'}`);
  writer.line(0, `kind: ${kind}`);
  writeMetadata(writer, random, 0, name);
  writer.line(0, 'spec:');
  if (kind === 'CronJob') {
    writer.line(2, `schedule: "${random.integer(0, 59)} */${random.integer(1, 6)} * * *"`);
    writer.line(2, 'concurrencyPolicy: Forbid');
    writer.line(2, 'jobTemplate:');
    writer.line(4, 'spec:');
    writePodTemplate(writer, random, 6, name, 'OnFailure');
    return;
  }
  if (kind === 'Job') {
    writer.line(2, `backoffLimit: ${random.integer(0, 6)}`);
    writePodTemplate(writer, random, 2, name, 'Never');
    return;
  }
  if (kind !== 'DaemonSet') writer.line(2, `replicas: ${random.integer(1, 5)}${random.chance(0.2) ? ' # managed by the HPA' : ''}`);
  if (kind === 'StatefulSet') writer.line(2, `serviceName: ${name}`);
  writer.line(2, 'selector:');
  writer.line(4, 'matchLabels:');
  writer.line(6, `app.kubernetes.io/name: ${name}`);
  if (kind === 'Deployment' && random.chance(0.4)) {
    writer.line(2, 'strategy:');
    writer.line(4, 'type: RollingUpdate');
    writer.line(4, 'rollingUpdate:');
    writer.line(6, 'maxSurge: 25%');
    writer.line(6, 'maxUnavailable: 0');
  }
  if (random.chance(0.2)) writer.blank();
  writePodTemplate(writer, random, 2, name);
  if (kind === 'StatefulSet') {
    writer.line(2, 'volumeClaimTemplates:');
    writer.line(2, '- metadata:');
    writer.line(6, 'name: data');
    writer.line(4, 'spec:');
    writer.line(6, 'accessModes:');
    writer.line(6, '- ReadWriteOnce');
    writer.line(6, 'resources:');
    writer.line(8, 'requests:');
    writer.line(10, 'storage: 10Gi');
  }
}

function writePod(writer: Writer, random: SeededRandom, index: number): void {
  const name = appName(random, index);
  writer.line(0, 'apiVersion: v1');
  writer.line(0, 'kind: Pod');
  writeMetadata(writer, random, 0, name);
  writePodSpec(writer, random, 0, name, random.pick(['Always', 'OnFailure', 'Never']));
  if (random.chance(0.3)) {
    writer.line(2, 'ephemeralContainers:');
    writer.line(2, '- name: debugger');
    writer.line(4, `image: ${imageScalar(random, image(random))}`);
    writer.line(4, 'targetContainerName: main');
    writer.line(4, 'stdin: true');
  }
}

function writeService(writer: Writer, random: SeededRandom, index: number): void {
  const name = appName(random, index);
  writer.line(0, 'apiVersion: v1');
  writer.line(0, 'kind: Service');
  writeMetadata(writer, random, 0, name);
  writer.line(0, 'spec:');
  writer.line(2, `type: ${random.pick(['ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer'])}`);
  writer.line(2, 'selector:');
  writer.line(4, `app.kubernetes.io/name: ${name}`);
  writer.line(2, 'ports:');
  for (let count = random.integer(1, 3); count > 0; count--) {
    writer.line(2, `- name: ${random.pick(['http', 'https', 'grpc', 'metrics'])}-${count}`);
    writer.line(4, `port: ${random.pick([80, 443, 9090])}`);
    writer.line(4, `targetPort: ${random.pick(['http', '8080', '9090'])}`);
  }
}

function writeConfigMap(writer: Writer, random: SeededRandom, index: number): void {
  const name = appName(random, index);
  writer.line(0, 'apiVersion: v1');
  writer.line(0, 'kind: ConfigMap');
  writeMetadata(writer, random, 0, `${name}-config`);
  writer.line(0, 'data:');
  writer.line(2, `LOG_LEVEL: ${random.pick(['info', 'debug', '"warn"'])}`);
  writer.line(2, `PORT: "${random.pick([8080, 9090, 3000])}"`);
  writer.line(2, `nginx.conf: ${random.pick(['|', '|-', '|+'])}`);
  writer.line(4, 'server {');
  writer.line(6, `listen ${random.pick([80, 8080])};`);
  writer.line(6, `server_name ${name}.example.com;`);
  writer.blank();
  writer.line(6, 'location / {');
  writer.line(8, `proxy_pass http://${name}:8080;  # upstream`);
  writer.line(8, 'proxy_set_header Host $host;');
  writer.line(6, '}');
  writer.line(4, '}');
  if (random.chance(0.5)) writer.blank();
  writer.line(2, `description: ${random.pick(['>', '>-'])}`);
  writer.line(4, 'This configuration is rendered by the platform team.');
  writer.line(4, 'Edit the source chart, not this object.');
  if (random.chance(0.6)) {
    writer.line(2, 'application.yaml: |-');
    writer.line(4, 'server:');
    writer.line(6, `port: ${random.pick([8080, 9090])}`);
    writer.line(6, 'shutdown: graceful');
    writer.line(4, 'logging:');
    writer.line(6, 'level:');
    writer.line(8, `root: ${random.pick(['INFO', 'WARN'])}`);
    writer.line(8, 'com.example: DEBUG');
    writer.line(4, 'datasource:');
    writer.line(6, `url: jdbc:postgresql://${name}-db:5432/${name}`);
    writer.line(6, 'pool:');
    writer.line(8, `max-size: ${random.integer(4, 64)}`);
    writer.line(4, 'features:');
    for (let count = random.integer(2, 6); count > 0; count--) writer.line(6, `- ${random.pick(['search', 'billing', 'audit', 'export'])}-${count}`);
  }
  if (random.chance(0.5)) {
    writer.line(2, 'entrypoint.sh: |');
    writer.line(4, '#!/bin/sh');
    writer.line(4, 'set -eu');
    writer.line(4, `exec /bin/server --port "\${PORT}" --name ${name}`);
  }
}

function writeSecret(writer: Writer, random: SeededRandom, index: number): void {
  const name = appName(random, index);
  writer.line(0, 'apiVersion: v1');
  writer.line(0, 'kind: Secret');
  writeMetadata(writer, random, 0, `${name}-secrets`);
  writer.line(0, `type: ${random.chance(0.8) ? 'Opaque' : 'kubernetes.io/dockerconfigjson'}`);
  writer.line(0, 'data:');
  writer.line(2, `password: ${random.hex(24)}==`);
  writer.line(2, `.dockerconfigjson: ${random.hex(48)}`);
  if (random.chance(0.5)) {
    writer.line(0, 'stringData:');
    writer.line(2, `username: ${random.pick(['admin', 'app', "'svc-account'"])}`);
  }
}

function writeIngress(writer: Writer, random: SeededRandom, index: number): void {
  const name = appName(random, index);
  writer.line(0, 'apiVersion: networking.k8s.io/v1');
  writer.line(0, 'kind: Ingress');
  writeMetadata(writer, random, 0, name);
  writer.line(0, 'spec:');
  writer.line(2, 'ingressClassName: nginx');
  writer.line(2, 'rules:');
  writer.line(2, `- host: ${name}.example.com`);
  writer.line(4, 'http:');
  writer.line(6, 'paths:');
  writer.line(6, '- path: /');
  writer.line(8, 'pathType: Prefix');
  writer.line(8, 'backend:');
  writer.line(10, 'service:');
  writer.line(12, `name: ${name}`);
  writer.line(12, 'port:');
  writer.line(14, 'number: 80');
  if (random.chance(0.5)) {
    writer.line(2, 'tls:');
    writer.line(2, '- hosts:');
    writer.line(4, `- ${name}.example.com`);
    writer.line(4, `secretName: ${name}-tls`);
  }
}

function writeKustomization(writer: Writer, random: SeededRandom): void {
  writer.line(0, '# Kustomize overlay');
  writer.line(0, 'apiVersion: kustomize.config.k8s.io/v1beta1');
  writer.line(0, 'kind: Kustomization');
  writer.line(0, `namespace: ${random.pick(NAMESPACES)}`);
  writer.line(0, 'resources:');
  writer.line(0, '- deployment.yaml');
  writer.line(0, '- service.yaml');
  writer.line(0, 'images:');
  for (let count = random.integer(1, 3); count > 0; count--) {
    writer.line(0, `- name: ${random.pick(REPOSITORIES)}`);
    const shape = random.next();
    if (shape < 0.4) writer.line(2, `newName: ${imageScalar(random, random.pick(REGISTRIES) + random.pick(REPOSITORIES))}`);
    if (shape < 0.7) writer.line(2, `newTag: ${random.chance(0.8) ? random.pick(TAGS) : '"1.0"'}`);
    else writer.line(2, `digest: sha256:${random.hex(random.chance(0.95) ? 64 : 12)}`);
  }
}

function writeList(writer: Writer, random: SeededRandom, index: number): void {
  writer.line(0, 'apiVersion: v1');
  writer.line(0, 'kind: List');
  writer.line(0, 'items:');
  // Items as compact mappings: `- apiVersion: v1` with the rest aligned under it.
  const pod = new Writer();
  writePod(pod, random, index);
  pod
    .text()
    .trimEnd()
    .split('\n')
    .forEach((line, position) => writer.line(0, (position === 0 ? '- ' : '  ') + line));
}

/** Kinds of plain documents; repetition sets how often each occurs. */
const PLAIN_KINDS = [
  ...Array<string>(6).fill('Deployment'),
  ...Array<string>(2).fill('StatefulSet'),
  ...Array<string>(2).fill('Service'),
  ...Array<string>(2).fill('ConfigMap'),
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
  'Secret',
  'Ingress',
  'Kustomization',
  'List',
];

function writePlainDocument(writer: Writer, random: SeededRandom, index: number): void {
  if (random.chance(0.1)) writer.line(0, `# ${random.pick(['Generated by the platform pipeline', 'Do not edit', 'Owner: team-a'])}`);
  const kind = random.pick(PLAIN_KINDS);
  switch (kind) {
    case 'Service':
      return writeService(writer, random, index);
    case 'ConfigMap':
      return writeConfigMap(writer, random, index);
    case 'Pod':
      return writePod(writer, random, index);
    case 'Secret':
      return writeSecret(writer, random, index);
    case 'Ingress':
      return writeIngress(writer, random, index);
    case 'Kustomization':
      return writeKustomization(writer, random);
    case 'List':
      return writeList(writer, random, index);
    default:
      return writeWorkload(writer, random, index, kind);
  }
}

// ---- Unusual documents ----

function writeUnusualDocument(writer: Writer, random: SeededRandom, index: number): void {
  const name = appName(random, index);
  const variant = random.integer(0, 5);
  writer.line(0, 'apiVersion: apps/v1');
  writer.line(0, 'kind: Deployment');
  writer.line(0, 'metadata:');
  writer.line(2, `name: ${name}`);
  if (variant === 0) {
    // Anchors, aliases and a merge key.
    writer.line(2, 'labels: &labels');
    writer.line(4, `app: ${name}`);
    writer.line(0, 'spec:');
    writer.line(2, 'selector:');
    writer.line(4, 'matchLabels: *labels');
    writer.line(2, 'template:');
    writer.line(4, 'metadata:');
    writer.line(6, 'labels: *labels');
    writer.line(4, 'spec:');
    writer.line(6, 'containers:');
    writer.line(6, '- &main');
    writer.line(8, 'name: main');
    writer.line(8, `image: ${imageScalar(random, image(random))}`);
    writer.line(8, 'imagePullPolicy: IfNotPresent');
    writer.line(6, '- <<: *main');
    writer.line(8, 'name: sidecar');
    writer.line(8, `image: ${imageScalar(random, image(random))}`);
    return;
  }
  writer.line(0, 'spec:');
  writer.line(2, 'template:');
  writer.line(4, 'spec:');
  if (variant === 1) {
    // Flow collections.
    writer.line(6, `containers: [{name: main, image: "${image(random)}", ports: [{containerPort: 80}]}]`);
    writer.line(6, 'initContainers:');
    writer.line(6, `- {name: init, image: '${image(random)}', args: ["--once", "--verbose"]}`);
  } else if (variant === 2) {
    // Multi-line plain and quoted scalars.
    writer.line(6, 'containers:');
    writer.line(6, '- name: main');
    writer.line(8, `image: ${image(random)}`);
    writer.line(8, 'args:');
    writer.line(8, '- --description=a long');
    writer.line(10, 'plain scalar folded over lines');
    writer.line(8, '- "a double-quoted\\tvalue with escapes\\n"');
    writer.line(8, `- 'single quoted`);
    writer.line(10, `over two lines'`);
  } else if (variant === 3) {
    // Tags.
    writer.line(6, 'containers:');
    writer.line(6, '- name: main');
    writer.line(8, `image: !!str ${image(random)}`);
    writer.line(8, 'terminationMessagePolicy: !!str File');
  } else if (variant === 4) {
    // A syntax error: a key indented into nowhere.
    writer.line(6, 'containers:');
    writer.line(6, '- name: main');
    writer.line(8, `image: ${image(random)}`);
    writer.line(11, 'imagePullPolicy: Always');
  } else {
    // Quoted keys with escapes and an explicit key.
    writer.line(6, 'containers:');
    writer.line(6, '- "name": "main\\u0041"');
    writer.line(8, `? image`);
    writer.line(8, `: ${image(random)}`);
  }
}
