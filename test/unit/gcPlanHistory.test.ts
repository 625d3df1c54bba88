// Image use history as the kubelet's detectImages keeps it, and its storage as JSON.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  IMAGE_HISTORY_VERSION,
  emptyImageHistory,
  readStoredImageHistory,
  updateImageHistory,
  type ImageHistory,
} from '../../client/src/cri/gc/imageHistory';
import type { NodeContainer, NodeImage } from '../../client/src/cri/gc/imagesInUse';

const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);
const MINUTE = 60_000;

function image(id: string): NodeImage {
  return { id, repoTags: [`registry.example/${id}:1`], repoDigests: [], size: 1000, pinned: false };
}

function uses(imageId: string, containerId = `ctr-${imageId}`): NodeContainer {
  return { id: containerId, imageRef: imageId };
}

describe('updateImageHistory: detectImages, observation by observation', () => {
  test('first observation: everything first detected now, in-use images last used now', () => {
    const history = updateImageHistory(undefined, [image('a'), image('b')], [uses('a')], T0);
    assert.deepEqual(history, {
      version: IMAGE_HISTORY_VERSION,
      trackingSince: T0,
      images: [
        { id: 'a', firstDetected: T0, lastUsed: T0 },
        { id: 'b', firstDetected: T0 },
      ],
    });
  });

  test('later observations keep firstDetected, move lastUsed only for images in use, and forget vanished images', () => {
    const first = updateImageHistory(undefined, [image('a'), image('b'), image('c')], [uses('a'), uses('b')], T0);
    const t1 = T0 + 5 * MINUTE;
    // b's container is gone, c was removed from the node, d is new.
    const second = updateImageHistory(first, [image('a'), image('b'), image('d')], [uses('a')], t1);
    assert.deepEqual(second, {
      version: IMAGE_HISTORY_VERSION,
      trackingSince: T0,
      images: [
        { id: 'a', firstDetected: T0, lastUsed: t1 },
        { id: 'b', firstDetected: T0, lastUsed: T0 },
        { id: 'd', firstDetected: t1 },
      ],
    });
  });

  test('an image removed and pulled again is detected anew', () => {
    const first = updateImageHistory(undefined, [image('a')], [], T0);
    const gone = updateImageHistory(first, [], [], T0 + MINUTE);
    const back = updateImageHistory(gone, [image('a')], [], T0 + 2 * MINUTE);
    assert.deepEqual(back.images, [{ id: 'a', firstDetected: T0 + 2 * MINUTE }]);
  });

  test('a container in any state counts, and several containers on one image count once', () => {
    const containers: NodeContainer[] = [uses('a', 'exited-1'), uses('a', 'running-2')];
    const history = updateImageHistory(undefined, [image('a')], containers, T0);
    assert.deepEqual(history.images, [{ id: 'a', firstDetected: T0, lastUsed: T0 }]);
  });

  test('an id listed twice gets one record', () => {
    const history = updateImageHistory(undefined, [image('a'), image('a')], [], T0);
    assert.deepEqual(history.images, [{ id: 'a', firstDetected: T0 }]);
  });

  test('the previous history is not modified', () => {
    const first = updateImageHistory(undefined, [image('a')], [], T0);
    const snapshot = JSON.stringify(first);
    updateImageHistory(first, [image('a'), image('b')], [uses('a')], T0 + MINUTE);
    assert.equal(JSON.stringify(first), snapshot);
  });
});

describe('readStoredImageHistory: JSON storage with a version', () => {
  const stored: ImageHistory = {
    version: IMAGE_HISTORY_VERSION,
    trackingSince: T0,
    images: [
      { id: 'sha256:aa', firstDetected: T0, lastUsed: T0 + MINUTE },
      { id: '__proto__', firstDetected: T0 },
      { id: 'constructor', firstDetected: T0 + MINUTE },
    ],
  };

  test('round-trips through JSON, as an object or as text, odd ids included', () => {
    const later = T0 + 60 * MINUTE;
    assert.deepEqual(readStoredImageHistory(JSON.parse(JSON.stringify(stored)), later), { history: stored });
    assert.deepEqual(readStoredImageHistory(JSON.stringify(stored), later), { history: stored });
  });

  test('nothing stored starts a new history without a problem', () => {
    assert.deepEqual(readStoredImageHistory(undefined, T0), { history: emptyImageHistory(T0) });
    assert.deepEqual(readStoredImageHistory(null, T0), { history: emptyImageHistory(T0) });
  });

  test('a null lastUsed means never seen in use', () => {
    const text = JSON.stringify({ version: 1, trackingSince: T0, images: [{ id: 'a', firstDetected: T0, lastUsed: null }] });
    assert.deepEqual(readStoredImageHistory(text, T0).history.images, [{ id: 'a', firstDetected: T0 }]);
  });

  const corrupt: readonly (readonly [name: string, value: unknown, reason: RegExp])[] = [
    ['text that is not JSON', '{"version":', /not valid JSON/],
    ['a number', 42, /not an object/],
    ['a list', [], /not an object/],
    ['another version', { ...stored, version: 2 }, /its version is 2, and this extension reads version 1/],
    ['no version', { trackingSince: T0, images: [] }, /its version is missing/],
    ['trackingSince that is not a time', { ...stored, trackingSince: '2025-01-06' }, /trackingSince is not a time/],
    ['images as an object', { ...stored, images: { a: { firstDetected: T0 } } }, /images field is not a list/],
    ['a record without an id', { ...stored, images: [{ firstDetected: T0 }] }, /image record 0 has no image id/],
    ['a record without firstDetected', { ...stored, images: [{ id: 'a' }] }, /image a has no valid firstDetected/],
    ['a lastUsed that is text', { ...stored, images: [{ id: 'a', firstDetected: T0, lastUsed: 'yesterday' }] }, /image a has an invalid lastUsed/],
    ['a non-finite time', { ...stored, images: [{ id: 'a', firstDetected: Number.POSITIVE_INFINITY }] }, /image a has no valid firstDetected/],
    ['two records for one image', { ...stored, images: [{ id: 'a', firstDetected: T0 }, { id: 'a', firstDetected: T0 }] }, /image a has two records/],
  ];
  for (const [name, value, reason] of corrupt) {
    test(`${name}: starts again now and says why`, () => {
      const result = readStoredImageHistory(value, T0 + MINUTE);
      assert.deepEqual(result.history, emptyImageHistory(T0 + MINUTE));
      assert.match(result.problem ?? '', reason);
      assert.match(result.problem ?? '', /tracking starts again now, so every image counts as first seen now\.$/);
    });
  }
});
