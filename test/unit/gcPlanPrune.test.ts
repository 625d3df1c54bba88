// Which images containers use (the kubelet's key, and the safety net beyond it), and prune as
// `crictl rmi --prune` does it.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { findImagesInUse, type NodeContainer, type NodeImage } from '../../client/src/cri/gc/imagesInUse';
import { planPrune } from '../../client/src/cri/gc/prunePlan';

const A_HEX = 'a'.repeat(64);
const B_HEX = 'b'.repeat(64);
const NGINX: NodeImage = {
  id: `sha256:${A_HEX}`,
  repoTags: ['docker.io/library/nginx:1.25'],
  repoDigests: [`docker.io/library/nginx@sha256:${'d'.repeat(64)}`],
  size: 70_000_000,
  pinned: false,
};
const APP: NodeImage = {
  id: `sha256:${B_HEX}`,
  repoTags: ['registry.example/app:2'],
  repoDigests: [`registry.example/app@sha256:${'e'.repeat(64)}`],
  size: 20_000_000,
  pinned: false,
};

describe('findImagesInUse', () => {
  const cases: readonly (readonly [name: string, container: Omit<NodeContainer, 'id'>, image: NodeImage | undefined])[] = [
    ['containerd 1.6: image_ref is the image id', { imageRef: NGINX.id }, NGINX],
    ['image_id wins over image_ref (CRI since 1.30)', { imageId: APP.id, imageRef: NGINX.id }, APP],
    ['an empty image_id falls back to image_ref, as the kubelet does', { imageId: '', imageRef: NGINX.id }, NGINX],
    ['older CRI-O: image_ref is a repository digest', { imageRef: NGINX.repoDigests[0] }, NGINX],
    ['a docker-pullable:// digest', { imageRef: `docker-pullable://${NGINX.repoDigests[0]}` }, NGINX],
    ['a docker:// id', { imageRef: `docker://${APP.id}` }, APP],
    ['a bare hex id in the image spec', { image: B_HEX }, APP],
    ['only a tag in the image spec', { image: 'registry.example/app:2' }, APP],
    ['the kubelet\'s key wins over the image spec', { imageRef: APP.id, image: 'docker.io/library/nginx:1.25' }, APP],
    ['an image that is gone', { imageRef: `sha256:${'f'.repeat(64)}` }, undefined],
    ['nothing to go by', {}, undefined],
  ];
  for (const [name, container, expected] of cases) {
    test(name, () => {
      const inUse = findImagesInUse([NGINX, APP], [{ id: 'ctr', ...container }]);
      assert.deepEqual([...inUse], expected === undefined ? [] : [[expected.id, ['ctr']]]);
    });
  }

  test('lists every container of an image, in listed order', () => {
    const inUse = findImagesInUse([NGINX, APP], [
      { id: 'exited', imageRef: NGINX.id },
      { id: 'app', imageRef: APP.id },
      { id: 'running', imageId: NGINX.id },
    ]);
    assert.deepEqual(inUse.get(NGINX.id), ['exited', 'running']);
    assert.deepEqual(inUse.get(APP.id), ['app']);
  });
});

describe('planPrune: unused and not pinned, all of them', () => {
  const PAUSE: NodeImage = { id: 'sha256:pause', repoTags: ['registry.k8s.io/pause:3.9'], repoDigests: [], size: 300_000, pinned: true };
  const DANGLING: NodeImage = { id: 'sha256:dangling', repoTags: [], repoDigests: [], size: 5_000_000, pinned: false };
  const PINNED_AND_USED: NodeImage = { id: 'sha256:both', repoTags: ['x/y:1'], repoDigests: [], size: 1, pinned: true };

  test('removes what no container uses and the runtime has not pinned, in listed order', () => {
    const plan = planPrune([NGINX, PAUSE, APP, DANGLING, PINNED_AND_USED], [
      { id: 'c1', imageRef: APP.id },
      { id: 'c2', imageRef: PINNED_AND_USED.id },
    ]);
    assert.deepEqual(plan.remove.map((removal) => removal.id), [NGINX.id, DANGLING.id]);
    assert.deepEqual(plan.keep.map((kept) => [kept.id, kept.reason]), [
      [PAUSE.id, 'pinned'],
      [APP.id, 'in-use'],
      [PINNED_AND_USED.id, 'in-use'],
    ]);
    assert.deepEqual(plan.keep.find((kept) => kept.id === APP.id)?.inUseBy, ['c1']);
    assert.equal(plan.freed, NGINX.size + DANGLING.size);
    assert.equal(plan.summary, 'Pruning removes 2 unused images, 75 MB; 3 stay (in use or pinned).');
  });

  test('nothing to prune', () => {
    const plan = planPrune([PAUSE], []);
    assert.deepEqual(plan.remove, []);
    assert.equal(plan.freed, 0);
    assert.equal(plan.summary, 'Every image is in use or pinned; nothing to prune.');
  });

  test('an empty node', () => {
    assert.deepEqual(planPrune([], []), { remove: [], keep: [], freed: 0, summary: 'Every image is in use or pinned; nothing to prune.' });
  });
});
