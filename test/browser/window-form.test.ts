/**
 * The window node's form as a user meets it, in headless Chromium against the real server: drag generate -> window
 * -> debug onto the canvas, configure a 1-minute average per device, see only the fields that apply, be told when a
 * count window could never fill under the flow's in-flight bound, fix it, and end with no validation problems.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import {
  connect,
  dragFromPalette,
  field,
  openEditor,
  selectNode,
  setExpression,
  setInput,
} from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();

describe.skipIf(skip !== undefined)('window node form in the browser', () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    srv = await startEditorServer();
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openEditor(page, srv.url);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      await page
        .screenshot({ path: `test/.tmp/failed-window-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png` })
        .catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  const visible = (name: string) => field(page, 'window-1', name).isVisible();
  const select = (name: string) => field(page, 'window-1', name).locator('select');

  it('configures a 1-minute average per device with no validation errors', async () => {
    const gen = await dragFromPalette(page, 'generate', 160, 200);
    const win = await dragFromPalette(page, 'window', 420, 200);
    const dbg = await dragFromPalette(page, 'debug', 680, 200);
    expect(win).toBe('window-1');
    await expect.poll(() => page.locator(`[data-testid="node-${win}"]`).textContent()).toContain('Window');
    await connect(page, gen, 'out', win);
    await connect(page, win, 'out', dbg);

    await selectNode(page, win);
    // Time windows by arrival: the count and event-time fields are not shown.
    await expect.poll(() => visible('windowMs')).toBe(true);
    expect(await visible('count')).toBe(false);
    expect(await visible('eventTime')).toBe(false);
    expect(await visible('slideMs')).toBe(false);
    await setInput(page, win, 'windowMs', '60000');
    await setExpression(page, win, 'key', 'payload.device');
    await expect.poll(() => select('aggregate').locator('option:checked').textContent()).toBe('avg');
    await setExpression(page, win, 'value', 'payload.temp');

    // Event time shows its fields; back to arrival hides them again.
    await select('time').selectOption('event');
    await expect.poll(() => visible('eventTime')).toBe(true);
    expect(await visible('allowedLatenessMs')).toBe(true);
    await select('time').selectOption('arrival');
    await expect.poll(() => visible('eventTime')).toBe(false);

    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await expect.poll(() => page.locator('[data-testid="no-problems"]').count()).toBe(1);
    await expect.poll(() => page.locator(`[data-testid="badge-${win}"]`).count()).toBe(0);
  }, 90_000);

  it('a count window larger than the in-flight bound is refused with the setting to change; fixing it clears it', async () => {
    await selectNode(page, 'window-1');
    await select('by').selectOption('count');
    await expect.poll(() => visible('count')).toBe(true);
    expect(await visible('windowMs')).toBe(false);
    await setInput(page, 'window-1', 'count', '5000');
    await expect.poll(() => page.locator('[data-testid="badge-window-1"]').count()).toBe(1);
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    const problems = page.locator('[data-testid="problems"]');
    await expect.poll(() => problems.textContent()).toContain('holds 5000 messages before it can emit');
    // In the form's words: the field's label, not its name.
    expect(await problems.textContent()).toContain(
      'lower Messages per window to at most 1000, or raise settings.maxInFlight',
    );
    await selectNode(page, 'window-1');
    await setInput(page, 'window-1', 'count', '100');
    await expect.poll(() => page.locator('[data-testid="badge-window-1"]').count()).toBe(0);
    await select('by').selectOption('time');
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await expect.poll(() => page.locator('[data-testid="no-problems"]').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
