// The registry settings as a client sends them, the initialization options, and the host form
// both ends of `kubeImages/registryCredentials` key credentials by.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readInitializationOptions, registryHostOf } from '../../server/src/lsp/protocol';
import { DEFAULT_SETTINGS, parseSettings } from '../../server/src/lsp/settings';

describe('parseSettings: pinning and registries', () => {
  test('the defaults: no platform, no drift checks, no insecure registry, no node files', () => {
    const settings = parseSettings(undefined);
    assert.deepEqual(
      { pinPlatform: settings.pinPlatform, driftCheck: settings.driftCheck, registry: settings.registry },
      { pinPlatform: DEFAULT_SETTINGS.pinPlatform, driftCheck: false, registry: { insecure: [], certificateAuthorities: {}, useNodeCredentialFiles: false } },
    );
  });

  test('every field read', () => {
    const settings = parseSettings({
      pin: { platform: 'linux/arm64/v8' },
      drift: { check: true },
      registries: { insecure: [' registry.lan:5000 ', 'mirror'], certificateAuthorities: { 'registry.lan:5000': '/etc/ca.pem' } },
      credentials: { useNodeFiles: true },
    });
    assert.deepEqual(settings.pinPlatform, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.equal(settings.driftCheck, true);
    assert.deepEqual(settings.registry, {
      insecure: ['registry.lan:5000', 'mirror'],
      certificateAuthorities: { 'registry.lan:5000': '/etc/ca.pem' },
      useNodeCredentialFiles: true,
    });
  });

  test('values of the wrong type or form fall back to the defaults', () => {
    const settings = parseSettings({
      pin: { platform: 'amd64' },
      drift: { check: 'yes' },
      registries: { insecure: 'registry.lan', certificateAuthorities: { a: 1, b: '' } },
      credentials: { useNodeFiles: 1 },
    });
    assert.equal(settings.pinPlatform, undefined);
    assert.equal(settings.driftCheck, false);
    assert.deepEqual(settings.registry, { insecure: [], certificateAuthorities: {}, useNodeCredentialFiles: false });
  });
});

describe('readInitializationOptions', () => {
  const cases: readonly (readonly [sent: unknown, expected: ReturnType<typeof readInitializationOptions>])[] = [
    [undefined, {}],
    [{ workspaceTrusted: false, registryCredentials: true }, { workspaceTrusted: false, registryCredentials: true }],
    [{ workspaceTrusted: 'false' }, {}],
  ];
  for (const [sent, expected] of cases) {
    test(JSON.stringify(sent) ?? 'undefined', () => assert.deepEqual(readInitializationOptions(sent), expected));
  }
});

describe('registryHostOf', () => {
  const cases: readonly (readonly [typed: string, expected: string | undefined])[] = [
    ['ghcr.io', 'ghcr.io'],
    ['  GHCR.io ', 'ghcr.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['localhost:5000', 'localhost:5000'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['[::1]:5000', '[::1]:5000'],
    ['', undefined],
    ['user@registry.lan', undefined],
  ];
  for (const [typed, expected] of cases) {
    test(JSON.stringify(typed), () => assert.equal(registryHostOf(typed), expected));
  }
});
