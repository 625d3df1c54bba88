// What the explorer shows of each image, derived once per listing: its names, which containers
// use it (any state, as the kubelet counts them), and when it was first seen and last used.
import type { CriContainer, CriImage } from '../../cri/criClient';
import { indexImageHistory, type ImageHistory } from '../../cri/gc/imageHistory';
import { findImagesInUse } from '../../cri/gc/imagesInUse';
import { shortImageId } from '../../nodes/nodeNames';
import type { NodeSnapshot } from '../../nodes/nodeSession';

export interface ImageEntry {
  readonly image: CriImage;
  /** The 12 hex digits crictl shows. */
  readonly shortId: string;
  /** Every tag, sorted, as the runtime spells them (fully qualified: `docker.io/library/nginx:1.25`). */
  readonly tags: readonly string[];
  /** The manifest digest the image was pulled by, from its first repository digest. */
  readonly digest: string | undefined;
  /** No tag names it any more. */
  readonly dangling: boolean;
  /** The containers using it, in every state. */
  readonly users: readonly CriContainer[];
  /** Milliseconds since the epoch; the listing's time for an image in use, undefined when never seen in use. */
  readonly lastUsed: number | undefined;
  readonly firstDetected: number | undefined;
}

export function imageEntries(snapshot: Pick<NodeSnapshot, 'images' | 'containers' | 'takenAt'>, history: ImageHistory | undefined): ImageEntry[] {
  const inUse = findImagesInUse(snapshot.images, snapshot.containers);
  const containers = new Map(snapshot.containers.map((container) => [container.id, container]));
  const records = history === undefined ? undefined : indexImageHistory(history);
  return snapshot.images.map((image) => {
    const users = (inUse.get(image.id) ?? []).flatMap((id) => containers.get(id) ?? []);
    const record = records?.get(image.id);
    const firstDigest = image.repoDigests[0];
    return {
      image,
      shortId: shortImageId(image.id),
      tags: image.repoTags.length < 2 ? image.repoTags : [...image.repoTags].sort(),
      digest: firstDigest === undefined || !firstDigest.includes('@') ? undefined : firstDigest.slice(firstDigest.indexOf('@') + 1),
      dangling: image.repoTags.length === 0,
      users,
      lastUsed: users.length > 0 ? snapshot.takenAt : record?.lastUsed,
      firstDetected: record?.firstDetected,
    };
  });
}

export interface ReferenceName {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  readonly registry: string;
  /** The name without tag or digest: `docker.io/library/nginx`. */
  readonly repository: string;
  /** The tag, or the digest for a digest reference. */
  readonly version: string;
}

/**
 * Splits a name as the runtime lists it (`registry/path:tag` or `registry/path@digest`). The
 * first segment is the registry when it looks like a host, as reference normalization decides;
 * otherwise the name is Docker Hub's.
 */
export function splitReference(reference: string): ReferenceName {
  const at = reference.indexOf('@');
  let repository: string;
  let version: string;
  if (at >= 0) {
    repository = reference.slice(0, at);
    version = reference.slice(at + 1);
  } else {
    const colon = reference.lastIndexOf(':');
    const tagged = colon > reference.lastIndexOf('/');
    repository = tagged ? reference.slice(0, colon) : reference;
    version = tagged ? reference.slice(colon + 1) : '';
  }
  const slash = repository.indexOf('/');
  const first = slash < 0 ? '' : repository.slice(0, slash);
  const registry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
  return { registry, repository, version };
}
