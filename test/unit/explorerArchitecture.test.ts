// The explorer's layers, as the compiler cannot enforce them: the tree model is pure (plain data
// in and out, for tests and benchmarks), and the node layer the CLI shares never needs VS Code.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = join(directory, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
}

test('the explorer tree model imports only our own modules: no vscode, no Node.js, no gRPC', () => {
  const outside = sourceFiles(join(repoRoot, 'client', 'src', 'explorer', 'model')).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !specifier.startsWith('.'))
      .map((specifier) => `${file.slice(repoRoot.length + 1)}: ${specifier}`),
  );
  assert.deepEqual(outside, []);
});

test('the node layer shared with the CLI never imports vscode', () => {
  const offenders = sourceFiles(join(repoRoot, 'client', 'src', 'nodes')).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => specifier === 'vscode' || specifier.startsWith('vscode-language') || /\/(explorer|commands)\//.test(specifier))
      .map((specifier) => `${file.slice(repoRoot.length + 1)}: ${specifier}`),
  );
  assert.deepEqual(offenders, []);
});
