// `npm run demo`, the README's first command, as a person runs it: it prints a URL that serves
// VS Code on the sample workspace, and Ctrl-C (SIGINT to the terminal's foreground process group)
// stops everything it started, with nothing left behind.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../support/extensionHostRun';
import { missingUiRequirements } from './workbench';

const missing = missingUiRequirements();

test('npm run demo serves the sandbox workspace and Ctrl-C leaves nothing behind', { skip: missing, timeout: 300_000 }, async () => {
  const demosBefore = new Set(demoFolders());
  // What `npm run demo` runs, without npm, which re-raises a child's SIGINT on itself and so hides
  // the exit status. Its own process group, as a terminal gives a foreground job: Ctrl-C signals
  // the whole group.
  const demo = spawn(process.execPath, [join(repositoryRoot, 'scripts', 'demo.mjs')], { cwd: repositoryRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const look = (): void => {
        const found = /Open {2}(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output)?.[1];
        if (found !== undefined && output.includes('Press Ctrl-C')) resolve(found);
      };
      demo.stdout!.on('data', look);
      void exited.then((code) => reject(new Error(`the demo exited (${code}) before printing its URL:\n${output}`)));
    });
    const workspace = decodeURI(new URL(url).searchParams.get('folder')!);
    assert.ok(existsSync(join(workspace, 'sandbox', 'shop.yaml')) && existsSync(join(workspace, 'apps', 'web.yaml')), 'the sample workspace is there');
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /workbench/);
  } finally {
    if (demo.exitCode === null) process.kill(-demo.pid!, 'SIGINT');
  }
  assert.equal(await exited, 0, output);
  assert.match(output, /demo: stopped; nothing is left behind/);
  assert.deepEqual(demoFolders().filter((folder) => !demosBefore.has(folder)), [], 'the demo removed its folder');
});

function demoFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('kube-images-demo-'));
}
