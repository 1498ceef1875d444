/**
 * Issue 13, "Large flows": a user opens a 1,000-node flow, sees all of it, zooms in and pans (the editor then draws only
 * the nodes in view), deploys it, picks a node that is off-screen from its message in the debug panel and watches its
 * counters rise, reloads and finds the flow where they left it, and fits it into view again; in headless Chromium
 * against the real server.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { counter } from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();
const CHAINS = 250;

/** 250 generate -> transform -> filter -> debug chains, five to a row: 1,000 nodes, 750 edges. */
function largeFlow(id: string): Record<string, unknown> {
  const types = [
    { type: 'generate', config: { intervalMs: 3000, count: 0, topic: 'sim/sensors' } },
    { type: 'transform', config: { expression: '{"t": payload.temp * 1.8 + 32}' } },
    { type: 'filter', config: { condition: 'payload.t > 50' } },
    { type: 'debug', config: {} },
  ];
  const nodes: unknown[] = [];
  const edges: unknown[] = [];
  for (let c = 0; c < CHAINS; c++) {
    types.forEach((t, i) => {
      nodes.push({
        id: `c${c}-${t.type}`,
        type: t.type,
        position: { x: ((c % 5) * 4 + i) * 240, y: Math.floor(c / 5) * 140 },
        // The debug panel names a message's node by its name: each debug node has its own.
        ...(t.type === 'debug' ? { name: `Log ${c}` } : {}),
        config: t.config,
      });
      if (i > 0)
        edges.push({
          source: `c${c}-${types[i - 1].type}`,
          sourcePort: 'out',
          target: `c${c}-${t.type}`,
          targetPort: 'in',
        });
    });
  }
  return { format: 'sluice/flow@1', id, name: 'A thousand nodes', nodes, edges };
}

const drawnNodes = (page: Page) => page.locator('.react-flow__node').count();
const zoom = (page: Page) =>
  page
    .locator('.react-flow__viewport')
    .evaluate((el) => Number(/scale\(([\d.e-]+)\)/.exec((el as HTMLElement).style.transform)?.[1]));

