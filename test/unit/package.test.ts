// The package a user installs: `npm run package` builds a VSIX whose files are exactly what the
// allow-list lets in, under 2 MB, with production bundles; and the manifest follows VS Code's
// conventions (activation, extension kind, trust, localised titles, categories, scopes).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readZip } from '../support/zip';

const root = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const MAX_VSIX_BYTES = 2 * 1024 * 1024;

interface Manifest {
  name: string;
  main: string;
  version: string;
  icon: string;
  activationEvents: string[];
  extensionKind: string[];
  capabilities: Record<string, { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] }>;
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    views: Record<string, { id: string; name: string; icon?: string }[]>;
    viewsContainers: Record<string, { id: string; title: string; icon: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
    walkthroughs: { id: string; title: string; description: string; steps: { id: string; title: string; description: string; media: { markdown?: string; image?: string } }[] }[];
    configuration: { title: string; properties: Record<string, Setting> };
  };
}

interface Setting {
  scope?: string;
  description?: string;
  markdownDescription?: string;
  enum?: unknown[];
  enumDescriptions?: string[];
  markdownEnumDescriptions?: string[];
}

/** Files under `folder` (relative to the repository), recursively, as `folder/…` paths. */
function filesUnder(folder: string): string[] {
  const absolute = join(root, folder);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/** The allow-list of .vscodeignore, applied to the repository by hand: what the package must hold. */
function allowedFiles(): string[] {
  return [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    'dist/extension.js',
    'dist/server.js',
    'dist/cli.js',
    ...filesUnder('syntaxes').filter((file) => /^syntaxes\/[^/]+\.tmLanguage\.json$/.test(file)),
    ...filesUnder('media'),
    ...readdirSync(root).filter((file) => /^package\.nls.*\.json$/.test(file)),
  ].sort();
}

/** vsce renames these inside the VSIX (its readme, changelog and license processors). */
const PACKAGED_NAMES: Readonly<Record<string, string>> = { 'README.md': 'readme.md', 'CHANGELOG.md': 'changelog.md', LICENSE: 'LICENSE.txt' };

test('npm run package builds a VSIX of exactly the allow-listed files, under 2 MB, from production bundles', { timeout: 120_000 }, () => {
  const directory = mkdtempSync(join(tmpdir(), 'kube-images-package-test-'));
  try {
    const out = join(directory, `${manifest.name}-${manifest.version}.vsix`);
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', out, '--json'], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { vsix: string; bytes: number; files: string[] };
    assert.equal(report.vsix, out);
    assert.deepEqual([...report.files].sort(), allowedFiles(), '`vsce ls` lists what .vscodeignore allows, nothing else');

    const archive = readFileSync(out);
    assert.equal(report.bytes, archive.length);
    assert.ok(archive.length < MAX_VSIX_BYTES, `the VSIX is ${archive.length} bytes`);
    const entries = readZip(archive);
    assert.deepEqual(
      [...entries.keys()].sort(),
      ['[Content_Types].xml', 'extension.vsixmanifest', ...report.files.map((file) => `extension/${PACKAGED_NAMES[file] ?? file}`)].sort(),
      'the VSIX holds the listed files and the VSIX metadata: no node_modules, no .proto',
    );
    for (const bundle of ['dist/extension.js', 'dist/server.js', 'dist/cli.js']) {
      const code = entries.get(`extension/${bundle}`)!.toString('utf8');
      assert.ok(!code.includes('sourceMappingURL'), `${bundle} carries no source map`);
      // A minified bundle has a few very long lines; a development build has one per statement.
      assert.ok(code.length / code.split('\n').length > 500, `${bundle} is minified`);
    }
    const packaged = JSON.parse(entries.get('extension/package.json')!.toString('utf8')) as Manifest;
    assert.equal(packaged.main, './dist/extension.js');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('activation: on YAML and on the contributed views and commands only, never on start-up', () => {
  const contributed = new Set([
    'onLanguage:yaml',
    ...manifest.contributes.commands.map(({ command }) => `onCommand:${command}`),
    ...Object.values(manifest.contributes.views).flat().map(({ id }) => `onView:${id}`),
  ]);
  assert.ok(manifest.activationEvents.includes('onLanguage:yaml'));
  for (const event of manifest.activationEvents) assert.ok(contributed.has(event), `unexpected activation event ${event}`);
});

test('the extension runs where the workspace is, and is limited in untrusted and virtual workspaces', () => {
  assert.deepEqual(manifest.extensionKind, ['workspace']);
  for (const kind of ['untrustedWorkspaces', 'virtualWorkspaces']) {
    const capability = manifest.capabilities[kind]!;
    assert.equal(capability.supported, 'limited', kind);
    assert.ok(localized(capability.description), `${kind} says what is limited`);
  }
  const settings = new Set(Object.keys(manifest.contributes.configuration.properties));
  for (const restricted of manifest.capabilities['untrustedWorkspaces']!.restrictedConfigurations ?? []) assert.ok(settings.has(restricted), restricted);
});

test('every command has the kubeImages prefix, a category, a localised title, and an implementation', () => {
  const sources = filesUnder('client/src').filter((file) => file.endsWith('.ts')).map((file) => readFileSync(join(root, file), 'utf8')).join('\n');
  for (const command of manifest.contributes.commands) {
    assert.match(command.command, /^kubeImages\./);
    assert.ok(localized(command.title), `${command.command}: title ${command.title}`);
    assert.ok(localized(command.category), `${command.command}: category ${command.category}`);
    assert.ok(sources.includes(`'${command.command}'`), `${command.command} is registered by the extension`);
  }
  const commands = new Map(manifest.contributes.commands.map((command) => [command.command, command]));
  for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
    for (const item of items) {
      const command = commands.get(item.command);
      assert.ok(command, `${menu} names the contributed command ${item.command}`);
      // Buttons in a view's title bar or on an item show only an icon.
      if (menu === 'view/title' && item.group?.startsWith('navigation')) assert.ok(command.icon, `${item.command} has an icon for ${menu}`);
      if (menu === 'view/item/context' && item.group?.startsWith('inline')) assert.ok(command.icon, `${item.command} has an icon for ${menu}`);
    }
  }
});

test('every setting has a localised description and a scope; endpoints and registries are machine-scoped', () => {
  const properties = manifest.contributes.configuration.properties;
  for (const [key, setting] of Object.entries(properties)) {
    assert.match(key, /^kubeImages\./);
    assert.ok(localized(setting.markdownDescription ?? setting.description), `${key} is described`);
    assert.ok(setting.scope, `${key} has a scope`);
    for (const description of setting.enumDescriptions ?? setting.markdownEnumDescriptions ?? []) assert.ok(localized(description), `${key}: ${description}`);
  }
  for (const key of ['kubeImages.endpoints', 'kubeImages.registries.insecure', 'kubeImages.registries.certificateAuthorities']) {
    assert.equal(properties[key]?.scope, 'machine', key);
  }
});

test('every user-visible string of the manifest is localised, and every key of package.nls.json is used', () => {
  const text = readFileSync(join(root, 'package.json'), 'utf8');
  const used = new Set([...text.matchAll(/"%([^%"]+)%"/g)].map((match) => match[1]!));
  assert.deepEqual([...used].filter((key) => !(key in nls)), [], 'keys missing from package.nls.json');
  assert.deepEqual(Object.keys(nls).filter((key) => !used.has(key)), [], 'keys of package.nls.json nothing uses');
  const { contributes } = manifest;
  const visible = [
    manifest.capabilities['untrustedWorkspaces']!.description,
    manifest.capabilities['virtualWorkspaces']!.description,
    contributes.configuration.title,
    ...Object.values(contributes.viewsContainers).flat().map((container) => container.title),
    ...Object.values(contributes.views).flat().map((view) => view.name),
    ...contributes.viewsWelcome.map((welcome) => welcome.contents),
    ...contributes.walkthroughs.flatMap((walkthrough) => [walkthrough.title, walkthrough.description, ...walkthrough.steps.flatMap((step) => [step.title, step.description])]),
  ];
  for (const value of visible) assert.match(value ?? '', /^%[^%]+%$/, `not localised: ${value}`);
});

test('the icons, walkthrough pages and README images the manifest points to exist', () => {
  const png = readFileSync(join(root, manifest.icon));
  // PNG signature, then the IHDR chunk: width and height as 32-bit big-endian integers.
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  const icons = Object.values(manifest.contributes.viewsContainers).flat().map((container) => container.icon);
  const pages = manifest.contributes.walkthroughs.flatMap((walkthrough) => walkthrough.steps.map((step) => step.media.markdown ?? step.media.image!));
  for (const file of [...icons, ...pages]) assert.ok(existsSync(join(root, file)), file);
  for (const page of pages.filter((file) => file.endsWith('.md'))) {
    for (const [, image] of readFileSync(join(root, page), 'utf8').matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)) assert.ok(existsSync(join(root, page, '..', image!)), `${page}: ${image}`);
  }
  const readmeImages = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)].map((match) => match[1]!);
  assert.ok(readmeImages.length >= 4, 'the README shows the product');
  for (const image of readmeImages) {
    assert.match(image, /^media\//, `${image} is shipped with the package`);
    assert.ok(existsSync(join(root, image)), image);
  }
});

/** A `%key%` placeholder whose key package.nls.json defines with a non-empty text. */
function localized(value: string | undefined): boolean {
  const key = /^%([^%]+)%$/.exec(value ?? '')?.[1];
  return key !== undefined && typeof nls[key] === 'string' && nls[key] !== '';
}
