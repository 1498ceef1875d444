/**
 * Issue 13, "the editor's first ten minutes", as the journeys a user coming from Node-RED takes, in headless Chromium
 * against the real server: runtime errors are visible (status text, properties, connections, failed messages in the
 * debug panel), ...
 */
import { createServer as createTcpServer } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor, selectNode } from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();
const suffix = Math.random().toString(36).slice(2, 8);

/** A loopback port nobody listens on (bound, then closed): connecting to it is refused. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const edge = (source: string, target: string, sourcePort = 'out') => ({
  source,
  sourcePort,
  target,
  targetPort: 'in',
});

/** Opens a bottom-panel tab (a click on the open one would collapse the panel). */
async function showBottom(page: Page, name: string): Promise<void> {
  const tab = page.getByRole('tab', { name, exact: true });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

describe.skipIf(skip !== undefined)("the editor's first ten minutes", () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function storeFlow(flow: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sluice-client': 'test' },
      body: JSON.stringify({ flow }),
    });
    if (!res.ok) throw new Error(`cannot store the flow: ${await res.text()}`);
  }

  beforeAll(async () => {
    srv = await startEditorServer();
    browser = await launchChromium();
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
    await fetch(`${srv?.url}/api/runtime/stop`, { method: 'POST', headers: { 'x-sluice-client': 'test' } }).catch(
      () => undefined,
    );
    await browser?.close();
    await srv?.close();
  });

  it('a bad message on a fresh flow is seen in the debug panel with its reason, and the flow keeps going', async () => {
    const id = `odd-readings-${suffix}`;
    const port = await closedPort();
    await storeFlow({
      format: 'sluice/flow@1',
      id,
      name: 'Odd readings',
      connections: [
        {
          id: 'lab',
          kind: 'mqtt',
          name: 'Lab broker',
          config: { url: `mqtt://127.0.0.1:${port}`, protocolVersion: '3.1.1' },
        },
      ],
      nodes: [
        {
          id: 'readings',
          type: 'generate',
          position: { x: 0, y: 0 },
          config: { intervalMs: 100, payload: '{"n": $seq}' },
        },
        {
          id: 'check',
          type: 'transform',
          name: 'Even only',
          position: { x: 260, y: 0 },
          config: { expression: 'payload.n % 2 = 0 ? payload : $error("odd reading " & payload.n)' },
        },
        { id: 'seen', type: 'debug', name: 'Seen', position: { x: 520, y: 0 }, config: {} },
        {
          id: 'lab-in',
          type: 'mqtt-in',
          name: 'Lab sensors',
          position: { x: 0, y: 200 },
          config: { connection: 'lab', topics: [`lab/${suffix}/#`] },
        },
        { id: 'lab-seen', type: 'debug', position: { x: 260, y: 200 }, config: {} },
      ],
      edges: [edge('readings', 'check'), edge('check', 'seen'), edge('lab-in', 'lab-seen')],
    });
    await openEditor(page, `${srv.url}/#flow=${id}`);
    await page.waitForSelector('[data-testid="node-check"]');
    // Before deploying, the debug panel says the truth: the flow is not running.
    await showBottom(page, 'Debug');
    await expect.poll(() => page.locator('[data-testid="debug-empty"]').textContent()).toMatch(/not running/);

    await page.locator('[data-testid="deploy"]').click();
    // The failed messages appear, each with the node and the reason, and what became of it.
    const failure = page.locator('[data-testid="debug-failure"]').first();
    await failure.waitFor({ timeout: 20_000 });
    expect(await failure.textContent()).toMatch(/failed at\s*Even only/);
    expect(await failure.locator('[data-testid="failure-reason"]').textContent()).toMatch(/odd reading \d+.*dropped/);
    // Good messages go on reaching the debug node: the flow keeps going.
    await expect
      .poll(() => page.locator('[data-testid="debug-entry"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(2);

    // Filterable: failed messages only.
    await page.getByLabel('Filter by node').selectOption({ label: 'Failed messages only' });
    await expect.poll(() => page.locator('[data-testid="debug-entry"]').count()).toBe(0);
    expect(await page.locator('[data-testid="debug-failure"]').count()).toBeGreaterThan(0);
    await page.getByLabel('Filter by node').selectOption({ label: 'All messages' });

    // The source whose broker refuses says so under the node, without hovering.
    await expect
      .poll(() => page.locator('[data-testid="status-text-lab-in"]').textContent(), { timeout: 15_000 })
      .toMatch(/error: .*ECONNREFUSED/);
    expect(await page.locator('[data-testid="status-text-readings"]').textContent()).toBe('running');

    // Selecting the failing node shows its status, counters and last failure.
    await selectNode(page, 'check');
    const runtime = page.locator('[data-testid="node-runtime"]');
    await expect.poll(() => runtime.locator('[data-counter="failed"]').textContent()).toMatch(/^[1-9]\d*$/);
    expect(await runtime.locator('[data-testid="node-runtime-status"]').textContent()).toMatch(/running/);
    expect(await runtime.locator('[data-testid="node-last-failure"]').textContent()).toMatch(/odd reading \d+/);
    // "Show its failed messages" filters the debug panel to that node.
    await runtime.getByRole('button', { name: 'Show its failed messages' }).click();
    await expect.poll(() => page.getByLabel('Filter by node').inputValue()).toBe('check');
    await expect.poll(() => page.locator('[data-testid="debug-entry"]').count()).toBe(0);
    expect(await page.locator('[data-testid="debug-failure"]').count()).toBeGreaterThan(0);

    // The Connections panel shows each connection's state, and why it is down.
    await page.getByRole('tab', { name: 'Connections' }).click();
    await expect
      .poll(() => page.locator('[data-testid="connection-state-lab"]').textContent())
      .toMatch(/down: .*ECONNREFUSED.*Lab sensors/);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
