// The extension in a real VS Code: the mocha suite of test/e2e/suite runs inside code-server's
// extension host with the real language server, once in a trusted and once in a restricted
// (untrusted) workspace. Mocha's report is printed; the outcome comes from codeAutomationExit.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { missingCodeServer } from '../support/codeServer';
import { repositoryRoot, runSuiteInCodeServer } from '../support/extensionHostRun';

const workspace = join(repositoryRoot, 'test', 'e2e', 'workspace');
const missing = missingCodeServer();
if (missing !== undefined && process.env.CI) throw new Error(`CI must run the extension-host suite: ${missing}`);

for (const trust of ['trusted', 'untrusted'] as const) {
  test(`extension-host suite in code-server (${trust} workspace)`, { skip: missing, timeout: 240_000 }, async () => {
    const run = await runSuiteInCodeServer({ workspace, trusted: trust === 'trusted', env: { KUBE_IMAGES_E2E_TRUST: trust } });
    const report = run.console.filter((line) => !line.includes('open-vsx.org')).join('\n');
    process.stdout.write(`--- extension host (${trust}) ---\n${report}\n`);
    assert.equal(run.exitCode, 0, `the extension-host suite failed (${trust}); code-server said:\n${run.codeServerOutput.slice(-3000)}`);
  });
}
