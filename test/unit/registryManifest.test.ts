// Manifests and registry answers: media types, digests, index platforms, error codes.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  digestOf,
  isDigest,
  isIndexMediaType,
  MANIFEST_ACCEPT,
  mediaTypeInBody,
  mediaTypeOf,
  parseIndexManifests,
  registryErrorCodes,
  selectPlatformManifest,
  type PlatformManifest,
} from '../../server/src/registry/manifest';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const digest = (character: string): string => `sha256:${character.repeat(64)}`;

describe('the Accept list names every manifest kind, indexes first', () => {
  test('order and content', () => {
    assert.deepEqual(MANIFEST_ACCEPT.split(', '), [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ]);
  });
  test('isIndexMediaType', () => {
    assert.deepEqual(MANIFEST_ACCEPT.split(', ').map(isIndexMediaType), [true, false, true, false]);
  });
});

describe('mediaTypeOf: Content-Type without parameters', () => {
  const cases: readonly (readonly [contentType: string | undefined, mediaType: string | undefined])[] = [
    ['application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.index.v1+json'],
    ['application/vnd.oci.image.index.v1+json; charset=utf-8', 'application/vnd.oci.image.index.v1+json'],
    [' Application/JSON ;q=1', 'application/json'],
    ['', undefined],
    [';charset=utf-8', undefined],
    [undefined, undefined],
  ];
  for (const [contentType, mediaType] of cases) {
    test(`${JSON.stringify(contentType)} → ${mediaType}`, () => assert.equal(mediaTypeOf(contentType), mediaType));
  }
});

