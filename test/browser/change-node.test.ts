/**
 * The change node's form as a user meets it: drag a change node in, write a rule, see a bad field and a bad
 * expression flagged inline and on the node, fix them, switch the rule to "move" and see the form follow.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { dragFromPalette, field, openEditor, selectNode } from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();

describe.skipIf(skip !== undefined)('change node in the editor', () => {
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
        .screenshot({ path: `test/.tmp/failed-change-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png` })
        .catch(() => undefined);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  const rule = (id: string, name: string) => field(page, id, `rules_0_${name}`);
  const chosen = (id: string, name: string) =>
    rule(id, name)
      .locator('select')
      .evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent);
  /** Problems on the node's badge (an unconnected input is one of them). */
  const problems = (id: string) => page.locator(`[data-testid="badge-${id}"]`).textContent();

  it('adds a change node, writes a rule, sees it validate, and the form follows the action', async () => {
    const id = await dragFromPalette(page, 'change', 300, 200);
    await selectNode(page, id);
    // The default rule reads as a sentence: set headers.source to the string "sluice".
    await expect.poll(() => chosen(id, 'action')).toBe('set');
    expect(await chosen(id, 'valueType')).toBe('string');
    expect(await problems(id)).toBe('1'); // the input is not connected yet
    expect(await rule(id, 'field').locator('input').inputValue()).toBe('headers.source');
    expect(await rule(id, 'value').locator('input').inputValue()).toBe('sluice');
    expect(await rule(id, 'to').count()).toBe(0); // only for move and copy

    // A field that is not one of the message's: flagged at the field and on the node.
    await rule(id, 'field').locator('input').fill('body.temp');
    await expect.poll(() => problems(id)).toBe('2');
    await expect
      .poll(() => rule(id, 'field').locator('[data-testid="field-error"]').textContent())
      .toContain('must start with payload, topic, key or headers');
    await rule(id, 'field').locator('input').fill('payload.tempF');

    // A JSONata value with a syntax error, then fixed.
    await rule(id, 'valueType').locator('select').selectOption('jsonata');
    await rule(id, 'value').locator('input').fill('payload.temp * 1.8 +');
    await expect.poll(() => rule(id, 'value').locator('[data-testid="field-error"]').count()).toBe(1);
    await rule(id, 'value').locator('input').fill('payload.temp * 1.8 + 32');
    await expect.poll(() => rule(id, 'value').locator('[data-testid="field-error"]').count()).toBe(0);
    await expect.poll(() => problems(id)).toBe('1');

    // Move: "To" appears, the value fields go.
    await rule(id, 'action').locator('select').selectOption('move');
    await expect.poll(() => rule(id, 'to').count()).toBe(1);
    expect(await rule(id, 'value').count()).toBe(0);
    expect(await rule(id, 'valueType').count()).toBe(0);
    await rule(id, 'to').locator('input').fill('payload.tempF');
    await expect
      .poll(() => rule(id, 'to').locator('[data-testid="field-error"]').textContent())
      .toContain('Rule 1: To is the field itself'); // in the form's words: the rule's position and the field's label
    await rule(id, 'to').locator('input').fill('payload.fahrenheit');
    await expect.poll(() => problems(id)).toBe('1');
    await expect.poll(() => rule(id, 'to').locator('[data-testid="field-error"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
