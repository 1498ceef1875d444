/**
 * Issue 13, "Large flows": a user opens a 1,000-node flow and sees all of it (zoomed that far out, as an overview drawn
 * on one canvas: no caption could be read), picks a node there and zooms to it, zooms in and pans (the editor then
 * draws the nodes in view, editable), deploys it, picks a node that is off-screen from its message in the debug panel
 * and watches its counters rise, sees a failing node marked on the overview, reloads and finds the flow where they
 * left it, and fits it into view again; in headless Chromium against the real server.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHAIN_TYPES, chainFlow, chainPosition, screenOf, viewTransform } from './support/chain-flow.js';
import { chromiumMissing } from './support/chromium.js';
import { counter } from './support/editor-page.js';
import { editorJourney, storeFlow } from './support/journey.js';

const skip = chromiumMissing();

/** 250 chains, five to a row: 1,000 nodes, 750 edges; each debug node named (the debug panel names nodes so). */
function largeFlow(id: string): Record<string, unknown> {
  return chainFlow({ chains: 250, id, name: 'A thousand nodes', intervalMs: 3000, namedLogs: true });
}

const drawnNodes = (page: Page) => page.locator('.react-flow__node').count();
const zoom = async (page: Page) => (await viewTransform(page))[2];
/** What the overview canvas drew (it says so on itself: a test cannot look into a canvas). */
const overview = async (page: Page) => {
  const el = page.getByTestId('overview');
  if ((await el.count()) === 0) return undefined;
  return { nodes: Number(await el.getAttribute('data-nodes')), wires: Number(await el.getAttribute('data-wires')) };
};
/** Where node `id` of the generated flow is on the screen, `dx`/`dy` flow units into it. */
function screenPoint(page: Page, id: string, dx = 40, dy = 20): Promise<{ x: number; y: number }> {
  const [chain, type] = id.split('-');
  const at = chainPosition(Number(chain.slice(1)), CHAIN_TYPES.indexOf(type as (typeof CHAIN_TYPES)[number]));
  return screenOf(page, { x: at.x + dx, y: at.y + dy });
}

/** A point of the pane near `p` (screen) where no node is: the gap right of a node and below it. */
async function gapNear(page: Page, p: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const [tx, ty, z] = await viewTransform(page);
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no canvas pane');
  const flow = { x: (p.x - pane.x - tx) / z, y: (p.y - pane.y - ty) / z };
  const at = chainPosition(0, 0);
  return screenOf(page, {
    x: Math.floor((flow.x - at.x) / 240) * 240 + 210,
    y: Math.floor((flow.y - at.y) / 140) * 140 + 106,
  });
}

/** The generated flow's nodes that are in view but not drawn (none, when the editor keeps up with the view). */
async function missingInView(page: Page): Promise<string[]> {
  const [tx, ty, z] = await viewTransform(page);
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no canvas pane');
  const drawn = new Set(
    await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))),
  );
  const missing: string[] = [];
  for (let c = 0; c < 250; c++)
    CHAIN_TYPES.forEach((type, i) => {
      const at = chainPosition(c, i);
      const [x, y] = [tx + at.x * z, ty + at.y * z];
      // Well inside the pane (a node straddling its edge may be culled a frame later).
      const inView = x > 20 && x + 180 * z < pane.width - 20 && y > 20 && y + 72 * z < pane.height - 20;
      if (inView && !drawn.has(`c${c}-${type}`)) missing.push(`c${c}-${type}`);
    });
  return missing;
}

