// Registry error messages tell users which setting, flag or command fixes their problem:
// every name they quote must exist, or the advice sends people nowhere.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USAGE } from '../../server/src/cli/args';
import { REGISTRY_HINTS } from '../../server/src/registry/registryErrors';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> }; commands: { command: string; title: string; category?: string }[] };
};
const nls = (() => {
  try {
    return JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.nls.json'), 'utf8')) as Record<string, string>;
  } catch {
    return {} as Record<string, string>;
  }
})();

test('the settings registry errors name are contributed', () => {
  const settings = Object.keys(manifest.contributes.configuration.properties);
  assert.ok(settings.includes(REGISTRY_HINTS.insecureRegistriesSetting), REGISTRY_HINTS.insecureRegistriesSetting);
  assert.ok(settings.includes(REGISTRY_HINTS.certificateAuthoritiesSetting), REGISTRY_HINTS.certificateAuthoritiesSetting);
});

test('the CLI flags registry errors name are in the usage text', () => {
  assert.ok(USAGE.includes(REGISTRY_HINTS.insecureRegistryFlag));
  assert.ok(USAGE.includes(REGISTRY_HINTS.certificateAuthorityFlag));
});

test('the command registry errors name is contributed under that title', () => {
  const titles = manifest.contributes.commands.map((command) => {
    const title = command.title.startsWith('%') ? nls[command.title.slice(1, -1)] ?? command.title : command.title;
    const category = command.category?.startsWith('%') ? nls[command.category.slice(1, -1)] : command.category;
    return category === undefined ? title : `${category}: ${title}`;
  });
  assert.ok(titles.includes(REGISTRY_HINTS.addCredentialsCommand), `${REGISTRY_HINTS.addCredentialsCommand} in ${titles.join(', ')}`);
});
