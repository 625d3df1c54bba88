// The node view as a person meets it: the Kubernetes Images view in the activity bar lists the
// sandbox node's images with the one a container uses marked, a pull from the Command Palette puts
// an image on the node, and garbage collection shows its plan, asks, and removes on the real
// runtime what the plan said. Each test saves a screenshot to test-results/screenshots/.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { missingUiRequirements, resizeSideBar, runCommand, screenshot, settled, startUiSession, type UiSession } from './workbench';

const missing = missingUiRequirements();

describe('the Kubernetes Images view in code-server, as a person uses it', { skip: missing, timeout: 300_000 }, () => {
  let session: UiSession;
  let page: Page;
  const row = (text: string): Locator => page.locator('.part.sidebar .monaco-list-row', { hasText: text });
  /** What the runtime itself holds, by tag: the truth the view must agree with. */
  const tagsOnNode = async (): Promise<string[]> => (await session.node.containerd.cri.listImages()).flatMap((image) => image.repoTags).sort();

  before(async () => {
    // The age pass of garbage collection removes what was unused for a second: something to show.
    session = await startUiSession({ 'kubeImages.gc.minAge': '0', 'kubeImages.gc.maxAge': '1s' });
    page = session.page;
  });
  after(() => session?.stop());

  it('lists the node and its images, marking the one a running container uses', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Kubernetes Images"]').click();
    await row('sandbox-node').waitFor();
    // A wider side bar, so image names are not cut short.
    await resizeSideBar(page, 570);
    await row('sandbox-node').locator('.monaco-tl-twistie').click();
    const { web, api, debug } = session.node.images;
    await row(web.reference).waitFor();
    assert.match(await row(web.reference).innerText(), /in use \(1\)/);
    for (const unused of [api, debug]) assert.doesNotMatch(await row(unused.reference).innerText(), /in use/);
    await row(web.reference).hover();
    const tooltip = page.locator('.monaco-hover:not(.hidden)', { hasText: 'In use by' });
    await tooltip.waitFor();
    await settled(tooltip);
    assert.match(await tooltip.innerText(), /web \(pod kube-images-test\/web, running\)/);
    await screenshot(page, 'explorer');
    await page.mouse.move(900, 700);
  });

  it('pulls an image typed into the Command Palette command onto the node', async () => {
    const { worker } = session.node.images;
    assert.ok(!(await tagsOnNode()).includes(worker.reference));
    await runCommand(page, 'Kubernetes Images: Pull Image onto Node');
    await page.locator('.quick-input-widget', { hasText: 'Pull an image onto sandbox-node' }).waitFor();
    await page.keyboard.type(worker.reference);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: worker.reference }).first().waitFor();
    await screenshot(page, 'pull');
    await page.keyboard.press('Enter');
    await row(worker.reference).waitFor();
    assert.ok((await tagsOnNode()).includes(worker.reference), 'the runtime holds the pulled image');
  });

  it('garbage collection previews its plan, asks, and removes what it planned, keeping the image in use', async () => {
    // Room for the plan, and no notification of the pull over it.
    await resizeSideBar(page, 400);
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'Kubernetes Images: Garbage Collect Images on Node');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    const preview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await preview.locator('h2', { hasText: 'Remove (' }).waitFor();
    assert.match(await dialog.innerText(), /The age pass removes 4 images unused for longer than MaxAge \(1s\)/);
    await screenshot(page, 'gc-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Garbage Collect' }).click();
    const { web } = session.node.images;
    await page.locator('.notification-toast', { hasText: 'sandbox-node: Freed' }).waitFor();
    assert.deepEqual(await tagsOnNode(), [web.reference], 'only the image in use is left');
    await row('1 image').waitFor();
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.locator('.notification-toast').waitFor({ state: 'detached' });
    await screenshot(page, 'gc-preview');
  });
});
