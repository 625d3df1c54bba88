// A CRI v1 client for the image explorer and the CLI: the image and runtime calls they need,
// over @grpc/grpc-js, with the kubelet's connection settings. It returns plain data of our own
// shapes, so callers never see generated protobuf types, and every failure is a CriError whose
// message says what to do.
import * as grpc from '@grpc/grpc-js';
import { formatEndpoint, type CriEndpoint } from './endpoints';
import { CriError, explainCallFailure } from './errors';
import * as wire from './generated/runtime';
import { SshTunnel, type SshTunnelOptions } from './sshTunnel';

/** The kubelet's deadline for CRI calls other than PullImage (its `runtimeRequestTimeout`). */
export const defaultCallTimeoutMs = 2 * 60_000;

export interface CriClientOptions {
  /** Deadline of every call except PullImage; 2 minutes by default, as in the kubelet. */
  readonly timeoutMs?: number;
  /** Deadline of PullImage; none by default, as in the kubelet: a pull is cancelled with its signal. */
  readonly pullTimeoutMs?: number;
  /**
   * How a user of this program points it at another runtime, completing messages such as "no
   * container runtime at …": e.g. "set kubeImages.endpoints" or "pass --endpoint".
   */
  readonly endpointHint?: string;
  /** How ssh:// endpoints run ssh. */
  readonly ssh?: SshTunnelOptions;
}

export interface CallOptions {
  /** Cancels the call; it then fails with a CriError of kind `cancelled`. */
  readonly signal?: AbortSignal;
  /** Overrides the client's deadline for this call; `Infinity` for none. */
  readonly timeoutMs?: number;
}

export interface RuntimeVersion {
  /** The CRI API version the runtime speaks, e.g. `v1`. */
  readonly runtimeApiVersion: string;
  readonly runtimeName: string;
  readonly runtimeVersion: string;
  /** The runtime's version of the kubelet-facing API (`0.1.0` for every runtime so far). */
  readonly version: string;
}

export interface RuntimeCondition {
  /** `RuntimeReady` and `NetworkReady` are always present. */
  readonly type: string;
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
}

export interface RuntimeStatus {
  readonly conditions: readonly RuntimeCondition[];
  /** Runtime-specific details (containerd: its config as JSON), only for a verbose request. */
  readonly info: Readonly<Record<string, string>>;
}

export interface CriImage {
  /** The image id, e.g. `sha256:…` (containerd: the config digest). */
  readonly id: string;
  /** Every tag that names this image; empty for a dangling image. */
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  /** Bytes the image takes on the node. */
  readonly size: number;
  /** The image's configured user id, when its config names a numeric user. */
  readonly uid: number | undefined;
  /** The image's configured user name, when it names one that is not numeric. */
  readonly username: string;
  /** Pinned images (like the sandbox image) are never garbage collected by the kubelet. */
  readonly pinned: boolean;
}

export interface ImageStatus {
  /** `undefined` when the runtime does not hold the image (that is not an error in CRI). */
  readonly image: CriImage | undefined;
  /** Runtime-specific details, only for a verbose request; containerd puts JSON under `info`. */
  readonly info: Readonly<Record<string, string>>;
}

export interface FilesystemUsage {
  /** When the runtime measured it, in milliseconds since the epoch. */
  readonly timestampMs: number;
  readonly mountpoint: string;
  /** `undefined` when the runtime does not report it. */
  readonly usedBytes: number | undefined;
  readonly inodesUsed: number | undefined;
}

