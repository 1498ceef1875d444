/**
 * Many flows in the editor, as a user meets them in headless Chromium against the real server: deploy one flow, open
 * and deploy a second, see both marked running on their tabs and listed with rising counters in the Runtime panel,
 * stop the current one only (the other keeps counting), and see a failed deploy marked on its tab.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor } from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();

const ticking = (id: string, name: string, topic = 'tick') => ({
  format: 'sluice/flow@1',
  id,
  name,
  nodes: [
    { id: 'gen', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 50, topic } },
    { id: 'dbg', type: 'debug', position: { x: 300, y: 0 }, config: {} },
  ],
  edges: [{ source: 'gen', sourcePort: 'out', target: 'dbg', targetPort: 'in' }],
});

describe.skipIf(skip !== undefined)('many flows in the editor', () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;

  const tab = (id: string) => page.locator(`[data-testid="flow-tab"][data-server-id="${id}"]`);
  const mark = (id: string) => tab(id).locator('[role="img"][data-state]');
  const row = (id: string) => page.locator(`[data-testid="runtime-row"][data-flow-id="${id}"]`);
  const rowIn = async (id: string) => Number(await row(id).locator('[data-testid="runtime-row-in"]').textContent());

  async function openFlow(name: string): Promise<void> {
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: new RegExp(name) }).click();
    await expect
      .poll(() => page.locator('[data-testid="flow-tab"][aria-selected="true"]').textContent())
      .toContain(name);
  }

  beforeAll(async () => {
    srv = await startEditorServer();
    for (const [id, name, topic] of [
      ['alpha', 'Alpha flow', 'tick'],
      ['beta', 'Beta flow', 'tick'],
      ['gamma', 'Gamma flow', '${env:SLUICE_TEST_BROWSER_UNSET}'],
    ]) {
      const res = await fetch(`${srv.url}/api/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CLIENT_HEADER]: 'test' },
        body: JSON.stringify({ flow: ticking(id as string, name as string, topic) }),
      });
      expect(res.status).toBe(201);
    }
    browser = await launchChromium();
    page = await browser.context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('deploys two flows; both tabs are marked running; the Runtime panel lists both with rising counters', async () => {
    await openEditor(page, `${srv.url}/#flow=alpha`);
    await page.locator('[data-testid="deploy"]').click();
    await expect
      .poll(() => page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 15_000 })
      .toContain('Running this flow');
    await expect.poll(() => mark('alpha').getAttribute('data-state')).toBe('running');

    await openFlow('Beta flow');
    expect(await page.locator('[data-testid="runtime-state"]').textContent()).toContain('Not running');
    await page.locator('[data-testid="deploy"]').click();
    await expect
      .poll(() => page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 15_000 })
      .toContain('Running this flow');
    await expect.poll(() => mark('beta').getAttribute('data-state')).toBe('running');
    expect(await mark('alpha').getAttribute('data-state')).toBe('running');
    await expect.poll(() => page.locator('[data-testid="runtime-list-button"]').textContent()).toBe('2 running');

    await page.locator('[data-testid="runtime-list-button"]').click();
    await expect.poll(() => page.locator('[data-testid="runtime-row"]').count()).toBe(2);
    const alphaIn = await rowIn('alpha');
    const betaIn = await rowIn('beta');
    await expect.poll(() => rowIn('alpha'), { timeout: 10_000 }).toBeGreaterThan(alphaIn);
    await expect.poll(() => rowIn('beta'), { timeout: 10_000 }).toBeGreaterThan(betaIn);
  }, 120_000);

  it('Stop acts on the current flow only: the other keeps running and counting', async () => {
    await page.locator('[data-testid="stop"]').click();
    await expect.poll(() => page.locator('[data-testid="runtime-state"]').textContent()).toContain('Not running');
    await expect.poll(() => mark('beta').count()).toBe(0);
    await expect.poll(() => row('beta').getAttribute('data-state')).toBe('stopped');
    expect(await row('alpha').getAttribute('data-state')).toBe('running');
    const alphaIn = await rowIn('alpha');
    await expect.poll(() => rowIn('alpha'), { timeout: 10_000 }).toBeGreaterThan(alphaIn);
    const server = await (await fetch(`${srv.url}/api/runtime`)).json();
    expect(server.flows.map((f: { flowId: string; state: string }) => [f.flowId, f.state])).toEqual([
      ['alpha', 'running'],
      ['beta', 'stopped'],
    ]);
  }, 60_000);

  it('a deploy that fails to start is marked failed on its tab and in the list, and the others run on', async () => {
    await openFlow('Gamma flow');
    await page.locator('[data-testid="deploy"]').click();
    await expect
      .poll(() => page.locator('[data-testid="runtime-state"]').textContent(), { timeout: 15_000 })
      .toContain('Failed to start');
    await expect.poll(() => mark('gamma').getAttribute('data-state')).toBe('failed');
    await expect.poll(() => row('gamma').textContent()).toMatch(/SLUICE_TEST_BROWSER_UNSET is not set/);
    expect(await row('alpha').getAttribute('data-state')).toBe('running');
  }, 60_000);
});