describe('digests', () => {
  const cases: readonly (readonly [value: string, valid: boolean])[] = [
    [digest('a'), true],
    [`sha384:${'a'.repeat(96)}`, true],
    [`sha512:${'a'.repeat(128)}`, true],
    [`sha256:${'A'.repeat(64)}`, false],
    [`sha256:${'a'.repeat(63)}`, false],
    [`sha512:${'a'.repeat(64)}`, false],
    [`md5:${'a'.repeat(32)}`, false],
    ['sha256:', false],
    ['latest', false],
  ];
  for (const [value, valid] of cases) {
    test(`isDigest(${value.slice(0, 20)}…) → ${valid}`, () => assert.equal(isDigest(value), valid));
  }

  test('digestOf hashes with sha256, or with the algorithm of the digest it is compared with', () => {
    const bytes = Buffer.from('{"schemaVersion":2}');
    assert.equal(digestOf(bytes), `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    assert.equal(digestOf(bytes, `sha512:${'0'.repeat(128)}`), `sha512:${createHash('sha512').update(bytes).digest('hex')}`);
    assert.equal(digestOf(bytes, `sha384:${'0'.repeat(96)}`), `sha384:${createHash('sha384').update(bytes).digest('hex')}`);
  });
});

describe('parseIndexManifests', () => {
  test('platform entries in order, variant only when present', () => {
    const index = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('a'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('b'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('c'), size: 1, platform: { os: 'windows', architecture: 'amd64', variant: '' } },
      ],
    });
    assert.deepEqual(parseIndexManifests(index), [
      { os: 'linux', architecture: 'amd64', digest: digest('a') },
      { os: 'linux', architecture: 'arm64', variant: 'v8', digest: digest('b') },
      { os: 'windows', architecture: 'amd64', digest: digest('c') },
    ]);
  });

  test('attestation manifests and entries without a platform are left out', () => {
    const index = json({
      manifests: [
        { digest: digest('a'), platform: { os: 'linux', architecture: 'amd64' } },
        {
          digest: digest('b'),
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': digest('a') },
        },
        { digest: digest('c') },
      ],
    });
    assert.deepEqual(parseIndexManifests(index), [{ os: 'linux', architecture: 'amd64', digest: digest('a') }]);
  });

  const malformed: readonly (readonly [body: Buffer, why: string])[] = [
    [Buffer.from('not json'), 'not JSON'],
    [json([]), 'an array'],
    [json({ schemaVersion: 2 }), 'no manifests'],
    [json({ manifests: {} }), 'manifests not a list'],
    [json({ manifests: ['x'] }), 'an entry that is not an object'],
    [json({ manifests: [{ digest: 'sha256:short', platform: { os: 'linux', architecture: 'amd64' } }] }), 'an invalid digest'],
    [json({ manifests: [{ digest: digest('a'), platform: { os: 'linux' } }] }), 'a platform without architecture'],
  ];
  for (const [body, why] of malformed) {
    test(`undefined for ${why}`, () => assert.equal(parseIndexManifests(body), undefined));
  }
});

describe('selectPlatformManifest: containerd-normalised comparison', () => {
  const offered: PlatformManifest[] = [
    { os: 'linux', architecture: 'amd64', digest: digest('1') },
    { os: 'linux', architecture: 'arm64', variant: 'v8', digest: digest('2') },
    { os: 'linux', architecture: 'arm', variant: 'v7', digest: digest('3') },
    { os: 'linux', architecture: 'arm', variant: 'v6', digest: digest('4') },
    { os: 'windows', architecture: 'amd64', digest: digest('5') },
  ];
  const cases: readonly (readonly [wanted: { os: string; architecture: string; variant?: string }, expected: string | undefined])[] = [
    [{ os: 'linux', architecture: 'amd64' }, digest('1')],
    [{ os: 'linux', architecture: 'x86_64' }, digest('1')],
    [{ os: 'linux', architecture: 'amd64', variant: 'v1' }, digest('1')],
    [{ os: 'linux', architecture: 'amd64', variant: 'v3' }, undefined],
    [{ os: 'linux', architecture: 'arm64' }, digest('2')],
    [{ os: 'linux', architecture: 'aarch64' }, digest('2')],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, digest('2')],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, digest('4')],
    [{ os: 'linux', architecture: 'arm', variant: '7' }, digest('3')],
    [{ os: 'linux', architecture: 'armhf' }, digest('3')],
    [{ os: 'linux', architecture: 'arm' }, digest('3')],
    [{ os: 'Windows', architecture: 'AMD64' }, digest('5')],
    [{ os: 'linux', architecture: 's390x' }, undefined],
    [{ os: 'darwin', architecture: 'arm64' }, undefined],
  ];
  for (const [wanted, expected] of cases) {
    test(`${JSON.stringify(wanted)} → ${expected?.slice(-1) ?? 'none'}`, () => {
      assert.equal(selectPlatformManifest(offered, wanted)?.digest, expected);
    });
  }

  test('arm64 without a variant in the index matches a wanted v8', () => {
    const plain: PlatformManifest[] = [{ os: 'linux', architecture: 'arm64', digest: digest('9') }];
    assert.equal(selectPlatformManifest(plain, { os: 'linux', architecture: 'arm64', variant: 'v8' })?.digest, digest('9'));
  });
});

describe('registry answers', () => {
  test('registryErrorCodes reads every code of an OCI error body', () => {
    const body = json({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }, { code: 'DENIED' }, { message: 'no code' }] });
    assert.deepEqual(registryErrorCodes(body), ['NAME_UNKNOWN', 'DENIED']);
    assert.deepEqual(registryErrorCodes(Buffer.from('')), []);
    assert.deepEqual(registryErrorCodes(json({ errors: 'nope' })), []);
  });

  test('mediaTypeInBody reads the mediaType field', () => {
    assert.equal(mediaTypeInBody(json({ mediaType: 'application/vnd.oci.image.index.v1+json' })), 'application/vnd.oci.image.index.v1+json');
    assert.equal(mediaTypeInBody(json({ schemaVersion: 2 })), undefined);
    assert.equal(mediaTypeInBody(Buffer.from('garbage')), undefined);
  });
});
