/** What a user does in the editor, as Playwright steps: drag from the palette, connect handles, fill fields. */
import type { Locator, Page } from 'playwright-core';

export async function openEditor(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('.react-flow__pane');
  await page.waitForSelector('[data-testid="runtime-state"]');
}

/** Opens the editor on a stored flow, as a fresh page load (a hash change alone does not reopen the app). */
export async function openStoredFlow(page: Page, url: string, id: string): Promise<void> {
  await page.goto('about:blank');
  await openEditor(page, `${url}/#flow=${id}`);
}

/** Opens a bottom-panel tab (a click on the open one would collapse the panel). */
export async function showBottom(page: Page, name: string): Promise<void> {
  // The tab's name carries its count ("Debug 12").
  const tab = page.getByRole('tab', { name: new RegExp(`^${name}`) });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element not visible');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a node type from the palette onto the canvas at (x, y) relative to the canvas; returns the new node's id. */
export async function dragFromPalette(page: Page, type: string, x: number, y: number): Promise<string> {
  const before = new Set(
    await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id)),
  );
  await page.dragAndDrop(`[data-testid="palette-${type}"]`, '.react-flow__pane', { targetPosition: { x, y } });
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length > n, before.size);
  const after = await page
    .locator('.react-flow__node')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id));
  const id = after.find((i) => i && !before.has(i));
  if (!id) throw new Error(`no new ${type} node`);
  return id;
}

export function handle(page: Page, nodeId: string, side: 'in' | 'out', port: string): Locator {
  return page.locator(`[data-testid="handle-${nodeId}-${side}-${port}"]`);
}

/** Drags with the mouse from one handle to another, in small steps as a person would. */
export async function dragHandle(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await centre(from);
  const b = await centre(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 10, { steps: 8 });
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

export async function connect(page: Page, from: string, fromPort: string, to: string, toPort = 'in'): Promise<void> {
  const edges = await page.locator('.react-flow__edge').count();
  await dragHandle(page, handle(page, from, 'out', fromPort), handle(page, to, 'in', toPort));
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__edge').length > n, edges);
}

export async function selectNode(page: Page, id: string): Promise<void> {
  await page.getByRole('tab', { name: 'Properties' }).click();
  await page.locator(`[data-testid="node-${id}"] [class*="header"]`).click();
  await page.waitForSelector('[data-testid="node-properties"]');
}

/** The wrapper of a config field in the property form (rjsf ids: `cfg-<node>_<field>`). */
export function field(page: Page, nodeId: string, name: string): Locator {
  return page.locator(`[data-field="cfg-${nodeId}_${name}"]`);
}

/** Replaces the text of an expression (CodeMirror) field. */
export async function setExpression(page: Page, nodeId: string, name: string, text: string): Promise<void> {
  const content = field(page, nodeId, name).locator('.cm-content');
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

export async function setInput(page: Page, nodeId: string, name: string, text: string): Promise<void> {
  const input = field(page, nodeId, name).locator('input').first();
  await input.fill(text);
}

export async function counter(page: Page, nodeId: string, which: 'in' | 'out' | 'failed'): Promise<number> {
  const text = await page.locator(`[data-testid="counters-${nodeId}"] [data-counter="${which}"]`).textContent();
  return Number(text ?? 'NaN');
}
