// The extension-host test entry (`extensionTestsPath`): the same mocha suite runs under
// @vscode/test-electron on a desktop and inside code-server here. VS Code calls `run()` and
// reports its outcome; mocha's spec report goes to the console.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 60_000 });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.e2e.js')).sort()) mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
