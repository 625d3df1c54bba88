// Registry hosts: Docker Hub's API host, loopback detection, host-keyed settings, pull scopes.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  canonicalHost,
  isLoopbackHost,
  matchingHostEntry,
  registryApiHost,
  repositoryPullScope,
} from '../../server/src/registry/registryHost';

describe('registryApiHost: Docker Hub is served from registry-1.docker.io', () => {
  const cases: readonly (readonly [registry: string, apiHost: string])[] = [
    ['docker.io', 'registry-1.docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['registry.k8s.io', 'registry.k8s.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['[::1]:5000', '[::1]:5000'],
  ];
  for (const [registry, apiHost] of cases) {
    test(`${registry} → ${apiHost}`, () => assert.equal(registryApiHost(registry), apiHost));
  }
});

describe('repositoryPullScope', () => {
  const cases: readonly (readonly [repository: string, scope: string])[] = [
    ['library/nginx', 'repository:library/nginx:pull'],
    ['team/sub/app', 'repository:team/sub/app:pull'],
    ['a.b_c--d', 'repository:a.b_c--d:pull'],
  ];
  for (const [repository, scope] of cases) {
    test(`${repository} → ${scope}`, () => assert.equal(repositoryPullScope(repository), scope));
  }
});

describe('canonicalHost', () => {
  const cases: readonly (readonly [host: string, canonical: string | undefined])[] = [
    ['Registry.Example.com', 'registry.example.com'],
    ['registry.example.com:5000', 'registry.example.com:5000'],
    ['registry.example.com:80', 'registry.example.com:80'],
    ['127.0.0.1:05000', '127.0.0.1:5000'],
    ['[::1]', '[::1]'],
    ['[0:0:0:0:0:0:0:1]:5000', '[::1]:5000'],
    ['registry.example.com:99999', undefined],
    ['https://registry.example.com', undefined],
    ['registry.example.com/path', undefined],
    ['user@registry.example.com', undefined],
    ['', undefined],
  ];
  for (const [host, canonical] of cases) {
    test(`${JSON.stringify(host)} → ${canonical}`, () => assert.equal(canonicalHost(host), canonical));
  }
});

describe('isLoopbackHost: localhost, 127.0.0.0/8 and [::1], on any port', () => {
  const cases: readonly (readonly [host: string, loopback: boolean])[] = [
    ['localhost', true],
    ['localhost:5000', true],
    ['LOCALHOST:5000', true],
    ['127.0.0.1', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3:5000', true],
    ['[::1]', true],
    ['[::1]:5000', true],
    ['[0:0:0:0:0:0:0:1]:5000', true],
    ['localhost.example.com', false],
    ['mylocalhost', false],
    ['128.0.0.1', false],
    ['127.0.0.1.nip.io', false],
    ['10.0.0.1:5000', false],
    ['[::2]', false],
    ['registry.example.com', false],
    ['', false],
  ];
  for (const [host, loopback] of cases) {
    test(`${JSON.stringify(host)} → ${loopback}`, () => assert.equal(isLoopbackHost(host), loopback));
  }
});

describe('matchingHostEntry: exact host:port first, a port-less entry covers every port', () => {
  const cases: readonly (readonly [entries: readonly string[], host: string, match: string | undefined])[] = [
    [['registry.example.com:5000'], 'registry.example.com:5000', 'registry.example.com:5000'],
    [['registry.example.com:5000'], 'registry.example.com:5001', undefined],
    [['registry.example.com:5000'], 'registry.example.com', undefined],
    [['registry.example.com'], 'registry.example.com:5000', 'registry.example.com'],
    [['registry.example.com'], 'registry.example.com', 'registry.example.com'],
    [['registry.example.com', 'registry.example.com:5000'], 'registry.example.com:5000', 'registry.example.com:5000'],
    [['Registry.Example.com'], 'registry.example.com', 'Registry.Example.com'],
    [[' registry.example.com '], 'registry.example.com', ' registry.example.com '],
    [['other.example.com'], 'registry.example.com', undefined],
    [['example.com'], 'registry.example.com', undefined],
    [['[::1]'], '[::1]:5000', '[::1]'],
    [['not a host'], 'registry.example.com', undefined],
    [[], 'registry.example.com', undefined],
  ];
  for (const [entries, host, match] of cases) {
    test(`${JSON.stringify(entries)} for ${host} → ${match}`, () => assert.equal(matchingHostEntry(entries, host), match));
  }
});
