/**
 * Issue 13, "the editor's first ten minutes", as the journeys a user coming from Node-RED takes, in headless Chromium
 * against the real server: runtime errors are visible (status text, properties, connections, failed messages in the
 * debug panel), ...
 */
import { createServer as createTcpServer } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../src/connectors/mqtt/embedded-broker.js';
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
  // The tab's name carries its count ("Debug 12").
  const tab = page.getByRole('tab', { name: new RegExp(`^${name}`) });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

/** Opens the editor on a stored flow, as a fresh page load (a hash change alone does not reopen the app). */
async function openFlow(page: Page, url: string, id: string): Promise<void> {
  await page.goto('about:blank');
  await openEditor(page, `${url}/#flow=${id}`);
}

describe.skipIf(skip !== undefined)("the editor's first ten minutes", () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;
  let broker: EmbeddedBroker;
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
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
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
    await broker?.close();
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
    await openFlow(page, srv.url, id);
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

  it('deploy reports what happened after start: a new MQTT connection (MQTT 5 by default) works against the embedded broker and says which version; a refused broker is named with why', async () => {
    const id = `first-mqtt-${suffix}`;
    // A connection as the editor creates it: only the URL set, the protocol version left at its default (5).
    await storeFlow({
      format: 'sluice/flow@1',
      id,
      name: 'First MQTT',
      connections: [{ id: 'broker', kind: 'mqtt', name: 'Demo broker', config: { url: broker.url } }],
      nodes: [
        { id: 'tick', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 200, payload: '{"n": $seq}' } },
        {
          id: 'publish',
          type: 'mqtt-out',
          position: { x: 260, y: 0 },
          config: { connection: 'broker', topic: `first/${suffix}` },
        },
        {
          id: 'listen',
          type: 'mqtt-in',
          name: 'Listen',
          position: { x: 0, y: 200 },
          config: { connection: 'broker', topics: [`first/${suffix}`] },
        },
        { id: 'heard', type: 'debug', position: { x: 260, y: 200 }, config: {} },
      ],
      edges: [edge('tick', 'publish'), edge('listen', 'heard')],
    });
    await openFlow(page, srv.url, id);
    await page.waitForSelector('[data-testid="node-listen"]');
    await page.locator('[data-testid="deploy"]').click();
    const report = page.locator('[data-testid="deploy-report"]');
    await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 30_000 });
    expect(await report.getAttribute('data-tone')).toBe('success');
    expect(await report.textContent()).toMatch(/Running revision 1\./);
    expect(await report.textContent()).toMatch(
      /Connections up: Demo broker connected \(MQTT 3\.1\.1 \(the broker refused MQTT 5\)\)/,
    );
    // And it does work: what the flow publishes comes back through the broker.
    await showBottom(page, 'Debug');
    await expect
      .poll(() => page.locator('[data-testid="debug-entry"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(1);
    expect(await page.locator('[data-testid="status-text-listen"]').textContent()).toMatch(/connected: MQTT 3\.1\.1/);

    // Beforehand, the deploy button says what a deploy replaces.
    expect(await page.locator('[data-testid="deploy"]').getAttribute('title')).toMatch(
      /replaces the running revision 1/,
    );
    // Point the connection at a broker that is not there, and deploy again: the report names the node and the reason.
    await page.getByRole('tab', { name: 'Connections' }).click();
    await page.getByRole('button', { name: /Demo broker/ }).click();
    await page.locator('[data-field="conn-broker_url"] input').fill(`mqtt://127.0.0.1:${await closedPort()}`);
    await page.locator('[data-testid="deploy"]').click();
    // While it runs, the report says what it is doing (saving, draining, starting, waiting for connections).
    await page.waitForSelector('[data-testid="deploy-report"]:not([data-phase="done"])', { timeout: 10_000 });
    await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 30_000 });
    expect(await report.getAttribute('data-tone')).toBe('error');
    const text = (await report.textContent()) ?? '';
    expect(text).toMatch(/Running revision 2, but 2 nodes cannot work yet/);
    expect(text).toMatch(/Listen: .*ECONNREFUSED/);
    expect(text).toMatch(/Demo broker is down: .*ECONNREFUSED/);
    // The top bar does not just say "Running": it says how many nodes are in error.
    await expect
      .poll(() => page.locator('[data-testid="runtime-state"]').textContent())
      .toMatch(/Running this flow · 2 nodes in error/);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
