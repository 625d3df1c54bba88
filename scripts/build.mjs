// Bundles the extension, the language server and the CLI with esbuild.
// Type checking is `tsc -b` (npm run typecheck); esbuild only strips types, which keeps builds fast.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// `--outdir=DIR` builds elsewhere than dist/ (scripts/package.mjs stages the VSIX so).
const outdir = process.argv.find((arg) => arg.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'] },
  { ...common, entryPoints: ['server/src/server.ts'], outfile: `${outdir}/server.js` },
  { ...common, entryPoints: ['server/src/cli/main.ts'], outfile: `${outdir}/cli.js`, banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
