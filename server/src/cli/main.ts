/**
 * Entry point of the `kube-images` command line (bundled to `dist/cli.js`). Only wiring lives
 * here: process arguments, streams, environment and exit status.
 */
import { parseArguments, usageHint, USAGE, UsageError, type Invocation } from './args';
import { ExitStatus, runCheck } from './check';
import { runGc } from './gc';
import { runImages } from './images';
import type { NodeCommandEnvironment } from './nodeCommand';
import { runPin } from './pin';
import { runPull } from './pull';
import { runRemove } from './rm';

// Bundled by esbuild at build time, so the version printed is the version built.
const packageJson = require('../../../package.json') as { readonly version: string; readonly homepage?: string };

async function main(args: readonly string[]): Promise<ExitStatus> {
  let invocation: Invocation;
  try {
    invocation = parseArguments(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`kube-images: ${error.message}\n${usageHint(error.command)}`);
    return ExitStatus.NoVerdict;
  }
  switch (invocation.command) {
    case 'help':
      process.stdout.write(USAGE);
      return ExitStatus.NoErrors;
    case 'version':
      process.stdout.write(`${packageJson.version}\n`);
      return ExitStatus.NoErrors;
    case 'check':
      return runCheck(invocation.options, {
        cwd: process.cwd(),
        // https://no-color.org: any non-empty NO_COLOR turns colour off.
        color: process.stdout.isTTY === true && !process.env['NO_COLOR'],
        tool: { version: packageJson.version, informationUri: packageJson.homepage },
        writeOutput: (text) => process.stdout.write(text),
        writeError: (text) => process.stderr.write(text),
      });
    case 'pin':
      return runPin(invocation.options, {
        cwd: process.cwd(),
        writeOutput: (text) => process.stdout.write(text),
        writeError: (text) => process.stderr.write(text),
      });
    case 'images':
      return runImages(invocation.options, nodeCommandEnvironment());
    case 'pull':
      return runPull(invocation.options, nodeCommandEnvironment());
    case 'rm':
      return runRemove(invocation.options, nodeCommandEnvironment());
    case 'gc':
      return runGc(invocation.options, nodeCommandEnvironment());
  }
}

function nodeCommandEnvironment(): NodeCommandEnvironment {
  return {
    env: process.env,
    writeOutput: (text) => process.stdout.write(text),
    writeError: (text) => process.stderr.write(text),
  };
}

// A reader that stops early (`kube-images check . | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode);
});

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    // Only a bug gets here: user mistakes are reported above. The stack is what a bug report needs.
    process.stderr.write(`kube-images: internal error, please report it: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = ExitStatus.NoVerdict;
  },
);