export interface ImageFsInfo {
  readonly imageFilesystems: readonly FilesystemUsage[];
  /** Only filled in by runtimes that keep container files apart from images. */
  readonly containerFilesystems: readonly FilesystemUsage[];
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface CriContainer {
  readonly id: string;
  readonly podSandboxId: string;
  readonly name: string;
  readonly attempt: number;
  /** The image as the container spec names it (may be a tag, a digest or an id). */
  readonly image: string;
  /** The image the runtime resolved it to (containerd: the image id). */
  readonly imageRef: string;
  /** The image id, from runtimes new enough to fill it in; else empty. */
  readonly imageId: string;
  readonly state: ContainerState;
  readonly createdAtMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type PodSandboxState = 'ready' | 'notready';

export interface CriPodSandbox {
  readonly id: string;
  readonly name: string;
  readonly uid: string;
  readonly namespace: string;
  readonly attempt: number;
  readonly state: PodSandboxState;
  readonly createdAtMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly runtimeHandler: string;
}

/** Registry credentials for PullImage, as the kubelet passes them (CRI `AuthConfig`). */
export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  /** base64 of `username:password`, as in a docker config.json. */
  readonly auth?: string;
  readonly serverAddress?: string;
  readonly identityToken?: string;
  readonly registryToken?: string;
}

interface UnaryMethod<Request, Response> {
  readonly path: string;
  readonly requestSerialize: (value: Request) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => Response;
}

/**
 * A call sent just as the connection drops (the runtime restarted, or a forward closed its end
 * a moment after the runtime did) fails with UNAVAILABLE although a new connection would work.
 * Every CRI call this client makes is idempotent (RemoveImage of a removed image succeeds,
 * PullImage of a present image only resolves it again), so gRPC may retry them.
 */
const retryOnUnavailable = JSON.stringify({
  methodConfig: [
    {
      name: [{ service: 'runtime.v1.RuntimeService' }, { service: 'runtime.v1.ImageService' }],
      retryPolicy: {
        maxAttempts: 3,
        initialBackoff: '0.1s',
        maxBackoff: '1s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    },
  ],
});

const runtimeService = wire.RuntimeServiceService;
const imageService = wire.ImageServiceService;

/**
 * A client for one CRI endpoint. One HTTP/2 connection carries both services; it is opened on
 * the first call and re-established by grpc-js whenever it drops (a restarted runtime, a new
 * ssh forward), so a client lives as long as its endpoint is configured. Call `close()` to
 * release the connection and, for ssh:// endpoints, the ssh process.
 */
export class CriClient {
  readonly endpoint: CriEndpoint;
  private readonly timeoutMs: number;
  private readonly pullTimeoutMs: number | undefined;
  private readonly endpointHint: string;
  private readonly tunnel: SshTunnel | undefined;
  private channel: grpc.Client | undefined;
  private closed = false;

  constructor(endpoint: CriEndpoint, options: CriClientOptions = {}) {
    this.endpoint = endpoint;
    this.timeoutMs = options.timeoutMs ?? defaultCallTimeoutMs;
    this.pullTimeoutMs = options.pullTimeoutMs;
    this.endpointHint = options.endpointHint ?? 'configure the endpoint of the runtime you want';
    this.tunnel = endpoint.kind === 'ssh' ? new SshTunnel(endpoint, options.ssh) : undefined;
  }

  async version(options?: CallOptions): Promise<RuntimeVersion> {
    const response = await this.call(runtimeService.version, { version: 'v1' }, options);
    return {
      runtimeApiVersion: response.runtimeApiVersion,
      runtimeName: response.runtimeName,
      runtimeVersion: response.runtimeVersion,
      version: response.version,
    };
  }

  async status(options?: CallOptions & { readonly verbose?: boolean }): Promise<RuntimeStatus> {
    const response = await this.call(runtimeService.status, { verbose: options?.verbose ?? false }, options);
    return {
      conditions: (response.status?.conditions ?? []).map((condition) => ({
        type: condition.type,
        status: condition.status,
        reason: condition.reason,
        message: condition.message,
      })),
      info: response.info,
    };
  }

  async listImages(options?: CallOptions): Promise<CriImage[]> {
    const response = await this.call(imageService.listImages, {}, options);
    return response.images.map(toImage);
  }

  async imageStatus(reference: string, options?: CallOptions & { readonly verbose?: boolean }): Promise<ImageStatus> {
    const response = await this.call(
      imageService.imageStatus,
      { image: imageSpec(reference), verbose: options?.verbose ?? false },
      options,
    );
    return { image: response.image === undefined ? undefined : toImage(response.image), info: response.info };
  }

  /** Pulls an image and returns the reference the runtime stored it under (containerd: the image id). */
  async pullImage(reference: string, auth?: RegistryAuth, options?: CallOptions): Promise<string> {
    const request: wire.PullImageRequest = {
      image: imageSpec(reference),
      auth: auth === undefined ? undefined : toAuthConfig(auth),
    };
    const response = await this.call(imageService.pullImage, request, options, 'pull');
    return response.imageRef;
  }

  /** Removes an image with every tag it has. Removing an image that is not there succeeds. */
  async removeImage(reference: string, options?: CallOptions): Promise<void> {
    await this.call(imageService.removeImage, { image: imageSpec(reference) }, options);
  }

  async imageFsInfo(options?: CallOptions): Promise<ImageFsInfo> {
    const response = await this.call(imageService.imageFsInfo, {}, options);
    return {
      imageFilesystems: response.imageFilesystems.map(toFilesystemUsage),
      containerFilesystems: response.containerFilesystems.map(toFilesystemUsage),
    };
  }

  /** Every container in every state: an exited container still uses its image, as for the kubelet. */
  async listContainers(options?: CallOptions): Promise<CriContainer[]> {
    const response = await this.call(runtimeService.listContainers, {}, options);
    return response.containers.map(toContainer);
  }

  async listPodSandbox(options?: CallOptions): Promise<CriPodSandbox[]> {
    const response = await this.call(runtimeService.listPodSandbox, {}, options);
    return response.items.map(toPodSandbox);
  }

  /** Closes the connection and stops the ssh forward; calls made afterwards fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.channel?.close();
    await this.tunnel?.close();
  }

  private async call<Request, Response>(
    method: UnaryMethod<Request, Response>,
    request: Request,
    options: CallOptions = {},
    deadlineKind: 'call' | 'pull' = 'call',
  ): Promise<Response> {
    const methodName = method.path.slice(method.path.lastIndexOf('/') + 1);
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? (deadlineKind === 'pull' ? this.pullTimeoutMs : this.timeoutMs);
    const cancelled = (): CriError =>
      new CriError('cancelled', `${methodName} on ${formatEndpoint(this.endpoint)} was cancelled`, grpc.status.CANCELLED, {
        cause: signal?.reason,
      });
    if (this.closed) throw new CriError('cancelled', `the CRI client for ${formatEndpoint(this.endpoint)} is closed`);
    if (signal?.aborted) throw cancelled();
    if (this.tunnel !== undefined) {
      try {
        await this.tunnel.ensureOpen(signal);
      } catch (error) {
        throw signal?.aborted ? cancelled() : error;
      }
    }
    const channel = this.openChannel();
    const deadline = timeoutMs === undefined || timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs;

    return new Promise<Response>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = channel.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new grpc.Metadata(),
        { deadline },
        (error, response) => {
          signal?.removeEventListener('abort', onAbort);
          if (error === null && response !== undefined) {
            resolve(response);
            return;
          }
          if (error === null) {
            reject(new CriError('runtime', `${methodName} on ${formatEndpoint(this.endpoint)} returned no response`));
            return;
          }
          if (error.code === grpc.status.CANCELLED && signal?.aborted) {
            reject(cancelled());
            return;
          }
          void explainCallFailure(error, {
            endpoint: this.endpoint,
            method: methodName,
            timeoutMs: timeoutMs === Infinity ? undefined : timeoutMs,
            endpointHint: this.endpointHint,
            sshDiagnostics: this.tunnel?.diagnostics ?? [],
          }).then(reject);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private openChannel(): grpc.Client {
    this.channel ??= new grpc.Client(channelTarget(this.endpoint, this.tunnel), grpc.credentials.createInsecure(), {
      // The kubelet's dial options: authority `localhost`, 16 MiB messages (a node with thousands
      // of images answers ListImages with several MiB), and reconnection backoff from 100 ms to
      // 3 s so a restarted runtime is found again within seconds (k8s.io/cri-client remote_runtime.go).
      'grpc.default_authority': 'localhost',
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 3_000,
      'grpc.service_config': retryOnUnavailable,
    });
    return this.channel;
  }
}

function channelTarget(endpoint: CriEndpoint, tunnel: SshTunnel | undefined): string {
  switch (endpoint.kind) {
    case 'unix':
      return `unix://${endpoint.socketPath}`;
    case 'tcp':
      return formatEndpoint(endpoint).slice('tcp://'.length);
    case 'ssh':
      if (tunnel === undefined) throw new Error('an ssh endpoint always has a tunnel');
      return `unix://${tunnel.localSocketPath}`;
  }
}

function imageSpec(reference: string): wire.ImageSpec {
  return { image: reference, annotations: {}, userSpecifiedImage: '', runtimeHandler: '', imageRef: '' };
}

function toAuthConfig(auth: RegistryAuth): wire.AuthConfig {
  return {
    username: auth.username ?? '',
    password: auth.password ?? '',
    auth: auth.auth ?? '',
    serverAddress: auth.serverAddress ?? '',
    identityToken: auth.identityToken ?? '',
    registryToken: auth.registryToken ?? '',
  };
}

function toImage(image: wire.Image): CriImage {
  return {
    id: image.id,
    repoTags: image.repoTags,
    repoDigests: image.repoDigests,
    size: Number(image.size),
    uid: image.uid === undefined ? undefined : Number(image.uid.value),
    username: image.username,
    pinned: image.pinned,
  };
}

function toFilesystemUsage(usage: wire.FilesystemUsage): FilesystemUsage {
  return {
    timestampMs: nanosecondsToMilliseconds(usage.timestamp),
    mountpoint: usage.fsId?.mountpoint ?? '',
    usedBytes: usage.usedBytes === undefined ? undefined : Number(usage.usedBytes.value),
    inodesUsed: usage.inodesUsed === undefined ? undefined : Number(usage.inodesUsed.value),
  };
}

const containerStates: Readonly<Record<number, ContainerState>> = {
  [wire.ContainerState.CONTAINER_CREATED]: 'created',
  [wire.ContainerState.CONTAINER_RUNNING]: 'running',
  [wire.ContainerState.CONTAINER_EXITED]: 'exited',
};

function toContainer(container: wire.Container): CriContainer {
  return {
    id: container.id,
    podSandboxId: container.podSandboxId,
    name: container.metadata?.name ?? '',
    attempt: container.metadata?.attempt ?? 0,
    image: container.image?.image ?? '',
    imageRef: container.imageRef,
    imageId: container.imageId,
    state: containerStates[container.state] ?? 'unknown',
    createdAtMs: nanosecondsToMilliseconds(container.createdAt),
    labels: container.labels,
    annotations: container.annotations,
  };
}

function toPodSandbox(sandbox: wire.PodSandbox): CriPodSandbox {
  return {
    id: sandbox.id,
    name: sandbox.metadata?.name ?? '',
    uid: sandbox.metadata?.uid ?? '',
    namespace: sandbox.metadata?.namespace ?? '',
    attempt: sandbox.metadata?.attempt ?? 0,
    // A state this client does not know is treated like the kubelet treats anything not READY.
    state: sandbox.state === wire.PodSandboxState.SANDBOX_READY ? 'ready' : 'notready',
    createdAtMs: nanosecondsToMilliseconds(sandbox.createdAt),
    labels: sandbox.labels,
    annotations: sandbox.annotations,
    runtimeHandler: sandbox.runtimeHandler,
  };
}

function nanosecondsToMilliseconds(nanoseconds: bigint): number {
  return Number(nanoseconds / 1_000_000n);
}
