/**
 * Makes docs/screenshots/overview.png: a running 1,000-node flow fitted into view, drawn as an overview (each node's
 * colour and status dot, its group frames and their titles), with the pointer on one node naming it.
 * Run: `node --import tsx test/browser/screenshot-overview.ts`.
 */
import { chainFlow, chainPosition, screenOf } from './support/chain-flow.js';
import { screenshotScript } from './support/screenshot-run.js';

const SITES = ['North site', 'South site', 'East site', 'West site', 'Harbour'];

/** 1,000 nodes in five groups of 50 chains, the debug nodes turned off (nothing to show in the debug panel). */
function flow(): Record<string, unknown> & { id: string } {
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
  return { ...base, id: 'overview-shot', groups };
}

screenshotScript(flow(), async ({ page, path, deploy }) => {
  await page.waitForSelector('[data-testid="overview"][data-nodes="1000"]', { timeout: 60_000 });
  await deploy();
  await page.waitForTimeout(1500);
  // The pointer on the first node of line 57: the overview names it.
  const at = chainPosition(57, 0, 50);
  const point = await screenOf(page, { x: at.x + 60, y: at.y + 30 });
  await page.mouse.move(point.x, point.y);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path('overview.png') });
});
