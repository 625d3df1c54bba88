// The editor features as a person meets them: the packaged extension in code-server, a manifest
// opened from Quick Open, squiggles and the Problems panel, a hover, and quick fixes accepted from
// the light bulb, one of them pinning an image against the sandbox registry. Each test saves a
// screenshot to test-results/screenshots/.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { SANDBOX_MANIFESTS } from '../support/sandboxWorkspace';
import { actionTitles, chooseAction, goToProblem, missingUiRequirements, openFile, openLightBulb, screenshot, settled, startUiSession, type UiSession } from './workbench';

const missing = missingUiRequirements();

/** The editor's visible text with the inlay hints as Monaco renders them, spaces normalised. */
async function visibleText(editor: Locator): Promise<string> {
  return (await editor.locator('.view-lines').innerText()).replace(/\s+/g, ' ');
}

async function problems(page: Page): Promise<string[]> {
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

describe('the editor in code-server, as a person uses it', { skip: missing, timeout: 300_000 }, () => {
  let session: UiSession;
  let page: Page;
  let editor: Locator;

  before(async () => {
    session = await startUiSession();
    page = session.page;
    editor = await openFile(page, SANDBOX_MANIFESTS.shop);
  });
  after(() => session?.stop());

  it('underlines the mistakes, shows the effective pull policies inline and lists the problems', async () => {
    await editor.locator('.squiggly-error').first().waitFor();
    // Counted while the whole file is on screen: Monaco renders only the lines in view.
    assert.equal(await editor.locator('.squiggly-error').count(), 1);
    assert.equal(await editor.locator('.squiggly-warning').count(), 2);
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'implicit-latest' }).waitFor();
    const listed = await problems(page);
    for (const code of ['invalid-pull-policy', 'latest-tag', 'implicit-latest']) {
      assert.ok(listed.some((row) => row.includes(`kube-images\n${code}`)), `Problems lists ${code}: ${listed.join(' | ')}`);
    }
    assert.ok(listed.some((row) => row.includes('The API server rejects this Deployment') && row.includes('Unsupported value: "ifNotPresent"')));
    const text = await visibleText(editor);
    const { webLatest, apiLatest } = session.node.images;
    assert.ok(text.includes(`image: ${webLatest.reference} Always`), `the Always hint follows the latest image: ${text}`);
    assert.ok(text.includes(`image: ${apiLatest.reference.replace(/:latest$/, '')} Always`), 'the Always hint follows the untagged image');
    await screenshot(page, 'diagnostics');
  });

  it('hovering an image says how it is pulled and which pull policy applies, and why', async () => {
    await editor.locator('.view-line span', { hasText: 'shop/web' }).first().hover();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'Pulled as' });
    await hover.waitFor();
    await settled(hover);
    const content = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.ok(content.includes(`Pulled as ${session.node.images.webLatest.reference}`), content);
    assert.ok(content.includes('imagePullPolicy: Always, defaulted by the API server at creation because the tag is latest'), content);
    await screenshot(page, 'hover');
    await page.mouse.move(640, 780);
    await hover.waitFor({ state: 'hidden' });
  });

  it('the light bulb offers the pull policy Kubernetes accepts, and accepting it fixes the manifest', async () => {
    await goToProblem(page, 'invalid-pull-policy');
    const menu = await openLightBulb(page);
    assert.deepEqual((await actionTitles(menu)).slice(0, 2), ['Change to IfNotPresent', 'Ignore invalid-pull-policy on this line']);
    await screenshot(page, 'quick-fix');
    await chooseAction(page, menu, 'Change to IfNotPresent');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'invalid-pull-policy' }).waitFor({ state: 'detached' });
    assert.ok((await visibleText(editor)).includes('imagePullPolicy: IfNotPresent'));
    assert.equal(await editor.locator('.squiggly-error').count(), 0);
  });

  it('"Pin to digest" from the light bulb writes the digest the sandbox registry answers', async () => {
    await goToProblem(page, 'latest-tag');
    const menu = await openLightBulb(page);
    await chooseAction(page, menu, 'Pin to digest');
    const { webLatest } = session.node.images;
    await editor.locator('.view-line', { hasText: `${webLatest.reference}@${webLatest.digest}` }).waitFor();
    await screenshot(page, 'pinned');
  });
});