describe.skipIf(skip !== undefined)('a 1,000-node flow in the editor', () => {
  const flowId = `large-${Date.now().toString(36)}`;
  const j = editorJourney({ open: false, prepare: (srv) => storeFlow(srv, largeFlow(flowId)) });

  it('opens fitted as an overview of every node and wire; a click there selects a node, Shift+drag encloses some, a double-click zooms to one', async () => {
    await j.page.goto(`${j.srv.url}/?flow=${flowId}`);
    await expect.poll(() => overview(j.page), { timeout: 60_000 }).toEqual({ nodes: 1000, wires: 750 });
    expect(await zoom(j.page)).toBeLessThan(0.2);
    // Zoomed this far out nothing is in the DOM: one canvas draws it all, and says what the user can do there.
    expect(await drawnNodes(j.page)).toBe(0);
    expect(await j.page.locator('.react-flow__edge').count()).toBe(0);
    await expect.poll(() => j.page.getByTestId('overview-hint').textContent()).toContain('double-click to zoom');
    // No minimap by default on a flow this size; the button shows it.
    expect(await j.page.locator('.react-flow__minimap').count()).toBe(0);
    await j.page.getByTestId('toggle-minimap').click();
    await expect.poll(() => j.page.locator('.react-flow__minimap').count()).toBe(1);
    await j.page.getByTestId('toggle-minimap').click();
    await expect.poll(() => j.page.locator('.react-flow__minimap').count()).toBe(0);

    // A click on a node of the overview selects it: its properties open.
    const at = await screenPoint(j.page, 'c37-filter');
    await j.page.mouse.click(at.x, at.y);
    await expect.poll(() => j.page.getByTestId('node-properties').textContent()).toContain('c37-filter');
    // A click between nodes selects nothing (the flow's properties again).
    const gap = await screenPoint(j.page, 'c37-filter', 210, 20);
    await j.page.mouse.click(gap.x, gap.y);
    await expect.poll(() => j.page.getByTestId('node-properties').count()).toBe(0);

    // Shift+drag a rectangle around one chain (mid-canvas: near an edge the view pans along): its four nodes.
    const from = await screenPoint(j.page, 'c100-generate', -20, -20);
    const to = await screenPoint(j.page, 'c100-debug', 200, 90);
    await j.page.keyboard.down('Shift');
    await j.page.mouse.move(from.x, from.y);
    await j.page.mouse.down();
    for (let i = 1; i <= 5; i++)
      await j.page.mouse.move(from.x + ((to.x - from.x) * i) / 5, from.y + ((to.y - from.y) * i) / 5);
    await j.page.mouse.up();
    await j.page.keyboard.up('Shift');
    await expect.poll(() => j.page.getByText('4 nodes selected').count()).toBe(1);

    // A double-click on a node zooms to it: drawn, editable and selected.
    const again = await screenPoint(j.page, 'c42-transform');
    await j.page.mouse.dblclick(again.x, again.y);
    const node = j.page.locator('[data-testid="node-c42-transform"]');
    await expect.poll(() => node.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => node.locator('xpath=..').getAttribute('class')).toContain('selected');
    expect(await zoom(j.page)).toBeGreaterThan(0.4);
    expect(await j.page.getByTestId('overview').count()).toBe(0);
    await expect.poll(() => drawnNodes(j.page)).toBeLessThan(100);

    // Fit view goes back to the overview.
    await j.page.locator('.react-flow__controls-fitview').click();
    await expect.poll(() => overview(j.page), { timeout: 30_000 }).toEqual({ nodes: 1000, wires: 750 });
    expect(await drawnNodes(j.page)).toBe(0);
  }, 180_000);

  it('zooms in and pans drawing only the nodes in view', async () => {
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

    // Further, several screens down: whatever comes into view is drawn, however far from where the flow opened.
    const startY = (await viewTransform(j.page))[1];
    for (let screen = 0; screen < 4; screen++) {
      // Grab the pane between nodes (grabbing a node would move it instead).
      const from = await gapNear(j.page, mid);
      await j.page.mouse.move(from.x, from.y);
      await j.page.mouse.down();
      for (let i = 1; i <= 10; i++) await j.page.mouse.move(from.x - i * 5, from.y - i * 40);
      await j.page.mouse.up();
    }
    // Three screens and more: beyond what was around the view before.
    expect(startY - (await viewTransform(j.page))[1]).toBeGreaterThan(1400);
    await expect.poll(() => missingInView(j.page)).toEqual([]);
    expect(await drawnNodes(j.page)).toBeLessThan(100);
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

    // The debug panel's node filter lists all 250 debug nodes by name once the user comes to it (not before: on
    // open it would be most of the page's elements), and picking one shows only that node's messages.
    const filter = j.page.getByLabel('Filter by node');
    expect(await filter.locator('option').count()).toBeLessThan(5);
    await filter.hover();
    await expect.poll(() => filter.locator('option').count()).toBe(2 + 250);
    const name = `Log ${/^c(\d+)-debug$/.exec(target)?.[1]}`;
    await filter.selectOption({ label: name });
    await expect
      .poll(() => j.page.locator('[data-testid="debug-entry"]').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    const shown = await j.page.locator('[data-testid="debug-entry"] button').allTextContents();
    expect(new Set(shown.filter((s) => /^Log \d+$/.test(s)))).toEqual(new Set([name]));
    await filter.selectOption({ label: 'All messages' });
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
    await expect.poll(() => overview(j.page), { timeout: 60_000 }).toEqual({ nodes: 1000, wires: 750 });
    expect(await zoom(j.page)).toBeLessThan(0.2);
    // The running flow's nodes carry their status on the overview too: a green dot in each node's top-right corner.
    const z = await zoom(j.page);
    const dot = await screenPoint(j.page, 'c120-filter', 180 - 12, 12);
    const canvasBox = (await j.page.getByTestId('overview').boundingBox())!;
    const rgb = await j.page
      .getByTestId('overview')
      .evaluate(
        (el, p) =>
          Array.from((el as HTMLCanvasElement).getContext('2d')!.getImageData(p.x, p.y, 1, 1).data.slice(0, 3)),
        { x: Math.round(dot.x - canvasBox.x), y: Math.round(dot.y - canvasBox.y) },
      );
    // Green (#2f9e6e) over the node's white body, blended at its edge: green leads.
    const [r, g, b] = rgb;
    expect({ zoom: z, greenLeads: g > r + 30 && g > b + 10 }).toEqual({ zoom: z, greenLeads: true });
    expect(j.pageErrors).toEqual([]);
  }, 180_000);
});
