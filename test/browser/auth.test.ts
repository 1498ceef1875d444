/**
 * A server with a token: the editor takes it from `#token=...`, removes it from the address bar, and sends it as a
 * bearer token on API calls and `?token=` on the WebSocket.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const TOKEN = 'sluice-browser-test-token-0123456789';
const skip = chromiumMissing();

describe.skipIf(skip !== undefined)('editor with a token', () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    srv = await startEditorServer({ token: TOKEN });
    browser = await launchChromium();
    page = await browser.context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('is refused without the token', async () => {
    expect((await fetch(`${srv.url}/api/flows`)).status).toBe(401);
  });

  it('uses the token from the address, keeps it out of the address bar, and connects live', async () => {
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/')) requests.push(`${r.url()} ${r.headers().authorization ?? '-'}`);
    });
    await page.goto(`${srv.url}/#token=${TOKEN}`);
    await expect
      .poll(() => page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 15_000 })
      .toBe('Not running');
    expect(page.url()).not.toContain(TOKEN);
    const api = requests.filter((r) => !r.includes('/api/ws'));
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((r) => r.endsWith(`Bearer ${TOKEN}`))).toBe(true);
    // Saving works with the token too.
    await page.locator('#flow-name').fill('Token flow');
    await page.keyboard.press('Control+S');
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').first().getAttribute('data-dirty')).toBe('no');
  }, 60_000);
});
