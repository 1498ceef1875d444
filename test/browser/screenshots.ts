/**
 * Makes docs/screenshots/{flow,properties,debug}.png from the running app: the real server, the built editor, and
 * the sensors demo flow deployed through the UI. Run: `node --import tsx test/browser/screenshots.ts`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor, selectNode } from './support/editor-page.js';
import { startEditorServer } from './support/editor-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `${ROOT}docs/screenshots`;

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  await mkdir(OUT, { recursive: true });
  const srv = await startEditorServer();
  const browser = await launchChromium({ width: 1600, height: 1000 });
  try {
    const demo = JSON.parse(await readFile(`${ROOT}examples/sensors-demo.json`, 'utf8'));
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sluice-client': 'test' },
      body: JSON.stringify({ flow: demo }),
    });
    if (!res.ok) throw new Error(`cannot store the demo flow: ${await res.text()}`);
    const page = await browser.context.newPage();
    await openEditor(page, `${srv.url}/#flow=${demo.id}`);
    await page.waitForSelector('[data-testid="node-sensors"]');
    await page.locator('[data-testid="deploy"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="debug-entry"]').length >= 12, null, {
      timeout: 20_000,
    });
    await page.waitForTimeout(1500);
    await page.keyboard.press('f');
    await page.waitForTimeout(400);
    // Counters and the debug list move on; hold the view still for the pictures, without notices in the way.
    await page.locator('[data-testid="debug-pause"]').click();
    for (const close of await page.getByRole('button', { name: 'Dismiss' }).all()) await close.click();
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${OUT}/flow.png` });

    await selectNode(page, 'by-band');
    await page.locator('[data-testid="advanced"] summary').first().click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/properties.png` });

    await page.keyboard.press('Escape');
    // A taller debug panel, resized by its top edge as a user would.
    const edge = await page.locator('[data-testid="bottom-resize"]').boundingBox();
    if (edge) {
      await page.mouse.move(edge.x + 300, edge.y + 3);
      await page.mouse.down();
      await page.mouse.move(edge.x + 300, edge.y - 200, { steps: 5 });
      await page.mouse.up();
    }
    await page.locator('[data-testid="debug-entry"] button[aria-expanded]').first().click();
    await page.locator('[data-testid="debug-entry"] button[aria-expanded]').nth(1).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/debug.png` });
    console.log(`wrote ${OUT}/flow.png, properties.png, debug.png`);
  } finally {
    await browser.close();
    await srv.close();
  }
}

await main();