describe.skipIf(skip !== undefined)('a 1,000-node flow in the editor', () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;
  const flowId = `large-${Date.now().toString(36)}`;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    srv = await startEditorServer();
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CLIENT_HEADER]: 'test' },
      body: JSON.stringify({ flow: largeFlow(flowId) }),
    });
    if (!res.ok) throw new Error(`cannot store the flow: ${res.status} ${await res.text()}`);
    browser = await launchChromium({ width: 1440, height: 900 });
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page
        .screenshot({ path: `test/.tmp/failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png` })
        .catch(() => undefined);
    }
  });

  afterAll(async () => {
    if (page)
      await page
        .locator('[data-testid="stop"]')
        .click({ timeout: 5000 })
        .catch(() => undefined);
    await browser?.close();
    await srv?.close();
  });

  it('opens fitted with every node drawn, zooms in and pans drawing only what is in view', async () => {
    await page.goto(`${srv.url}/?flow=${flowId}`);
    await expect.poll(() => drawnNodes(page), { timeout: 60_000 }).toBe(1000);
    await expect.poll(() => page.locator('.react-flow__edge').count(), { timeout: 30_000 }).toBe(750);
    expect(await zoom(page)).toBeLessThan(0.2);
    // No minimap by default on a flow this size (it would repaint 1,000 nodes on every pan frame); the button shows it.
    expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    await page.getByTestId('toggle-minimap').click();
    await expect.poll(() => page.locator('.react-flow__minimap').count()).toBe(1);
    await page.getByTestId('toggle-minimap').click();
    await expect.poll(() => page.locator('.react-flow__minimap').count()).toBe(0);

    // Zoom in on the middle of the canvas with the wheel, as a user does.
    const pane = await page.locator('.react-flow__pane').boundingBox();
    if (!pane) throw new Error('no canvas');
    const mid = { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 };
    await page.mouse.move(mid.x, mid.y);
    for (let i = 0; i < 8 && (await zoom(page)) < 0.9; i++) {
      await page.mouse.wheel(0, -400);
      await page.waitForTimeout(200);
    }
    expect(await zoom(page)).toBeGreaterThan(0.9);
    await expect.poll(() => drawnNodes(page)).toBeLessThan(100);
    const before = await page
      .locator('.react-flow__node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));

    // Pan: drag the pane two screens to the left; other nodes come into view, drawn and measured.
    await page.mouse.move(mid.x + 300, mid.y);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(mid.x + 300 - i * 30, mid.y - i * 10);
    await page.mouse.up();
    await expect
      .poll(async () => {
        const now = await page
          .locator('.react-flow__node')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
        return now.filter((id) => !before.includes(id)).length;
      })
      .toBeGreaterThan(0);
    expect(await drawnNodes(page)).toBeLessThan(100);
    const hidden = await page
      .locator('.react-flow__node')
      .evaluateAll((els) => els.filter((e) => (e as HTMLElement).style.visibility === 'hidden').length);
    expect(hidden).toBe(0);
  }, 180_000);

  it('deployed: a node off-screen is picked from its message in the debug panel and its counters rise', async () => {
    await page.locator('[data-testid="deploy"]').click();
    await expect
      .poll(() => page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 60_000 })
      .toContain('Running this flow');
    const dismiss = page.getByLabel('Dismiss the deploy report');
    if ((await dismiss.count()) > 0) await dismiss.click();

    // A message from a debug node that is not drawn now (out of view).
    const drawn = new Set(
      await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))),
    );
    let target: string | undefined;
    await expect
      .poll(
        async () => {
          const names = await page.locator('[data-testid="debug-entry"] button').allTextContents();
          const ids = names.map((n) => /^Log (\d+)$/.exec(n)?.[1]).map((c) => (c === undefined ? '' : `c${c}-debug`));
          target = ids.find((id) => id !== '' && !drawn.has(id));
          return target !== undefined;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    if (!target) throw new Error('no message from an off-screen node');
    expect(await page.locator(`[data-testid="node-${target}"]`).count()).toBe(0);

    // Clicking its name brings the node into view, selected, with its properties.
    await page
      .locator('[data-testid="debug-entry"] button', {
        hasText: new RegExp(`^Log ${/^c(\d+)-debug$/.exec(target)?.[1]}$`),
      })
      .first()
      .click();
    const node = page.locator(`[data-testid="node-${target}"]`);
    await expect.poll(() => node.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => node.locator('xpath=..').getAttribute('class')).toContain('selected');
    await expect.poll(() => page.getByTestId('node-properties').count()).toBe(1);
    const box = await node.boundingBox();
    const pane = await page.locator('.react-flow__pane').boundingBox();
    if (!box || !pane) throw new Error('node or canvas not visible');
    expect(box.x).toBeGreaterThanOrEqual(pane.x);
    expect(box.x + box.width).toBeLessThanOrEqual(pane.x + pane.width);

    // Its counters, drawn on the node, keep rising while the flow runs.
    await expect.poll(() => page.locator(`[data-testid="counters-${target}"]`).count(), { timeout: 15_000 }).toBe(1);
    const first = await counter(page, target, 'in');
    await expect.poll(() => counter(page, target as string, 'in'), { timeout: 20_000 }).toBeGreaterThan(first);
  }, 180_000);

  it('reopens where the user left it, and Fit view shows all of it again', async () => {
    const picked = await page.locator('.react-flow__node.selected').getAttribute('data-id');
    const zoomBefore = await zoom(page);
    // Let the view be remembered (it is, when a move ends), then reload.
    await page.waitForTimeout(500);
    await page.reload();
    await expect.poll(() => page.locator(`[data-testid="node-${picked}"]`).count(), { timeout: 60_000 }).toBe(1);
    expect(Math.abs((await zoom(page)) - zoomBefore)).toBeLessThan(0.01);
    expect(await drawnNodes(page)).toBeLessThan(100);

    await page.locator('.react-flow__controls-fitview').click();
    await expect.poll(() => drawnNodes(page), { timeout: 60_000 }).toBe(1000);
    expect(await zoom(page)).toBeLessThan(0.2);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
