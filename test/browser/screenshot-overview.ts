/**
 * Makes docs/screenshots/overview.png: a running 1,000-node flow fitted into view, drawn as an overview (each node's
 * colour and status dot, its group frames and their titles), with the pointer on one node naming it.
 * Run: `node --import tsx test/browser/screenshot-overview.ts`.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chainFlow, chainPosition, screenOf } from './support/chain-flow.js';
import { chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor } from './support/editor-page.js';
import { startEditorServer } from './support/editor-server.js';

const OUT = fileURLToPath(new URL('../../docs/screenshots', import.meta.url));
const SITES = ['North site', 'South site', 'East site', 'West site', 'Harbour'];

/** 1,000 nodes in five groups of 50 chains, the debug nodes turned off (nothing to show in the debug panel). */
function flow(): Record<string, unknown> {
  const base = chainFlow({
    chains: 250,
    id: 'overview-shot',
    name: 'Five sites, 1,000 nodes',
    intervalMs: 2000,
    namedSources: true,
    debugActive: false,
    gapEvery: 50,
  });
  const groups = SITES.map((name, g) => ({
    id: `site-${g}`,
    name,
    nodes: Array.from({ length: 50 }, (_, k) => `c${g * 50 + k}-generate`),
  }));
  return { ...base, groups };
}

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
      body: JSON.stringify({ flow: flow() }),
    });
    if (!res.ok) throw new Error(`cannot store the flow: ${await res.text()}`);
    const page = await browser.context.newPage();
    await openEditor(page, `${srv.url}/#flow=overview-shot`);
    await page.waitForSelector('[data-testid="overview"][data-nodes="1000"]', { timeout: 60_000 });
    await page.locator('[data-testid="deploy"]').click();
    await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 60_000 });
    const dismiss = page.getByLabel('Dismiss the deploy report');
    if (await dismiss.count()) await dismiss.click();
    await page.waitForTimeout(1500);
    // The pointer on the first node of line 57: the overview names it.
    const at = chainPosition(57, 0, 50);
    const point = await screenOf(page, { x: at.x + 60, y: at.y + 30 });
    await page.mouse.move(point.x, point.y);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/overview.png` });
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
