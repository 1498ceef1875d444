/**
 * Makes docs/screenshots/{errors,watch-wire}.png: runtime errors as the editor shows them (status under each node,
 * the node's last failure, failed messages in the debug panel, the deploy report), and a watched wire with an
 * injected message. Real server, built editor, flows deployed through the UI.
 * Run: `node --import tsx test/browser/screenshots-runtime.ts`.
 */
import { mkdir } from 'node:fs/promises';
import { createServer as createTcpServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor, selectNode } from './support/editor-page.js';
import { startEditorServer } from './support/editor-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `${ROOT}docs/screenshots`;
const edge = (source: string, target: string) => ({ source, sourcePort: 'out', target, targetPort: 'in' });

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  await mkdir(OUT, { recursive: true });
  const srv = await startEditorServer();
  const browser = await launchChromium({ width: 1600, height: 1000 });
  const store = async (flow: Record<string, unknown>) => {
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sluice-client': 'test' },
      body: JSON.stringify({ flow }),
    });
    if (!res.ok) throw new Error(await res.text());
  };
  try {
    const port = await closedPort();
    await store({
      format: 'sluice/flow@1',
      id: 'readings',
      name: 'Lab readings',
      connections: [{ id: 'lab', kind: 'mqtt', name: 'Lab broker', config: { url: `mqtt://127.0.0.1:${port}` } }],
      nodes: [
        {
          id: 'sensors',
          type: 'generate',
          name: 'Sensors',
          position: { x: 0, y: 0 },
          config: { intervalMs: 300, payload: '{"n": $seq, "temp": $round(15 + $random() * 10, 1)}' },
        },
        {
          id: 'check',
          type: 'transform',
          name: 'Even readings only',
          position: { x: 280, y: 0 },
          config: {
            expression: 'payload.n % 2 = 0 ? payload : $error("odd reading " & payload.n & ": no calibration")',
          },
        },
        {
          id: 'warm',
          type: 'filter',
          name: 'Warm',
          position: { x: 560, y: 0 },
          config: { condition: 'payload.temp > 18' },
        },
        { id: 'seen', type: 'debug', name: 'Seen', position: { x: 840, y: 0 }, config: {} },
        {
          id: 'lab-in',
          type: 'mqtt-in',
          name: 'Lab sensors',
          position: { x: 0, y: 220 },
          config: { connection: 'lab', topics: ['lab/#'] },
        },
        { id: 'lab-seen', type: 'debug', name: 'Lab', position: { x: 280, y: 220 }, config: {} },
      ],
      edges: [edge('sensors', 'check'), edge('check', 'warm'), edge('warm', 'seen'), edge('lab-in', 'lab-seen')],
    });
    const page = await browser.context.newPage();
    await openEditor(page, `${srv.url}/#flow=readings`);
    await page.waitForSelector('[data-testid="node-check"]');
    await page.locator('[data-testid="deploy"]').click();
    await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="debug-failure"]').length >= 4, null, {
      timeout: 20_000,
    });
    await selectNode(page, 'check');
    await page.waitForSelector('[data-testid="node-last-failure"]');
    await page.locator('[data-testid="debug-pause"]').click();
    for (const close of await page.getByRole('button', { name: 'Dismiss', exact: true }).all()) await close.click();
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${OUT}/errors.png` });

    // Watch the wire out of the filter and inject a message at the source.
    await page.locator('[data-testid="debug-pause"]').click();
    await page
      .locator('[data-testid="deploy-report"]')
      .getByRole('button', { name: /Dismiss/ })
      .click();
    await page.getByLabel('Filter by node').selectOption('');
    await page.locator('[aria-label="Edge from warm to seen"]').dblclick({ force: true });
    await selectNode(page, 'sensors');
    await page.locator('[data-testid="inject-section"]').getByLabel('Payload (JSON)').fill('{"n": 1000, "temp": 30}');
    await page.locator('[data-testid="inject-section"]').getByRole('button', { name: 'Inject' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="debug-tap"]').length >= 3, null, {
      timeout: 20_000,
    });
    await page.locator('[data-testid="debug-pause"]').click();
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${OUT}/watch-wire.png` });
    console.log(`wrote ${OUT}/errors.png, watch-wire.png`);
  } finally {
    await fetch(`${srv.url}/api/runtime/stop`, { method: 'POST', headers: { 'x-sluice-client': 'test' } }).catch(
      () => undefined,
    );
    await browser.close();
    await srv.close();
  }
}

await main();
