// Architecture invariants that a compiler cannot check on its own.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

test('the analysis core imports no transport, file system, network or process module', () => {
  const forbidden = /from\s+['"](vscode|vscode-languageserver[^'"]*|vscode-languageclient[^'"]*|node:[^'"]+|fs|path|net|http|https|child_process|os|@grpc\/[^'"]+)['"]/;
  const offenders = sourceFiles(join(repoRoot, 'server', 'src', 'core'))
    .filter((file) => forbidden.test(readFileSync(file, 'utf8')))
    .map((file) => file.slice(repoRoot.length + 1));
  assert.deepEqual(offenders, []);
});
