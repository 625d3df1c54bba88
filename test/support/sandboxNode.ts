// A sandbox Kubernetes node without Kubernetes: a private containerd (the node's runtime), an
// anonymous loopback registry seeded with a few images, some of them pulled and one running in
// a pod (so it is in use), and a second registry behind Basic auth. What `npm run demo` shows and
// what the UI tests act on. Built from the real-component harness of this folder (README.md).
import { startContainerd, type Leftovers, type PrivateContainerd } from './containerd';
import { buildDataImage, buildSleeperImage, buildTwoPlatformIndex, type BuiltArtifact } from './ociImage';
import { startRegistry, type LoopbackRegistry, type RegistryCredentials } from './registry';

/** An image the sandbox registry serves, by the reference a manifest writes and the digest it names. */
export interface SandboxImage {
  readonly reference: string;
  readonly digest: string;
}

export interface SandboxImages {
  /** containerd's pause image; pulled by the first pod. */
  readonly pause: SandboxImage;
  /** Pulled and running in the pod `web`: in use. Also tagged `latest`. */
  readonly web: SandboxImage;
  readonly webLatest: SandboxImage;
  /** A linux/amd64 + linux/arm64 index, tagged `2.0.0` and `latest`; pulled, not in use. */
  readonly api: SandboxImage;
  readonly apiLatest: SandboxImage;
  /** Pulled, not in use: a candidate for image GC. */
  readonly debug: SandboxImage;
  /** In the registry only: something to pull. */
  readonly worker: SandboxImage;
  /** In the Basic-auth registry only. */
  readonly billing: SandboxImage;
}

export interface SandboxNode {
  readonly containerd: PrivateContainerd;
  /** Anonymous; plain HTTP on loopback. */
  readonly registry: LoopbackRegistry;
  /** Basic auth with `credentials`; plain HTTP on loopback. */
  readonly privateRegistry: LoopbackRegistry;
  readonly credentials: RegistryCredentials;
  readonly images: SandboxImages;
  /** The pod whose container keeps `images.web` in use. */
  readonly podName: string;
  /** What is left of the runtime: all empty after `stop()`. */
  leftovers(): Leftovers;
  /** Stops pods, containerd and both registries; removes their folders. */
  stop(): Promise<void>;
}

/** The sandbox's one pod; the explorer names it as the user of `images.web`. */
const POD_NAME = 'web';

export async function startSandboxNode(): Promise<SandboxNode> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    const problems: string[] = [];
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (problems.length > 0) throw new Error(`sandbox node teardown: ${problems.join('; ')}`);
  };
  try {
    const registry = await startRegistry();
    stops.push(() => registry.stop());
    const privateRegistry = await startRegistry({ auth: 'basic', credentials: { username: 'demo', password: 'kube-images-demo' } });
    stops.push(() => privateRegistry.stop());

    const push = async (target: LoopbackRegistry, artifact: BuiltArtifact, repository: string, ...tags: string[]): Promise<SandboxImage[]> => {
      const pushed: SandboxImage[] = [];
      for (const tag of tags) pushed.push({ reference: target.reference(repository, tag), digest: await target.push(artifact, repository, tag) });
      return pushed;
    };
    const [pause] = await push(registry, buildSleeperImage({ variant: 'pause' }), 'pause', '3.10');
    const [web, webLatest] = await push(registry, buildSleeperImage({ variant: 'shop-web 1.4.2' }), 'shop/web', '1.4.2', 'latest');
    const [api, apiLatest] = await push(registry, buildTwoPlatformIndex('shop-api 2.0.0'), 'shop/api', '2.0.0', 'latest');
    const [debug] = await push(registry, buildDataImage('debug tools, dev build'), 'tools/debug', 'dev');
    const [worker] = await push(registry, buildDataImage('shop-worker 0.9.1'), 'shop/worker', '0.9.1');
    const [billing] = await push(privateRegistry, buildDataImage('billing 3.1.0'), 'team/billing', '3.1.0');
    const images: SandboxImages = { pause: pause!, web: web!, webLatest: webLatest!, api: api!, apiLatest: apiLatest!, debug: debug!, worker: worker!, billing: billing! };

    const containerd = await startContainerd({ sandboxImage: images.pause.reference, insecureRegistries: [registry.host] });
    stops.push(() => containerd.stop());
    for (const image of [images.web, images.api, images.debug]) await containerd.cri.pullImage(image.reference);
    const pod = await containerd.runPod(POD_NAME);
    await containerd.runContainer(pod, images.web.reference, 'web');

    return { containerd, registry, privateRegistry, credentials: privateRegistry.credentials, images, podName: POD_NAME, leftovers: () => containerd.leftovers(), stop: stopAll };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
