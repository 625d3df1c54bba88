// What the UI tests stand on: the packaged extension (the VSIX a user installs) in a private
// code-server, on the sandbox node (test/support/sandboxNode.ts) with the demo's workspace, and a
// headless Chromium page driven as a person would: keyboard, mouse, what is on screen.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, missingCodeServer, startCodeServer, type RunningCodeServer } from '../support/codeServer';
import { repositoryRoot } from '../support/extensionHostRun';
import { startSandboxNode, type SandboxNode } from '../support/sandboxNode';
import { writeSandboxWorkspace } from '../support/sandboxWorkspace';
import { containerdRequirements, missingRequirements, waitUntil } from '../support/system';

export const SCREENSHOTS_DIRECTORY = join(repositoryRoot, 'test-results', 'screenshots');

/** Why the UI tests cannot run here, or undefined when they can (under CI a missing part throws). */
export function missingUiRequirements(): string | undefined {
  const missing = missingCodeServer() ?? missingRequirements(containerdRequirements);
  if (missing !== undefined && process.env['CI']) throw new Error(`CI must run the UI tests: ${missing}`);
  return missing;
}

export interface UiSession {
  readonly node: SandboxNode;
  readonly workspace: string;
  readonly codeServer: RunningCodeServer;
  readonly page: Page;
  stop(): Promise<void>;
}

/**
 * Packages the extension, starts the sandbox node and code-server with the VSIX installed, and
 * opens the workspace in Chromium; resolves once the extension is active (its status is known).
 */
export async function startUiSession(settings: Record<string, unknown> = {}): Promise<UiSession> {
  const directory = mkdtempSync(join(tmpdir(), 'kube-images-ui-'));
  const stops: (() => Promise<void>)[] = [async () => rmSync(directory, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const vsix = packageExtension(join(directory, 'kube-images.vsix'));
    const node = await startSandboxNode();
    stops.push(() => node.stop());
    const workspace = writeSandboxWorkspace(join(directory, 'workspace'), node);
    const dockerConfig = join(directory, 'docker');
    mkdirSync(dockerConfig);
    const codeServer = await startCodeServer({
      workspace,
      trusted: true,
      extensions: [vsix],
      env: { DOCKER_CONFIG: dockerConfig },
      settings: {
        'kubeImages.endpoints': [{ name: 'sandbox-node', endpoint: node.containerd.endpoint }],
        'workbench.colorTheme': 'Default Dark Modern',
        // Nothing on screen but what the test opens.
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'chat.commandCenter.enabled': false,
        'window.commandCenter': false,
        // The registries and containerd listen on loopback ports; code-server would offer to forward each.
        'remote.autoForwardPorts': false,
        ...settings,
      },
    });
    stops.push(() => codeServer.stop());
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    stops.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${codeServer.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return { node, workspace, codeServer, page, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `npm run package` into `vsix`: the tests install what a user would. */
function packageExtension(vsix: string): string {
  const result = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'package.mjs'), '--out', vsix, '--json'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`packaging failed: ${result.stderr}`);
  return vsix;
}

/** Opens a workspace file through Quick Open, as a person types its name. */
export async function openFile(page: Page, relativePath: string): Promise<Locator> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(relativePath);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  await page.keyboard.press('Enter');
  const editor = page.locator(`.editor-instance .monaco-editor[data-uri$="${relativePath}"]`);
  await editor.waitFor();
  return editor;
}

/** Runs a command from the Command Palette by its title, as shown there (`Category: Title`). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/**
 * Opens a problem from the Problems panel (Ctrl+Shift+M) as a person does: a double click on the
 * entry whose text holds `text`, which moves the editor's cursor to it. Resolves once it has.
 */
export async function goToProblem(page: Page, text: string): Promise<void> {
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: text });
  const line = /\[Ln (\d+), Col \d+\]/.exec(await row.innerText())?.[1];
  if (line === undefined) throw new Error(`the Problems entry "${text}" shows no position`);
  await row.dblclick();
  // The problem's range is selected: the status bar shows where the selection ends, on the same line.
  await page.locator('.statusbar-item', { hasText: `Ln ${line},` }).waitFor();
}

/** Clicks the light bulb shown on the cursor's line and resolves with the menu it opens. */
export async function openLightBulb(page: Page): Promise<Locator> {
  const bulb = page.locator('.monaco-editor.focused .lightBulbWidget');
  const cursor = page.locator('.monaco-editor.focused .cursors-layer .cursor');
  // The bulb of the previous position may still show while the actions of the new one are computed.
  await waitUntil('the light bulb on the cursor line', async () => {
    if (!(await bulb.isVisible())) return undefined;
    const [bulbBox, cursorBox] = await Promise.all([bulb.boundingBox(), cursor.first().boundingBox()]);
    return bulbBox !== null && cursorBox !== null && Math.abs(bulbBox.y - cursorBox.y) < cursorBox.height ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 100 });
  await bulb.click();
  const menu = page.locator('.action-widget');
  await menu.waitFor();
  return menu;
}

/** The titles of a code action menu's actions, in order. */
export async function actionTitles(menu: Locator): Promise<string[]> {
  return menu.locator('.monaco-list-row.action').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
}

/** Moves the menu's focus to the action titled `title` with the arrow keys and accepts it with Enter. */
export async function chooseAction(page: Page, menu: Locator, title: string): Promise<void> {
  const titles = await actionTitles(menu);
  const target = titles.indexOf(title);
  if (target < 0) throw new Error(`no action "${title}" in the menu: ${titles.join(', ')}`);
  const focused = titles.indexOf((await menu.locator('.monaco-list-row.action.focused').getAttribute('aria-label')) ?? '');
  for (let index = Math.max(focused, 0); index < target; index++) await page.keyboard.press('ArrowDown');
  await menu.locator('.monaco-list-row.action.focused', { hasText: title }).waitFor();
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden' });
}

/** Drags the side bar's edge until the side bar is `width` pixels wide, as a person resizes it. */
export async function resizeSideBar(page: Page, width: number): Promise<void> {
  const sideBar = page.locator('.part.sidebar');
  const box = (await sideBar.boundingBox())!;
  await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + width + 1, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Resolves once `locator`'s element and its children have finished their animations (a hover fades in). */
export async function settled(locator: Locator): Promise<void> {
  // Runs in the page; the test project has no DOM types, hence the shape spelled out.
  await locator.evaluate((element: { getAnimations(options: { subtree: boolean }): { finished: Promise<unknown> }[] }) =>
    Promise.all(element.getAnimations({ subtree: true }).map((animation) => animation.finished)),
  );
}

/** Saves what the page shows as `test-results/screenshots/NAME.png`; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIRECTORY, { recursive: true });
  const path = join(SCREENSHOTS_DIRECTORY, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
