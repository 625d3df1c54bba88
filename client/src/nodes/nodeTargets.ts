// The nodes a user works with: the endpoints configured in the `kubeImages.endpoints` setting
// (or given with `--endpoint`), else the runtime found on this machine the way crictl finds it.
import { formatEndpoint, parseEndpoint, type CriEndpoint, type EndpointDetection } from '../cri/endpoints';

export interface NodeTarget {
  /**
   * Identity of the node across sessions: its endpoints, canonically spelled. Tree item ids and
   * stored image history hang off it, so renaming a node keeps both.
   */
  readonly key: string;
  /** What people see: the configured name, else one made from the endpoint. */
  readonly name: string;
  /** Where ListContainers, Version and Status go. */
  readonly runtimeEndpoint: CriEndpoint;
  /** Where the image calls go: the runtime's endpoint unless one is configured for images apart. */
  readonly imageEndpoint: CriEndpoint;
  /** Where the endpoint came from, for people: `kubeImages.endpoints`, `CONTAINER_RUNTIME_ENDPOINT`, … */
  readonly source: string;
}

export interface NodeTargets {
  readonly targets: readonly NodeTarget[];
  /** Entries that could not be used, each saying why. */
  readonly problems: readonly string[];
}

/** One endpoint for both services, as `--endpoint` and the setting give it. */
export function nodeTarget(endpoint: CriEndpoint, name: string | undefined, source: string): NodeTarget {
  return { key: formatEndpoint(endpoint), name: name ?? defaultNodeName(endpoint), runtimeEndpoint: endpoint, imageEndpoint: endpoint, source };
}

/**
 * Reads the `kubeImages.endpoints` setting: a list of `{ "name": …, "endpoint": … }`. Never
 * throws: an entry it cannot use is skipped with a problem saying why, and an endpoint listed
 * twice is used once, because its history and tree items would otherwise collide.
 */
export function readEndpointSetting(value: unknown, settingName = 'kubeImages.endpoints'): NodeTargets {
  if (value === undefined || value === null) return { targets: [], problems: [] };
  if (!Array.isArray(value)) return { targets: [], problems: [`${settingName} must be a list of { "name", "endpoint" } entries`] };
  const targets: NodeTarget[] = [];
  const problems: string[] = [];
  for (const [position, entry] of value.entries()) {
    const where = `${settingName}[${position}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${where} is not an object with "name" and "endpoint"`);
      continue;
    }
    const { name, endpoint } = entry as Record<string, unknown>;
    if (typeof endpoint !== 'string') {
      problems.push(`${where} has no "endpoint" string`);
      continue;
    }
    if (name !== undefined && typeof name !== 'string') {
      problems.push(`${where}: "name" must be a string`);
      continue;
    }
    const parsed = parseEndpoint(endpoint);
    if (!parsed.ok) {
      problems.push(`${where}${typeof name === 'string' && name.trim() !== '' ? ` (${name})` : ''}: ${parsed.message}`);
      continue;
    }
    const target = nodeTarget(parsed.endpoint, typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined, settingName);
    const earlier = targets.find((known) => known.key === target.key);
    if (earlier !== undefined) {
      problems.push(`${where}: ${target.key} is already listed as "${earlier.name}"; the entry is ignored`);
      continue;
    }
    targets.push(target);
  }
  return { targets, problems };
}

/** The node crictl would talk to, from `detectEndpoints`. */
export function detectedNodeTarget(detection: EndpointDetection): NodeTargets {
  const { runtime, image, problems } = detection;
  if (runtime === undefined || image === undefined) return { targets: [], problems };
  const sameEndpoint = formatEndpoint(runtime.endpoint) === formatEndpoint(image.endpoint);
  const target: NodeTarget = sameEndpoint
    ? nodeTarget(runtime.endpoint, undefined, runtime.source)
    : {
        key: `${formatEndpoint(runtime.endpoint)} images=${formatEndpoint(image.endpoint)}`,
        name: defaultNodeName(runtime.endpoint),
        runtimeEndpoint: runtime.endpoint,
        imageEndpoint: image.endpoint,
        source: `${runtime.source}, images from ${image.source}`,
      };
  return { targets: [target], problems };
}

/** `containerd.sock`, `node-1`, `10.0.0.5:10010`: short enough for a tree label. */
export function defaultNodeName(endpoint: CriEndpoint): string {
  switch (endpoint.kind) {
    case 'unix':
      return `local (${endpoint.socketPath.slice(endpoint.socketPath.lastIndexOf('/') + 1)})`;
    case 'tcp':
      return formatEndpoint(endpoint).slice('tcp://'.length);
    case 'ssh':
      return endpoint.host;
  }
}

/** Whether this machine can measure the node's image filesystem itself (the kubelet's statfs). */
export function isLocalNode(target: NodeTarget): boolean {
  return target.imageEndpoint.kind === 'unix';
}
