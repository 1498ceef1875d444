/**
 * Issue 13, "Large flows": a user opens a 1,000-node flow, sees all of it, zooms in and pans (the editor then draws only
 * the nodes in view), deploys it, picks a node that is off-screen from its message in the debug panel and watches its
 * counters rise, reloads and finds the flow where they left it, and fits it into view again; in headless Chromium
 * against the real server.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/chromium.js';
import { counter } from './support/editor-page.js';
import { editorJourney, storeFlow } from './support/journey.js';

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
  const flowId = `large-${Date.now().toString(36)}`;
  const j = editorJourney({ open: false, prepare: (srv) => storeFlow(srv, largeFlow(flowId)) });

  it('opens fitted with every node drawn, zooms in and pans drawing only what is in view', async () => {
    await j.page.goto(`${j.srv.url}/?flow=${flowId}`);
    await expect.poll(() => drawnNodes(j.page), { timeout: 60_000 }).toBe(1000);
    await expect.poll(() => j.page.locator('.react-flow__edge').count(), { timeout: 30_000 }).toBe(750);
    expect(await zoom(j.page)).toBeLessThan(0.2);
    // No minimap by default on a flow this size (it would repaint 1,000 nodes on every pan frame); the button shows it.
    expect(await j.page.locator('.react-flow__minimap').count()).toBe(0);
    await j.page.getByTestId('toggle-minimap').click();
    await expect.poll(() => j.page.locator('.react-flow__minimap').count()).toBe(1);
    await j.page.getByTestId('toggle-minimap').click();
    await expect.poll(() => j.page.locator('.react-flow__minimap').count()).toBe(0);

    // Zoom in on the middle of the canvas with the wheel, as a user does.
    const pane = await j.page.locator('.react-flow__pane').boundingBox();
    if (!pane) throw new Error('no canvas');
    const mid = { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 };
    await j.page.mouse.move(mid.x, mid.y);
    for (let i = 0; i < 8 && (await zoom(j.page)) < 0.9; i++) {
      await j.page.mouse.wheel(0, -400);
      await j.page.waitForTimeout(200);
    }
    expect(await zoom(j.page)).toBeGreaterThan(0.9);
    await expect.poll(() => drawnNodes(j.page)).toBeLessThan(100);
    const before = await j.page
      .locator('.react-flow__node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));

    // Pan: drag the pane two screens to the left; other nodes come into view, drawn and measured.
    await j.page.mouse.move(mid.x + 300, mid.y);
    await j.page.mouse.down();
    for (let i = 1; i <= 20; i++) await j.page.mouse.move(mid.x + 300 - i * 30, mid.y - i * 10);
    await j.page.mouse.up();
    await expect
      .poll(async () => {
        const now = await j.page
          .locator('.react-flow__node')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
        return now.filter((id) => !before.includes(id)).length;
      })
      .toBeGreaterThan(0);
    expect(await drawnNodes(j.page)).toBeLessThan(100);
    const hidden = await j.page
      .locator('.react-flow__node')
      .evaluateAll((els) => els.filter((e) => (e as HTMLElement).style.visibility === 'hidden').length);
    expect(hidden).toBe(0);
  }, 180_000);

  it('deployed: a node off-screen is picked from its message in the debug panel and its counters rise', async () => {
    await j.page.locator('[data-testid="deploy"]').click();
    await expect
      .poll(() => j.page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 60_000 })
      .toContain('Running this flow');
    const dismiss = j.page.getByLabel('Dismiss the deploy report');
    if ((await dismiss.count()) > 0) await dismiss.click();

    // A message from a debug node that is not drawn now (out of view).
    const drawn = new Set(
      await j.page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))),
    );
    let target: string | undefined;
    await expect
      .poll(
        async () => {
          const names = await j.page.locator('[data-testid="debug-entry"] button').allTextContents();
          const ids = names.map((n) => /^Log (\d+)$/.exec(n)?.[1]).map((c) => (c === undefined ? '' : `c${c}-debug`));
          target = ids.find((id) => id !== '' && !drawn.has(id));
          return target !== undefined;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    if (!target) throw new Error('no message from an off-screen node');
    expect(await j.page.locator(`[data-testid="node-${target}"]`).count()).toBe(0);

    // Clicking its name brings the node into view, selected, with its properties.
    await j.page
      .locator('[data-testid="debug-entry"] button', {
        hasText: new RegExp(`^Log ${/^c(\d+)-debug$/.exec(target)?.[1]}$`),
      })
      .first()
      .click();
    const node = j.page.locator(`[data-testid="node-${target}"]`);
    await expect.poll(() => node.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => node.locator('xpath=..').getAttribute('class')).toContain('selected');
    await expect.poll(() => j.page.getByTestId('node-properties').count()).toBe(1);
    const box = await node.boundingBox();
    const pane = await j.page.locator('.react-flow__pane').boundingBox();
    if (!box || !pane) throw new Error('node or canvas not visible');
    expect(box.x).toBeGreaterThanOrEqual(pane.x);
    expect(box.x + box.width).toBeLessThanOrEqual(pane.x + pane.width);

    // Its counters, drawn on the node, keep rising while the flow runs.
    await expect.poll(() => j.page.locator(`[data-testid="counters-${target}"]`).count(), { timeout: 15_000 }).toBe(1);
    const first = await counter(j.page, target, 'in');
    await expect.poll(() => counter(j.page, target as string, 'in'), { timeout: 20_000 }).toBeGreaterThan(first);
  }, 180_000);

  it('reopens where the user left it, and Fit view shows all of it again', async () => {
    const picked = await j.page.locator('.react-flow__node.selected').getAttribute('data-id');
    const zoomBefore = await zoom(j.page);
    // Let the view be remembered (it is, when a move ends), then reload.
    await j.page.waitForTimeout(500);
    await j.page.reload();
    await expect.poll(() => j.page.locator(`[data-testid="node-${picked}"]`).count(), { timeout: 60_000 }).toBe(1);
    expect(Math.abs((await zoom(j.page)) - zoomBefore)).toBeLessThan(0.01);
    expect(await drawnNodes(j.page)).toBeLessThan(100);

    await j.page.locator('.react-flow__controls-fitview').click();
    await expect.poll(() => drawnNodes(j.page), { timeout: 60_000 }).toBe(1000);
    expect(await zoom(j.page)).toBeLessThan(0.2);
    expect(j.pageErrors).toEqual([]);
  }, 180_000);
});
