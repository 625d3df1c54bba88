/**
 * When each image on a node was first seen and last seen in use: the memory the kubelet keeps
 * in `imageRecords` and updates in `detectImages` (pkg/kubelet/images/image_gc_manager.go).
 * Runtimes keep neither time, so we track them ourselves, per node, whenever we list the node,
 * and store the result as JSON in the extension's storage.
 *
 * Rules, as the kubelet applies them:
 * - an image id seen for the first time gets `firstDetected = now`, once; it keeps it until the
 *   image disappears (an image removed and pulled again is new again);
 * - an image any container references (every container state) gets `lastUsed = now`; an image
 *   never seen in use has no `lastUsed`, which sorts before every time, like Go's zero time;
 * - images no longer listed are forgotten.
 *
 * `trackingSince` is when this history began. It plays the part of the kubelet's start: the
 * kubelet knows nothing about use before it started, and neither do we before that moment.
 */
import { distinctImages, findImagesInUse, type ImagesInUse, type NodeContainer, type NodeImage } from './imagesInUse';

export const IMAGE_HISTORY_VERSION = 1;

export interface ImageUsageRecord {
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly firstDetected: number;
  /** Milliseconds since the epoch; absent while the image has never been seen in use. */
  readonly lastUsed?: number;
}

/**
 * Plain JSON as stored. The records are a list rather than an object keyed by id because a
 * node can hold thousands of images and an object with that many keys is slow to build and read.
 */
export interface ImageHistory {
  readonly version: typeof IMAGE_HISTORY_VERSION;
  /** Milliseconds since the epoch when tracking of this node began. */
  readonly trackingSince: number;
  /** One record per image id. */
  readonly images: readonly ImageUsageRecord[];
}

export interface StoredImageHistory {
  readonly history: ImageHistory;
  /** Why the stored value was not usable and tracking starts again; absent when it was, or when nothing was stored. */
  readonly problem?: string;
}

export function emptyImageHistory(now: number): ImageHistory {
  return { version: IMAGE_HISTORY_VERSION, trackingSince: now, images: [] };
}

/** The records by image id, for lookups. */
export function indexImageHistory(history: ImageHistory): ReadonlyMap<string, ImageUsageRecord> {
  const index = new Map<string, ImageUsageRecord>();
  for (const record of history.images) index.set(record.id, record);
  return index;
}

/** One observation of the node: the kubelet's `detectImages` at `now`. Returns a new history. */
export function updateImageHistory(
  previous: ImageHistory | undefined,
  images: readonly NodeImage[],
  containers: readonly NodeContainer[],
  now: number,
): ImageHistory {
  const distinct = distinctImages(images);
  return updateImageHistoryWithUse(previous, distinct.images, findImagesInUse(distinct.images, containers, distinct.ids), now);
}

/**
 * {@link updateImageHistory} for a caller that already knows which images are in use and lists
 * each image id once (as runtimes do; see {@link distinctImages}). The new records follow the
 * order of `images`.
 */
export function updateImageHistoryWithUse(
  previous: ImageHistory | undefined,
  images: readonly Pick<NodeImage, 'id'>[],
  inUse: ImagesInUse,
  now: number,
): ImageHistory {
  const known = previous === undefined ? undefined : indexImageHistory(previous);
  const records: ImageUsageRecord[] = new Array<ImageUsageRecord>(images.length);
  for (let index = 0; index < images.length; index++) {
    const { id } = images[index];
    const record = known?.get(id);
    if (!inUse.has(id)) {
      // Records are immutable, so an unchanged one is shared with the previous history.
      records[index] = record ?? { id, firstDetected: now };
    } else {
      records[index] = { id, firstDetected: record === undefined ? now : record.firstDetected, lastUsed: now };
    }
  }
  return { version: IMAGE_HISTORY_VERSION, trackingSince: previous?.trackingSince ?? now, images: records };
}

/**
 * Reads what the extension stored (the history object, or its JSON text). Nothing stored starts
 * a new history quietly; anything unreadable, of another version, or with a malformed record also
 * starts a new one, and says why, because every image then counts as first seen now.
 */
export function readStoredImageHistory(stored: unknown, now: number): StoredImageHistory {
  if (stored === undefined || stored === null) return { history: emptyImageHistory(now) };
  let value: unknown = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored) as unknown;
    } catch (error) {
      return restart(now, `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (!isObject(value)) return restart(now, 'it is not an object');
  if (value.version !== IMAGE_HISTORY_VERSION) {
    return restart(now, `its version is ${JSON.stringify(value.version) ?? 'missing'}, and this extension reads version ${IMAGE_HISTORY_VERSION}`);
  }
  if (!isTime(value.trackingSince)) return restart(now, 'its trackingSince is not a time');
  if (!Array.isArray(value.images)) return restart(now, 'its images field is not a list');
  const records: ImageUsageRecord[] = [];
  const ids = new Set<string>();
  for (const [position, record] of (value.images as unknown[]).entries()) {
    if (!isObject(record) || typeof record.id !== 'string' || record.id === '') {
      return restart(now, `image record ${position} has no image id`);
    }
    const { id, firstDetected, lastUsed } = record;
    if (ids.has(id)) return restart(now, `image ${id} has two records`);
    ids.add(id);
    if (!isTime(firstDetected)) return restart(now, `the record of image ${id} has no valid firstDetected time`);
    if (lastUsed === undefined || lastUsed === null) records.push({ id, firstDetected });
    else if (isTime(lastUsed)) records.push({ id, firstDetected, lastUsed });
    else return restart(now, `the record of image ${id} has an invalid lastUsed time`);
  }
  return { history: { version: IMAGE_HISTORY_VERSION, trackingSince: value.trackingSince, images: records } };
}

function restart(now: number, reason: string): StoredImageHistory {
  return {
    history: emptyImageHistory(now),
    problem: `The stored image history could not be used because ${reason}; tracking starts again now, so every image counts as first seen now.`,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
