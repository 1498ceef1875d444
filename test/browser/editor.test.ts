/**
 * The editor as a new user meets it, in headless Chromium against the real server: build generate -> transform ->
 * filter -> debug from the palette, fix a validation error, undo/redo, deploy and watch counters and debug
 * messages, export and import back, copy/paste, try it, and a stale-save conflict.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import {
  connect,
  counter,
  dragFromPalette,
  dragHandle,
  field,
  handle,
  openEditor,
  selectNode,
  setExpression,
  setInput,
} from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();

describe.skipIf(skip !== undefined)('editor in the browser', () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const ids = { gen: '', map: '', filter: '', debug: '' };

  beforeAll(async () => {
    srv = await startEditorServer();
    browser = await launchChromium();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) cspViolations.push(m.text());
    });
    await openEditor(page, srv.url);
  }, 120_000);

  afterEach(async (ctx) => {
    // A failing step leaves a picture of the page behind for whoever debugs it.
    if (ctx.task.result?.state === 'fail' && page) {
      await page.screenshot({ path: `test/.tmp/failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png` }).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('builds generate -> transform -> filter -> debug by dragging from the palette and connecting handles', async () => {
    ids.gen = await dragFromPalette(page, 'generate', 160, 200);
    ids.map = await dragFromPalette(page, 'transform', 420, 200);
    ids.filter = await dragFromPalette(page, 'filter', 680, 200);
    ids.debug = await dragFromPalette(page, 'debug', 680, 380);
    expect(ids).toEqual({ gen: 'generate-1', map: 'transform-1', filter: 'filter-1', debug: 'debug-1' });
    // Captions come from the definitions.
    await expect.poll(() => page.locator(`[data-testid="node-${ids.map}"]`).textContent()).toContain('Transform');

    await connect(page, ids.gen, 'out', ids.map);
    await connect(page, ids.map, 'out', ids.filter);
    await connect(page, ids.filter, 'out', ids.debug);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    // Every node has the implicit error output.
    await expect.poll(() => handle(page, ids.map, 'out', 'error').count()).toBe(1);
  }, 60_000);

  it('refuses invalid connections and says why', async () => {
    const notice = page.locator('[data-testid="notice-error"]').last();
    // Input to input.
    await dragHandle(page, handle(page, ids.filter, 'in', 'in'), handle(page, ids.debug, 'in', 'in'));
    await expect.poll(() => notice.textContent()).toMatch(/Both ends are inputs/);
    // A cycle.
    await dragHandle(page, handle(page, ids.filter, 'out', 'out'), handle(page, ids.map, 'in', 'in'));
    await expect.poll(() => notice.textContent()).toMatch(/cycle/);
    // A duplicate.
    await dragHandle(page, handle(page, ids.map, 'out', 'out'), handle(page, ids.filter, 'in', 'in'));
    await expect.poll(() => notice.textContent()).toMatch(/already connected/);
    // Onto a source, which has no input.
    await dragHandle(page, handle(page, ids.filter, 'out', 'error'), page.locator(`[data-testid="node-${ids.gen}"]`));
    await expect.poll(() => notice.textContent()).toMatch(/is a source: it takes no input/);
    expect(await page.locator('.react-flow__edge').count()).toBe(3);
  }, 60_000);

  it('fills the forms; a bad value shows inline and as a badge, and fixing it clears both', async () => {
    await selectNode(page, ids.gen);
    await setInput(page, ids.gen, 'intervalMs', '-5');
    await expect.poll(() => page.locator(`[data-testid="badge-${ids.gen}"]`).count()).toBe(1);
    await expect.poll(() => field(page, ids.gen, 'intervalMs').locator('[data-testid="field-error"]').textContent()).toMatch(/>= 0|minimum|at least/);
    await setInput(page, ids.gen, 'intervalMs', '100');
    await expect.poll(() => page.locator(`[data-testid="badge-${ids.gen}"]`).count()).toBe(0);
    await expect.poll(() => field(page, ids.gen, 'intervalMs').locator('[data-testid="field-error"]').count()).toBe(0);

    await selectNode(page, ids.map);
    await setExpression(page, ids.map, 'expression', '{"device": payload.device, "tempF": payload.temp * 1.8 + 32');
    // Syntax is checked as you type.
    await expect.poll(() => field(page, ids.map, 'expression').locator('[data-testid="syntax-error"]').count()).toBe(1);
    await page.keyboard.insertText('}');
    await expect.poll(() => field(page, ids.map, 'expression').locator('[data-testid="syntax-error"]').count()).toBe(0);
    await page.locator('#node-name').fill('To Fahrenheit');

    await selectNode(page, ids.filter);
    await setExpression(page, ids.filter, 'condition', 'payload.tempF > -1000');
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await expect.poll(() => page.locator('[data-testid="no-problems"]').count()).toBe(1);
  }, 60_000);

  it('undoes and redoes edits', async () => {
    const edges = () => page.locator('.react-flow__edge').count();
    await page.locator(`[data-testid="node-${ids.filter}"] [class*="header"]`).click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator(`[data-testid="node-${ids.filter}"]`).count()).toBe(0);
    expect(await edges()).toBe(1);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => page.locator(`[data-testid="node-${ids.filter}"]`).count()).toBe(1);
    expect(await edges()).toBe(3);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => page.locator(`[data-testid="node-${ids.filter}"]`).count()).toBe(0);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => edges()).toBe(3);
  }, 60_000);

  it('deploys: node status, rising counters and messages in the debug panel', async () => {
    await page.keyboard.press('Escape');
    await page.locator('#flow-name').fill('Browser test flow');
    await page.locator('[data-testid="deploy"]').click();
    await expect.poll(() => page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 15_000 }).toContain('Running this flow');
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').first().getAttribute('data-dirty')).toBe('no');
    await expect.poll(() => counter(page, ids.debug, 'in'), { timeout: 15_000 }).toBeGreaterThan(2);
    const first = await counter(page, ids.gen, 'out');
    await expect.poll(() => counter(page, ids.gen, 'out'), { timeout: 10_000 }).toBeGreaterThan(first);
    await expect.poll(() => page.locator(`[data-testid="status-${ids.gen}"]`).count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid="debug-entry"]').count(), { timeout: 10_000 }).toBeGreaterThan(2);
    const entry = page.locator('[data-testid="debug-entry"]').first();
    expect(await entry.textContent()).toContain('tempF');
    await entry.locator('button[aria-expanded]').click();
    await expect.poll(() => entry.locator('[data-testid="payload-tree"]').count()).toBe(1);
    // Pausing freezes the view while the flow keeps running.
    await page.locator('[data-testid="debug-pause"]').click();
    const frozen = await page.locator('[data-testid="debug-entry"]').first().textContent();
    await page.waitForTimeout(600);
    expect(await page.locator('[data-testid="debug-entry"]').first().textContent()).toBe(frozen);
    await expect.poll(() => page.locator('[data-testid="debug-pause"]').textContent()).toMatch(/new/);
    await page.locator('[data-testid="debug-pause"]').click();
  }, 90_000);
});
