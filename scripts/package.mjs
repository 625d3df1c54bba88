// Packages the extension: `npm run package` writes kube-images-<version>.vsix with @vscode/vsce.
//
// The VSIX is made in a staging copy of the repository whose dist/ holds production bundles
// (minified, no source maps), so packaging never rewrites the development bundles that tests and
// the debugger use. What goes in is decided by .vscodeignore (an allow-list) alone: the staging
// copy leaves out only build output and installed modules, which no package may contain.
//
//   node scripts/package.mjs [--out FILE] [--json]
//
// --out   where to write the VSIX (default: kube-images-<version>.vsix in the repository root)
// --json  print { vsix, bytes, files } on stdout, `files` being `vsce ls` of the staged extension;
//         vsce's own output then goes to stderr
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: options } = parseArgs({ options: { out: { type: 'string' }, json: { type: 'boolean', default: false } } });
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = resolve(options.out ?? join(root, `${name}-${version}.vsix`));
const vsce = join(root, 'node_modules', '.bin', 'vsce');

/** Never copied to the staging folder: build output, dependencies, history, earlier packages. */
const notStaged = new Set(['node_modules', 'out', 'dist', '.git', 'test-results', '.vscode-test']);

function run(program, args, cwd) {
  const result = spawnSync(program, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error) throw result.error;
  // With --json, stdout is ours; everything the tools print is progress for stderr.
  (options.json ? process.stderr : process.stdout).write(result.stdout);
  if (result.status !== 0) throw new Error(`${basename(program)} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return result.stdout;
}

const staging = mkdtempSync(join(tmpdir(), 'kube-images-package-'));
try {
  for (const entry of readdirSync(root)) {
    if (notStaged.has(entry) || entry.endsWith('.vsix')) continue;
    cpSync(join(root, entry), join(staging, entry), { recursive: true });
  }
  run(process.execPath, [join(root, 'scripts', 'generate-cri.mjs')], root);
  run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production', `--outdir=${join(staging, 'dist')}`], root);
  // The package has no repository to rewrite README links against: relative links stay relative,
  // which VS Code resolves inside the installed extension, where media/ is.
  const listing = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: staging, encoding: 'utf8' });
  if (listing.status !== 0) throw new Error(`vsce ls failed: ${listing.stderr}`);
  const files = listing.stdout.split('\n').filter((line) => line !== '');
  run(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], staging);
  const bytes = statSync(vsix).size;
  if (options.json) process.stdout.write(`${JSON.stringify({ vsix, bytes, files }, null, 2)}\n`);
  else console.log(`package: ${vsix} (${(bytes / 1024).toFixed(0)} KiB)\n${files.map((file) => `  ${file}`).join('\n')}`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
