/**
 * Makes docs/screenshots/inject.png: an inject node whose button was pressed, its payload in Properties, one debug node
 * on (its message in the debug panel) and one switched off. Run: `node --import tsx test/browser/screenshot-inject.ts`.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor, selectNode } from './support/editor-page.js';
import { startEditorServer } from './support/editor-server.js';

const OUT = fileURLToPath(new URL('../../docs/screenshots', import.meta.url));

const flow = {
  format: 'sluice/flow@1',
  id: 'inject-shot',
  name: 'Try a message by hand',
  nodes: [
    {
      id: 'reading',
      name: 'Sample reading',
      type: 'inject',
      config: { payloadType: 'json', payload: '{"device": "press-4", "temp": 71.5}', topic: 'plant/press-4/temp' },
      position: { x: 80, y: 160 },
    },
    { id: 'shown', name: 'Shown', type: 'debug', config: {}, position: { x: 420, y: 80 } },
    { id: 'muted', name: 'Muted', type: 'debug', config: { active: false }, position: { x: 420, y: 240 } },
  ],
  edges: [
    { source: 'reading', sourcePort: 'out', target: 'shown', targetPort: 'in' },
    { source: 'reading', sourcePort: 'out', target: 'muted', targetPort: 'in' },
  ],
};

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  await mkdir(OUT, { recursive: true });
  const srv = await startEditorServer();
  const browser = await launchChromium({ width: 1400, height: 800 });
  try {
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sluice-client': 'shot' },
      body: JSON.stringify({ flow }),
    });
    if (!res.ok) throw new Error(`cannot store the flow: ${await res.text()}`);
    const page = await browser.context.newPage();
    await openEditor(page, `${srv.url}/#flow=${flow.id}`);
    await page.waitForSelector('[data-testid="node-reading"]');
    await page.locator('[data-testid="deploy"]').click();
    await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 30_000 });
    const dismiss = page.getByLabel('Dismiss the deploy report');
    if (await dismiss.count()) await dismiss.click();
    await page.locator('[data-testid="inject-reading"]').click();
    const debugTab = page.getByRole('tab', { name: /^Debug/ });
    if ((await debugTab.getAttribute('aria-selected')) !== 'true') await debugTab.click();
    await page.waitForSelector('[data-testid="debug-entry"]');
    await selectNode(page, 'reading');
    await page.mouse.move(5, 5);
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${OUT}/inject.png` });
    await fetch(`${srv.url}/api/runtime/stop`, { method: 'POST', headers: { 'x-sluice-client': 'shot' } });
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
