/**
 * Issue 13, "Organise": a user coming from Node-RED adds a comment, groups two nodes, moves the group (its nodes go
 * with it), undoes and redoes the move, saves, reloads and finds all of it, copies the group and deletes it, in headless Chromium against the real server.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../src/flow/index.js';
import { chromiumMissing } from './support/chromium.js';
import { dragFromPalette, openEditor } from './support/editor-page.js';
import { editorJourney } from './support/journey.js';

const skip = chromiumMissing();

async function box(page: Page, selector: string) {
  const b = await page.locator(selector).boundingBox();
  if (!b) throw new Error(`${selector} is not visible`);
  return b;
}

describe.skipIf(skip !== undefined)('comments and groups in the editor', () => {
  const j = editorJourney();

  it('a user adds a comment, groups two nodes, moves the group, saves, reloads and finds them', async () => {
    const gen = await dragFromPalette(j.page, 'generate', 160, 380);
    const log = await dragFromPalette(j.page, 'debug', 420, 380);

    // A comment: added from the toolbar, its text typed after a double-click.
    await j.page.getByTestId('add-comment').click();
    const comment = j.page.getByTestId('comment-comment-1');
    await expect.poll(() => comment.count()).toBe(1);
    await comment.dblclick();
    const text = j.page.getByRole('textbox', { name: 'Comment text' });
    await text.fill('Readings arrive every second');
    await j.page.keyboard.press('Control+Enter');
    await expect.poll(() => comment.textContent()).toBe('Readings arrive every second');

    // Select both nodes (click, Ctrl+click) and group them; then name the group.
    await j.page.locator(`[data-testid="node-${gen}"] [class*="header"]`).click();
    await j.page.locator(`[data-testid="node-${log}"] [class*="header"]`).click({ modifiers: ['Control'] });
    await j.page.getByTestId('group-selection').click();
    const frame = '[data-testid="group-group-1"]';
    await expect.poll(() => j.page.locator(frame).count()).toBe(1);
    await j.page.getByTestId('group-title-group-1').dblclick();
    await j.page.getByRole('textbox', { name: 'Group title' }).fill('Ingest');
    await j.page.keyboard.press('Enter');
    await expect.poll(() => j.page.getByTestId('group-title-group-1').textContent()).toBe('Ingest');
    // The selected frame offers colours.
    await j.page.getByRole('button', { name: 'Colour #10b981' }).click();
    await expect
      .poll(() => j.page.locator(frame).evaluate((el) => getComputedStyle(el).borderTopColor))
      .toBe('rgb(16, 185, 129)');
    // A node inside the selected frame can still be picked (the frame stays under its nodes).
    await j.page.locator(`[data-testid="node-${gen}"] [class*="header"]`).click();
    await expect.poll(() => j.page.getByTestId('node-properties').count()).toBe(1);

    // The frame is drawn around both nodes.
    const f0 = await box(j.page, frame);
    for (const id of [gen, log]) {
      const n = await box(j.page, `[data-testid="node-${id}"]`);
      expect(n.x).toBeGreaterThan(f0.x);
      expect(n.y).toBeGreaterThan(f0.y);
      expect(n.x + n.width).toBeLessThan(f0.x + f0.width);
      expect(n.y + n.height).toBeLessThan(f0.y + f0.height);
    }

    // Drag the frame by its title bar: both nodes move with it.
    const g0 = await box(j.page, `[data-testid="node-${gen}"]`);
    const l0 = await box(j.page, `[data-testid="node-${log}"]`);
    const grab = { x: f0.x + f0.width - 30, y: f0.y + 12 };
    await j.page.mouse.move(grab.x, grab.y);
    await j.page.mouse.down();
    await j.page.mouse.move(grab.x + 60, grab.y + 50, { steps: 6 });
    await j.page.mouse.move(grab.x + 120, grab.y + 100, { steps: 6 });
    await j.page.mouse.up();
    const g1 = await box(j.page, `[data-testid="node-${gen}"]`);
    const l1 = await box(j.page, `[data-testid="node-${log}"]`);
    // The grid snaps to 10 px.
    expect(Math.abs(g1.x - g0.x - 120)).toBeLessThanOrEqual(10);
    expect(Math.abs(g1.y - g0.y - 100)).toBeLessThanOrEqual(10);
    expect(l1.x - l0.x).toBeCloseTo(g1.x - g0.x, 0);
    expect(l1.y - l0.y).toBeCloseTo(g1.y - g0.y, 0);

    // The move is one undo step.
    await j.page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await j.page.keyboard.press('Control+Z');
    await expect
      .poll(async () => Math.round((await box(j.page, `[data-testid="node-${gen}"]`)).x))
      .toBe(Math.round(g0.x));
    await j.page.keyboard.press('Control+Shift+Z');
    await expect
      .poll(async () => Math.round((await box(j.page, `[data-testid="node-${gen}"]`)).x))
      .toBe(Math.round(g1.x));

    // Save; the server has the comment, the group and the moved nodes.
    await j.page.keyboard.press('Control+S');
    let saved: FlowDocument | undefined;
    await expect
      .poll(async () => {
        const list = (await (await fetch(`${j.srv.url}/api/flows`)).json()) as Array<{ id: string }>;
        if (list.length !== 1) return undefined;
        saved = ((await (await fetch(`${j.srv.url}/api/flows/${list[0].id}`)).json()) as { flow: FlowDocument }).flow;
        return saved.groups;
      })
      .toEqual([{ id: 'group-1', name: 'Ingest', color: '#10b981', nodes: [gen, log] }]);
    expect(saved?.comments).toEqual([
      expect.objectContaining({ id: 'comment-1', text: 'Readings arrive every second' }),
    ]);

    // Reload the page: the comment and the titled frame around both nodes are back.
    await j.page.goto('about:blank');
    await openEditor(j.page, `${j.srv.url}/#flow=${saved?.id}`);
    await expect.poll(() => j.page.getByTestId('comment-comment-1').textContent()).toBe('Readings arrive every second');
    await expect.poll(() => j.page.getByTestId('group-title-group-1').textContent()).toBe('Ingest');
    const f2 = await box(j.page, frame);
    for (const id of [gen, log]) {
      const n = await box(j.page, `[data-testid="node-${id}"]`);
      expect(n.x).toBeGreaterThan(f2.x);
      expect(n.x + n.width).toBeLessThan(f2.x + f2.width);
    }

    // Copy and paste of the selected frame brings a second group around copies of its nodes; undo takes it away.
    const frames = () => j.page.locator('.react-flow__node-group-frame').count();
    await j.page.mouse.click(f2.x + f2.width - 30, f2.y + 12);
    await j.page.keyboard.press('Control+C');
    await j.page.keyboard.press('Control+V');
    await expect.poll(frames).toBe(2);
    await expect.poll(() => j.page.locator('.react-flow__node-sluice').count()).toBe(4);
    await j.page.keyboard.press('Control+Z');
    await expect.poll(frames).toBe(1);
    await expect.poll(() => j.page.locator('.react-flow__node-sluice').count()).toBe(2);

    // Deleting the group keeps its nodes.
    await j.page.mouse.click(f2.x + f2.width - 30, f2.y + 12);
    await j.page.keyboard.press('Delete');
    await expect.poll(() => j.page.locator(frame).count()).toBe(0);
    expect(await j.page.locator(`[data-testid="node-${gen}"]`).count()).toBe(1);
    expect(await j.page.locator(`[data-testid="node-${log}"]`).count()).toBe(1);
    expect(j.pageErrors).toEqual([]);
  }, 120_000);
});
