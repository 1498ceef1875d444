/**
 * Makes docs/screenshots/subflow.png (a flow using one subflow twice, a use's parameters in its properties) and
 * subflow-edit.png (the subflow open on its own canvas, In and Out nodes, its parameters) and subflow-try.png (a
 * sample tried inside it: the nodes it passed, the output it reached), from the shipped example.
 * Run: `node --import tsx test/browser/screenshot-subflows.ts`.
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
  const browser = await launchChromium({ width: 1400, height: 800 });
  try {
    const flow = JSON.parse(await readFile(`${ROOT}examples/mqtt-subflow-to-postgres.json`, 'utf8'));
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sluice-client': 'shot' },
      body: JSON.stringify({ flow }),
    });
    if (!res.ok) throw new Error(`cannot store the example: ${await res.text()}`);
    const page = await browser.context.newPage();
    await openEditor(page, `${srv.url}/#flow=${flow.id}`);
    await page.waitForSelector('[data-testid="node-north"]');
    await selectNode(page, 'north');
    await page.keyboard.press('f');
    await page.waitForTimeout(500);
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${OUT}/subflow.png` });

    await page.getByTestId('edit-subflow').click();
    await page.waitForSelector('[data-testid="subflow-bar"]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="subflow-properties"]');
    await page.keyboard.press('f');
    await page.waitForTimeout(500);
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${OUT}/subflow-edit.png` });

    await selectNode(page, 'to-row');
    await page.getByRole('tab', { name: /^Try it/ }).click();
    await page.getByLabel('Sample topic').fill('sensors/dev-7/temperature');
    await page.getByLabel('Sample payload').fill('{"value": 21.5}');
    await page.getByTestId('try-send').click();
    await page.waitForSelector('[data-testid="try-reached"]');
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${OUT}/subflow-try.png` });
  } finally {
    await browser.close();
    await srv.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
