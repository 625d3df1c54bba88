// Removing images safely. containerd's RemoveImage deletes an image even while a container uses
// it (verified against containerd 1.6), and it removes every tag of the image at once; the
// kubelet protects in-use and pinned images itself, so we must too. Every removal is judged on
// the node as it is just before the call, not on the listing the user looked at: a container may
// have started since, and GC and prune act on plans made earlier.
import type { CriContainer, CriImage } from '../cri/criClient';
import { CriError } from '../cri/errors';
import { findImagesInUse } from '../cri/gc/imagesInUse';
import { describeContainer } from './nodeNames';
import type { NodeConnection } from './nodeSession';

/** Why an image must not be removed without `force`. */
export type RemovalRefusal =
  | { readonly reason: 'in-use'; readonly containers: readonly CriContainer[] }
  | { readonly reason: 'pinned' };

/** What removing one image would do, judged on a listing, for the confirmation. */
export interface RemovalCandidate {
  readonly image: CriImage;
  /** Set when the image would be refused. */
  readonly refusal: RemovalRefusal | undefined;
}

/** Judges each of `ids` on a listing; ids the listing does not hold are left out. */
export function judgeRemovals(images: readonly CriImage[], containers: readonly CriContainer[], ids: readonly string[]): RemovalCandidate[] {
  const byId = new Map(images.map((image) => [image.id, image]));
  const wanted = [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
  const inUse = findImagesInUse(wanted, containers);
  const containersById = new Map(containers.map((container) => [container.id, container]));
  return wanted.map((image) => ({ image, refusal: refusalOf(image, inUse.get(image.id), containersById) }));
}

function refusalOf(
  image: CriImage,
  users: readonly string[] | undefined,
  containers: ReadonlyMap<string, CriContainer>,
): RemovalRefusal | undefined {
  if (users !== undefined) return { reason: 'in-use', containers: users.flatMap((id) => containers.get(id) ?? []) };
  if (image.pinned) return { reason: 'pinned' };
  return undefined;
}

/** Why an image stays, completing "… is kept: ". */
export function describeRefusal(refusal: RemovalRefusal): string {
  if (refusal.reason === 'pinned') return 'it is pinned by the runtime (like the pod sandbox image); the kubelet never removes a pinned image';
  const names = refusal.containers.map((container) => describeContainer(container));
  const users = names.length === 1 ? `container ${names[0]}` : `${names.length} containers: ${names.join(', ')}`;
  return `it is in use by ${users}; the runtime would delete it from under them`;
}

export type RemovalResult =
  /** `overridden`: the refusal `force` overrode. */
  | { readonly outcome: 'removed'; readonly image: CriImage; readonly overridden?: RemovalRefusal }
  | { readonly outcome: 'refused'; readonly image: CriImage; readonly refusal: RemovalRefusal }
  /** No longer on the node: something else removed it meanwhile. Nothing to do, nothing freed. */
  | { readonly outcome: 'gone'; readonly id: string }
  | { readonly outcome: 'failed'; readonly id: string; readonly error: Error };

export interface RemovalOptions {
  /** Remove in-use and pinned images too (the CLI's `--force`). */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Removes one image (by id or any reference the runtime resolves) unless, looked at now, a
 * container uses it or it is pinned. A cancelled signal rejects; any other failure is a result.
 */
export async function removeImageChecked(connection: NodeConnection, reference: string, options: RemovalOptions = {}): Promise<RemovalResult> {
  const { signal } = options;
  try {
    const [status, containers] = await Promise.all([
      connection.images.imageStatus(reference, { signal }),
      connection.runtime.listContainers({ signal }),
    ]);
    const image = status.image;
    if (image === undefined) return { outcome: 'gone', id: reference };
    const refusal = refusalOf(image, findImagesInUse([image], containers).get(image.id), new Map(containers.map((container) => [container.id, container])));
    if (refusal !== undefined && options.force !== true) return { outcome: 'refused', image, refusal };
    await connection.images.removeImage(image.id, { signal });
    return refusal === undefined ? { outcome: 'removed', image } : { outcome: 'removed', image, overridden: refusal };
  } catch (error) {
    if (isCancellation(error, signal)) throw error;
    return { outcome: 'failed', id: reference, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

export interface RemovalProgress {
  /** Images handled so far, this one not counted. */
  readonly done: number;
  readonly total: number;
  /** The image about to be handled. */
  readonly reference: string;
}

/**
 * Removes images one after the other, each checked just before its removal, carrying on past
 * refusals and failures; stops at cancellation (rejecting) with the images handled so far removed.
 */
export async function removeImagesChecked(
  connection: NodeConnection,
  references: readonly string[],
  options: RemovalOptions & { readonly onProgress?: (progress: RemovalProgress) => void } = {},
): Promise<RemovalResult[]> {
  const results: RemovalResult[] = [];
  for (const [done, reference] of references.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.({ done, total: references.length, reference });
    results.push(await removeImageChecked(connection, reference, options));
  }
  return results;
}

/** Bytes the removed images took, as the runtime reported their sizes. */
export function freedBytes(results: readonly RemovalResult[]): number {
  let freed = 0;
  for (const result of results) if (result.outcome === 'removed') freed += result.image.size;
  return freed;
}

function isCancellation(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof CriError && error.kind === 'cancelled');
}
