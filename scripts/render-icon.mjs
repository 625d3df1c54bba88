// Renders media/icon.svg to media/icon.png (128×128), the extension icon: the Marketplace and
// VS Code's extension view take only raster icons. Chromium draws the SVG, so the PNG is what a
// browser shows. Run after editing the SVG: `node scripts/render-icon.mjs` (needs Debian's
// chromium, which scripts/install-code-server.sh installs); the PNG is committed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const size = 128;
const source = fileURLToPath(new URL('../media/icon.svg', import.meta.url));
const target = fileURLToPath(new URL('../media/icon.png', import.meta.url));

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'], headless: true });
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  const svg = readFileSync(source, 'utf8');
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: target, omitBackground: true });
  console.log(`render-icon: wrote ${target}`);
} finally {
  await browser.close();
}
