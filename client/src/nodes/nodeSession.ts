// A connection to one node's runtime and what it holds at a moment: the explorer lists a
// snapshot, and every action starts from one. One session per configured node, kept while the
// node stays configured: its gRPC connection reconnects by itself.
import { CriClient, type CallOptions, type CriClientOptions, type CriContainer, type CriImage, type CriPodSandbox, type FilesystemUsage, type RuntimeCondition, type RuntimeVersion } from '../cri/criClient';
import { formatEndpoint } from '../cri/endpoints';
import type { NodeTarget } from './nodeTargets';

/** Everything listed from a node in one pass. */
export interface NodeSnapshot {
  /** Milliseconds since the epoch, when the calls were made. */
  readonly takenAt: number;
  readonly version: RuntimeVersion;
  /** `RuntimeReady` and `NetworkReady`, and whatever else the runtime reports. */
  readonly conditions: readonly RuntimeCondition[];
  readonly imageFilesystems: readonly FilesystemUsage[];
  readonly images: readonly CriImage[];
  /** Every container in every state: an exited container still uses its image, as for the kubelet. */
  readonly containers: readonly CriContainer[];
  readonly podSandboxes: readonly CriPodSandbox[];
}

/** The calls the image operations make; a `NodeSession` in the product, a fake in unit tests. */
export interface NodeConnection {
  readonly target: NodeTarget;
  readonly runtime: Pick<CriClient, 'version' | 'status' | 'listContainers' | 'listPodSandbox'>;
  readonly images: Pick<CriClient, 'listImages' | 'imageStatus' | 'pullImage' | 'removeImage' | 'imageFsInfo'>;
}

export type NodeSessionOptions = Pick<CriClientOptions, 'timeoutMs' | 'endpointHint' | 'ssh'>;

export class NodeSession implements NodeConnection {
  readonly runtime: CriClient;
  readonly images: CriClient;

  constructor(
    readonly target: NodeTarget,
    options: NodeSessionOptions = {},
  ) {
    this.runtime = new CriClient(target.runtimeEndpoint, options);
    // One connection serves both services unless the images live behind another endpoint.
    this.images =
      formatEndpoint(target.imageEndpoint) === formatEndpoint(target.runtimeEndpoint) ? this.runtime : new CriClient(target.imageEndpoint, options);
  }

  snapshot(options?: CallOptions, now: () => number = Date.now): Promise<NodeSnapshot> {
    return takeSnapshot(this, options, now);
  }

  async close(): Promise<void> {
    await Promise.all([this.runtime.close(), this.images === this.runtime ? undefined : this.images.close()]);
  }
}

/** Lists the node in one round of concurrent calls; the first failure fails the snapshot. */
export async function takeSnapshot(connection: NodeConnection, options?: CallOptions, now: () => number = Date.now): Promise<NodeSnapshot> {
  const takenAt = now();
  const [version, status, images, containers, podSandboxes, filesystems] = await Promise.all([
    connection.runtime.version(options),
    connection.runtime.status(options),
    connection.images.listImages(options),
    connection.runtime.listContainers(options),
    connection.runtime.listPodSandbox(options),
    connection.images.imageFsInfo(options),
  ]);
  return {
    takenAt,
    version,
    conditions: status.conditions,
    imageFilesystems: filesystems.imageFilesystems,
    images,
    containers,
    podSandboxes,
  };
}
