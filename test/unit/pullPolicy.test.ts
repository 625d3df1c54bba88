// imagePullPolicy values and the API server's defaulting (SetDefaults_Container, FACTS.md §2).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { PULL_POLICIES, defaultPullPolicy, isPullPolicy } from '../../server/src/core/pullPolicy';

const HEX64 = '7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa';

describe('defaultPullPolicy: Always exactly when the parsed tag is "latest"', () => {
  const cases: readonly (readonly [image: string, policy: 'Always' | 'IfNotPresent', why: string])[] = [
    // The table in FACTS.md §2.
    ['nginx', 'Always', 'no tag and no digest: latest is implied'],
    ['localhost:5000/app', 'Always', 'implied latest behind a registry with a port'],
    ['nginx:latest', 'Always', 'explicit latest'],
    ['nginx:Latest', 'IfNotPresent', 'tags are case-sensitive'],
    ['nginx:1.25', 'IfNotPresent', 'a fixed tag'],
    [`nginx@sha256:${HEX64}`, 'IfNotPresent', 'digest only: the tag is empty, not latest'],
    [`nginx:latest@sha256:${HEX64}`, 'Always', 'the tag is still latest when a digest follows'],
    ['Foo/Bar', 'IfNotPresent', 'unparseable: uppercase repository'],
    [`nginx@sha256:${HEX64.slice(0, 40)}`, 'IfNotPresent', 'unparseable: digest of the wrong length'],
    [HEX64, 'IfNotPresent', 'unparseable: a bare image ID'],
    // More of the same rule.
    ['nginx:LATEST', 'IfNotPresent', 'tags are case-sensitive'],
    ['nginx:latest-alpine', 'IfNotPresent', 'only the exact tag latest'],
    ['docker.io/library/nginx:latest', 'Always', 'fully qualified latest'],
    ['registry.k8s.io/pause', 'Always', 'implied latest on another registry'],
    ['registry.k8s.io/pause:3.9', 'IfNotPresent', 'a fixed tag on another registry'],
    ['localhost', 'Always', 'a bare "localhost" is the Docker Hub image library/localhost'],
    ['localhost:5000', 'IfNotPresent', 'a bare "localhost:5000" is library/localhost with tag 5000'],
    ['Docker/docker', 'Always', 'an uppercase first segment is a registry host, so this parses'],
    ['a_b.com/x', 'Always', 'parses with no domain; no tag means latest'],
    [`nginx:latest@sha256:${HEX64.slice(0, 40)}`, 'IfNotPresent', 'latest, but the digest makes the whole reference unparseable'],
    [`nginx@md5:${'a'.repeat(32)}`, 'IfNotPresent', 'unparseable: unsupported digest algorithm'],
    ['', 'IfNotPresent', 'empty: unparseable (validation rejects it anyway)'],
    [' nginx', 'IfNotPresent', 'whitespace is not trimmed, so this is unparseable'],
    ['nginx:latest ', 'IfNotPresent', 'a trailing space makes the tag invalid'],
  ];
  for (const [image, policy, why] of cases) {
    test(`${JSON.stringify(image.length > 60 ? `${image.slice(0, 40)}…` : image)} → ${policy} (${why})`, () => {
      assert.equal(defaultPullPolicy(image), policy);
    });
  }
});

describe('isPullPolicy: the three values, exactly', () => {
  const cases: readonly (readonly [value: string, valid: boolean])[] = [
    ['Always', true],
    ['IfNotPresent', true],
    ['Never', true],
    ['always', false],
    ['ALWAYS', false],
    ['ifNotPresent', false],
    ['IfnotPresent', false],
    ['never', false],
    ['', false],
    [' Always', false],
    ['Always ', false],
    ['IfNotPresent\n', false],
    ['Sometimes', false],
  ];
  for (const [value, valid] of cases) {
    test(`${JSON.stringify(value)} → ${valid}`, () => assert.equal(isPullPolicy(value), valid));
  }

  test('PULL_POLICIES lists them in the API documentation order', () => {
    assert.deepEqual(PULL_POLICIES, ['Always', 'IfNotPresent', 'Never']);
  });
});
