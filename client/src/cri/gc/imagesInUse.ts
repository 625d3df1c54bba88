/**
 * Which images the containers on a node use: the question behind GC, prune and "in use" in the
 * explorer. The kubelet asks it in `detectImages` (pkg/kubelet/images/image_gc_manager.go): every
 * container the runtime lists, in every state (an exited container still pins its image until the
 * container is removed), identified by `image_id` when the runtime sets it (CRI since Kubernetes
 * 1.30) and otherwise by `image_ref` (toKubeContainer in kuberuntime_container.go), compared
 * with the image's `id`. containerd reports both as the image's config digest, which is its id.
 *
 * Where that comparison finds no image we look further, because an image wrongly judged unused
 * gets deleted: older CRI-O reports `image_ref` as a repository digest, Docker-era ids carry a
 * `docker-pullable://` or `docker://` prefix, and a container made by hand may name its image only
 * in the image spec, which crictl itself resolves for `rmi --prune`. So we also try every
 * reference the container carries against ids (with or without `sha256:`) and then against
 * repository digests and tags, as the runtime lists them. This never makes an image removable
 * that the kubelet would keep; it only keeps some the kubelet might not.
 */

/** An image as CRI `ListImages` reports it (runtime.v1 `Image`). */
export interface NodeImage {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  /** Bytes, as the runtime reports them; the kubelet counts exactly this much as freed. */
  readonly size: number;
  readonly pinned: boolean;
}

/** A container as CRI `ListContainers` reports it; only what identifies its image matters here. */
export interface NodeContainer {
  readonly id: string;
  /** `Container.image_id`: the image id, set by runtimes that implement CRI from Kubernetes 1.30. */
  readonly imageId?: string;
  /** `Container.image_ref`: the image id on containerd; a repository digest on older CRI-O. */
  readonly imageRef?: string;
  /** `Container.image.image`: the image spec the container was created with (an id or a name). */
  readonly image?: string;
}

/** Image id → ids of the containers using it, in the order the containers were listed. */
export type ImagesInUse = ReadonlyMap<string, readonly string[]>;

const RUNTIME_PREFIXES = ['docker-pullable://', 'docker://'] as const;
const BARE_SHA256_ID = /^[a-f0-9]{64}$/;

/** The images with each id once, the first listing counting (the same array when already so), and their ids. */
export function distinctImages<T extends { readonly id: string }>(images: readonly T[]): { readonly images: readonly T[]; readonly ids: ReadonlySet<string> } {
  const ids = new Set<string>();
  // Runtimes list each id once, so the copy is made only from the first repeat on.
  let distinct: T[] | undefined;
  for (let index = 0; index < images.length; index++) {
    const image = images[index];
    if (ids.has(image.id)) {
      distinct ??= images.slice(0, index);
      continue;
    }
    ids.add(image.id);
    distinct?.push(image);
  }
  return { images: distinct ?? images, ids };
}

/** `ids`: the images' ids, when the caller has the set already. */
export function findImagesInUse(
  images: readonly NodeImage[],
  containers: readonly NodeContainer[],
  ids: ReadonlySet<string> = distinctImages(images).ids,
): ImagesInUse {
  // Ids first: the kubelet's key, then any reference that is an id. Names (tags, digests) can
  // move between images, so they are the last resort.
  const resolved: (string | undefined)[] = new Array<string | undefined>(containers.length);
  const unresolved: Unresolved[] = [];
  for (let index = 0; index < containers.length; index++) {
    const container = containers[index];
    const kubeletKey = nonEmpty(container.imageId) ?? nonEmpty(container.imageRef);
    if (kubeletKey !== undefined && ids.has(kubeletKey)) {
      resolved[index] = kubeletKey;
      continue;
    }
    const references = referencesOf(container);
    resolved[index] = idAmong(references, ids);
    if (resolved[index] === undefined) unresolved.push({ index, references });
  }
  if (unresolved.length > 0) resolveByName(images, unresolved, resolved);

  const users = new Map<string, string[]>();
  for (let index = 0; index < containers.length; index++) {
    const imageId = resolved[index];
    if (imageId === undefined) continue;
    const list = users.get(imageId);
    if (list === undefined) users.set(imageId, [containers[index].id]);
    else list.push(containers[index].id);
  }
  return users;
}

interface Unresolved {
  /** Position in the container list. */
  readonly index: number;
  readonly references: readonly string[];
}

function idAmong(references: readonly string[], ids: ReadonlySet<string>): string | undefined {
  for (const reference of references) {
    if (ids.has(reference)) return reference;
    if (BARE_SHA256_ID.test(reference) && ids.has(`sha256:${reference}`)) return `sha256:${reference}`;
  }
  return undefined;
}

/**
 * Matches the unresolved containers' references against repository digests and tags. Rather than
 * index every name on the node, it looks for the few names wanted: most nodes have none.
 */
function resolveByName(images: readonly NodeImage[], unresolved: readonly Unresolved[], resolved: (string | undefined)[]): void {
  const wanted = new Set<string>();
  for (const { references } of unresolved) for (const reference of references) wanted.add(reference);
  const owners = new Map<string, string>();
  for (const image of images) {
    // The first image listed under a name keeps it; a runtime never lists one name twice.
    for (const name of image.repoDigests) if (wanted.has(name) && !owners.has(name)) owners.set(name, image.id);
    for (const name of image.repoTags) if (wanted.has(name) && !owners.has(name)) owners.set(name, image.id);
  }
  for (const { index, references } of unresolved) {
    for (const reference of references) {
      const owner = owners.get(reference);
      if (owner !== undefined) {
        resolved[index] = owner;
        break;
      }
    }
  }
}

/** The container's non-empty image references in order of authority, runtime prefixes removed. */
function referencesOf(container: NodeContainer): string[] {
  const references: string[] = [];
  for (const reference of [container.imageId, container.imageRef, container.image]) {
    if (reference !== undefined && reference !== '') references.push(stripRuntimePrefix(reference));
  }
  return references;
}

function stripRuntimePrefix(reference: string): string {
  for (const prefix of RUNTIME_PREFIXES) {
    if (reference.startsWith(prefix)) return reference.slice(prefix.length);
  }
  return reference;
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}
