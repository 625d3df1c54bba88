// The extension in a real VS Code: the mocha suite of test/e2e/suite runs inside code-server's
// extension host with the real language server, once in a trusted and once in a restricted
// (untrusted) workspace. Mocha's report is printed; the outcome comes from codeAutomationExit.
// A private containerd with images from a loopback registry, one of them used by a running
// container, is the node the explorer's tests list and act on (KUBE_IMAGES_E2E_ENDPOINT).
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { missingCodeServer } from '../support/codeServer';
import { startContainerd, type PrivateContainerd } from '../support/containerd';
import { repositoryRoot, runSuiteInCodeServer } from '../support/extensionHostRun';
import { buildDataImage, buildSleeperImage } from '../support/ociImage';
import { startRegistry, type LoopbackRegistry } from '../support/registry';
import { containerdRequirements, missingRequirements, registryRequirements } from '../support/system';
import { startPinningRegistry, type PinningRegistry } from './pinningRegistry';

const workspace = join(repositoryRoot, 'test', 'e2e', 'workspace');
const missing = missingCodeServer();
if (missing !== undefined && process.env.CI) throw new Error(`CI must run the extension-host suite: ${missing}`);

// Without containerd the explorer's tests skip themselves, saying why; CI installs it, so there they must run.
const missingNode = missingRequirements(containerdRequirements) ?? missingRequirements(registryRequirements);
if (missing === undefined && missingNode !== undefined && process.env.CI) throw new Error(`CI must run the explorer's extension-host tests: ${missingNode}`);
let registry: LoopbackRegistry | undefined;
let containerd: PrivateContainerd | undefined;
const nodeEnvironment: NodeJS.ProcessEnv = {};

before(async () => {
  if (missing !== undefined || missingNode !== undefined) return;
  registry = await startRegistry();
  const pause = buildSleeperImage({ variant: 'e2e-pause' });
  const app = buildSleeperImage({ variant: 'e2e-app' });
  await registry.push(pause, 'pause', '1');
  await registry.push(app, 'app', '1');
  await registry.push(app, 'app', 'stable');
  await registry.push(buildDataImage('e2e data'), 'data', '1');
  containerd = await startContainerd({ sandboxImage: registry.reference('pause', '1'), insecureRegistries: [registry.host] });
  await containerd.cri.pullImage(registry.reference('app', '1'));
  await containerd.cri.pullImage(registry.reference('app', 'stable'));
  await containerd.runContainer(await containerd.runPod('e2e'), registry.reference('app', '1'), 'app');
  nodeEnvironment['KUBE_IMAGES_E2E_ENDPOINT'] = containerd.endpoint;
  nodeEnvironment['KUBE_IMAGES_E2E_IMAGES'] = JSON.stringify({ inUse: registry.reference('app', '1'), inUseId: app.config.digest, pullable: registry.reference('data', '1') });
});

after(async () => {
  await containerd?.stop();
  await registry?.stop();
});

// The registry "Pin to digest" resolves against; its request count shows an untrusted workspace sends none.
let pinning: PinningRegistry | undefined;
before(async () => {
  if (missing === undefined && missingRequirements(registryRequirements) === undefined) pinning = await startPinningRegistry();
});
after(() => pinning?.stop());

for (const trust of ['trusted', 'untrusted'] as const) {
  test(`extension-host suite in code-server (${trust} workspace)`, { skip: missing, timeout: 240_000 }, async () => {
    const env = { KUBE_IMAGES_E2E_TRUST: trust, ...nodeEnvironment, ...pinning?.environment, ...(missingNode === undefined ? {} : { KUBE_IMAGES_E2E_NO_NODE: missingNode }) };
    const registryRequests = pinning?.requestCount();
    const run = await runSuiteInCodeServer({ workspace, trusted: trust === 'trusted', env });
    const report = run.console.filter((line) => !line.includes('open-vsx.org')).join('\n');
    process.stdout.write(`--- extension host (${trust}) ---\n${report}\n`);
    assert.equal(run.exitCode, 0, `the extension-host suite failed (${trust}); code-server said:\n${run.codeServerOutput.slice(-3000)}`);
    if (trust === 'untrusted') assert.equal(pinning?.requestCount(), registryRequests, 'an untrusted workspace sent no request to the registry');
  });
}
