// The GC planner is pure: the extension, the CLI and the tests run it on plain data.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const GC_DIRECTORY = join(__dirname, '..', '..', '..', 'client', 'src', 'cri', 'gc');

test('client/src/cri/gc imports nothing but its own modules: no vscode, gRPC, file system or process', () => {
  const files = readdirSync(GC_DIRECTORY).filter((name) => name.endsWith('.ts'));
  assert.ok(files.length > 0, 'the folder has sources');
  const outside = files.flatMap((name) => {
    const text = readFileSync(join(GC_DIRECTORY, name), 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
    return specifiers.filter((specifier) => !/^\.\/[A-Za-z]+$/.test(specifier)).map((specifier) => `${name}: ${specifier}`);
  });
  assert.deepEqual(outside, []);
});
