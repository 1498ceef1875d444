/**
 * Issue 13, "the editor's first ten minutes", as the journeys a user coming from Node-RED takes, in headless Chromium
 * against the real server: runtime errors are visible (status text, properties, connections, failed messages in the
 * debug panel); deploy reports what happened (MQTT 5 falls back to 3.1.1); try-it per flow and "dropped by Filter";
 * the flow list and import conflicts; validation in the form's words; inject; watching a wire; node help.
 */
import { createServer as createTcpServer } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../src/connectors/mqtt/embedded-broker.js';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { openStoredFlow, selectNode, showBottom } from './support/editor-page.js';
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
    await openStoredFlow(page, srv.url, id);
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

    // Selecting the failing node shows its status, counters and last failure (the deploy report, read, is dismissed
    // first: it sits over the top of the canvas).
    const dismiss = page.getByLabel('Dismiss the deploy report');
    if ((await dismiss.count()) > 0) await dismiss.click();
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
    await openStoredFlow(page, srv.url, id);
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

  it('try-it belongs to its flow and says how each path ended ("dropped by Filter"); the debug panel is scoped to the flow, with "all flows"', async () => {
    const cold = `cold-check-${suffix}`;
    await storeFlow({
      format: 'sluice/flow@1',
      id: cold,
      name: 'Cold check',
      nodes: [
        {
          id: 'temps',
          type: 'generate',
          position: { x: 0, y: 0 },
          config: { intervalMs: 150, payload: '{"temp": 20}' },
        },
        {
          id: 'hot-only',
          type: 'filter',
          name: 'Hot only',
          position: { x: 260, y: 0 },
          config: { condition: 'payload.temp > 30' },
        },
        { id: 'hot', type: 'debug', position: { x: 520, y: 0 }, config: {} },
      ],
      edges: [edge('temps', 'hot-only'), edge('hot-only', 'hot')],
    });
    await openStoredFlow(page, srv.url, cold);
    await page.waitForSelector('[data-testid="node-hot-only"]');
    // A cold sample into the filter: the panel and the canvas say where the path ended, and why.
    await showBottom(page, 'Try it');
    await page.getByLabel('Node to try').selectOption('hot-only');
    await page.getByLabel('Sample payload').fill('{"temp": 12}');
    await page.locator('[data-testid="try-send"]').click();
    await expect
      .poll(() => page.locator('[data-testid="try-dropped"]').textContent(), { timeout: 15_000 })
      .toMatch(/Dropped by Filter "Hot only"/);
    expect(await page.locator('[data-testid="tried-hot-only"]').textContent()).toBe('dropped here');

    // Another flow's tab shows none of it; back again, it is still there.
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid="flow-tab"]').count()).toBe(2);
    expect(await page.locator('[data-testid="try-dropped"]').count()).toBe(0);
    expect(await page.locator('[data-testid="try-panel"]').textContent()).toMatch(/Pick a node/);
    await page.locator('[data-testid="flow-tab"]').first().click();
    await expect.poll(() => page.locator('[data-testid="tried-hot-only"]').count()).toBe(1);

    // Deploying clears the try-it marks: the running flow speaks for itself.
    await page.locator('[data-testid="deploy"]').click();
    await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="tried-hot-only"]').count()).toBe(0);
    // The running filter shows what it dropped.
    await expect
      .poll(() => page.locator('[data-testid="counters-hot-only"] [data-counter="dropped"]').textContent(), {
        timeout: 10_000,
      })
      .toMatch(/^[1-9]/);

    // The debug panel of the new, empty flow is about that flow; "All flows" shows the others' messages too.
    await page.locator('[data-testid="flow-tab"]').last().click();
    await showBottom(page, 'Debug');
    await expect.poll(() => page.locator('[data-testid="debug-empty"]').textContent()).toMatch(/not saved or deployed/);
    await page.getByLabel('Which flows').selectOption('all');
    await expect
      .poll(() => page.locator('[data-testid="debug-failure"]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await page.locator('[data-testid="debug-panel"]').textContent()).toContain(`odd-readings-${suffix}`);
    await page.getByLabel('Which flows').selectOption('flow');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('manages flows from the flow list (open, rename, duplicate, delete with confirmation, which run); import of a saved id asks', async () => {
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Flows' });
    const cold = `cold-check-${suffix}`;
    // Which ones run.
    await expect.poll(() => dialog.locator(`[data-testid="flow-row-${cold}"]`).textContent()).toContain('running');

    // Rename: the open tab follows.
    await dialog.locator(`[data-testid="flow-row-${cold}"]`).getByRole('button', { name: 'Rename' }).click();
    await dialog.getByLabel('New name').fill('Cold alarms');
    await dialog
      .locator(`[data-testid="flow-row-${cold}"]`)
      .getByRole('button', { name: 'Rename', exact: true })
      .click();
    await expect.poll(() => dialog.locator(`[data-testid="flow-row-${cold}"]`).textContent()).toContain('Cold alarms');
    await expect
      .poll(() => page.locator('[data-testid="flow-tab"]').first().textContent(), { timeout: 10_000 })
      .toContain('Cold alarms');

    // Duplicate: a new flow with its own id.
    await dialog.locator(`[data-testid="flow-row-${cold}"]`).getByRole('button', { name: 'Duplicate' }).click();
    await expect.poll(() => dialog.getByText('Cold alarms (copy)').count()).toBe(1);
    const copyRow = dialog.locator('[data-testid^="flow-row-"]').filter({ hasText: 'Cold alarms (copy)' });
    const copyId = ((await copyRow.getAttribute('data-testid')) ?? '').replace('flow-row-', '');
    expect(copyId).not.toBe(cold);

    // Delete asks first; Cancel keeps it, Delete removes it.
    await copyRow.getByRole('button', { name: 'Delete', exact: true }).click();
    expect(await copyRow.getByRole('alert').textContent()).toMatch(
      /Delete “Cold alarms \(copy\)” from the server\? This\s*cannot be undone/,
    );
    await copyRow.getByRole('button', { name: 'Cancel' }).click();
    expect(await copyRow.count()).toBe(1);
    await copyRow.getByRole('button', { name: 'Delete', exact: true }).click();
    await copyRow.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => copyRow.count()).toBe(0);
    const listed = (await (await fetch(`${srv.url}/api/flows`)).json()) as Array<{ id: string }>;
    expect(listed.map((f) => f.id)).not.toContain(copyId);
    // A running flow is stopped before it is deleted, and the list says so.
    await dialog
      .locator(`[data-testid="flow-row-${cold}"]`)
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    const coldRow = dialog.locator(`[data-testid="flow-row-${cold}"]`);
    expect(await coldRow.getByRole('alert').textContent()).toMatch(/is running: it is stopped \(drained\) first/);
    await coldRow.getByRole('button', { name: 'Cancel' }).click();
    await page.keyboard.press('Escape');

    // Import a flow whose id is saved: Cancel changes nothing; Replace saves it as the next revision.
    const { flow } = (await (await fetch(`${srv.url}/api/flows/${cold}`)).json()) as { flow: Record<string, unknown> };
    const imported = JSON.stringify({ ...flow, name: 'Cold alarms v2' });
    const before = ((await (await fetch(`${srv.url}/api/flows`)).json()) as unknown[]).length;
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByLabel('Flow JSON').fill(imported);
    await page.getByRole('button', { name: 'Import pasted JSON' }).click();
    const ask = page.getByRole('dialog', { name: 'This flow is already saved' });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    expect(((await (await fetch(`${srv.url}/api/flows`)).json()) as unknown[]).length).toBe(before);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByLabel('Flow JSON').fill(imported);
    await page.getByRole('button', { name: 'Import pasted JSON' }).click();
    await ask.getByRole('button', { name: 'Replace' }).click();
    await expect
      .poll(() => page.locator('[data-testid="flow-tab"][aria-selected="true"]').textContent())
      .toContain('Cold alarms v2');
    const after = (await (await fetch(`${srv.url}/api/flows`)).json()) as Array<{ id: string; name: string }>;
    expect(after.length).toBe(before);
    expect(after.find((f) => f.id === cold)?.name).toBe('Cold alarms v2');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('validation speaks the form: labels and positions ("Rule 2: Output is required"), each error once, no JSON pointers on screen', async () => {
    const id = `wording-${suffix}`;
    await storeFlow({
      format: 'sluice/flow@1',
      id,
      name: 'Wording',
      nodes: [
        { id: 'src', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 1000, payload: '{"t": 1}' } },
        {
          id: 'route',
          type: 'switch',
          name: 'Route',
          position: { x: 260, y: 0 },
          config: { rules: [{ port: 'hot', condition: 'payload.t > 1' }, { condition: 'payload.t < 0' }] },
        },
        {
          id: 'shape',
          type: 'transform',
          name: 'Shape',
          position: { x: 520, y: 0 },
          config: { expression: '{"a": payload.t' },
        },
        { id: 'lab', type: 'mqtt-in', name: 'Lab', position: { x: 0, y: 200 }, config: { topics: ['lab/#'] } },
        { id: 'out', type: 'debug', position: { x: 780, y: 0 }, config: {} },
        { id: 'out2', type: 'debug', position: { x: 260, y: 200 }, config: {} },
      ],
      edges: [edge('src', 'route'), edge('route', 'shape', 'hot'), edge('shape', 'out'), edge('lab', 'out2')],
    });
    await openStoredFlow(page, srv.url, id);
    await page.waitForSelector('[data-testid="node-route"]');
    // The window names the flow by its name, not its id.
    await expect.poll(() => page.title()).toBe('Wording · Sluice');
    await showBottom(page, 'Problems');
    const panel = page.locator('[data-testid="problems"]').last();
    await expect.poll(() => panel.textContent()).toContain('Rule 2: Output is required');
    const text = (await panel.textContent()) ?? '';
    expect(text).toMatch(/node Route › Rule 2/);
    expect(text).toContain('Broker is required');
    expect(text).toMatch(/node Lab/);
    // No schema words or pointers on screen (they stay in the tooltip, and in the CLI and API).
    expect(text).not.toMatch(/missing required field|\/nodes\/\d|add "/);
    expect(await panel.locator('[title^="/nodes/1/config/rules/1"]').count()).toBe(1);
    // A JSONata syntax error is printed once.
    expect(text.match(/does not parse/g)?.length).toBe(1);

    // In the form, under the field itself.
    await selectNode(page, 'route');
    await expect
      .poll(() => page.locator('[data-field="cfg-route_rules_1_port"] [data-testid="field-error"]').textContent())
      .toBe('Output is required');
    await selectNode(page, 'shape');
    const exprErrors = page.locator('[data-field="cfg-shape_expression"] [data-testid="field-error"] li');
    await expect.poll(() => exprErrors.count()).toBe(1);
    expect(await exprErrors.textContent()).toMatch(/^The JSONata expression does not parse: .*at character \d+\)$/);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('injects a message by hand into the running flow: a button on the source node, a payload editor and recent payloads', async () => {
    const id = `by-hand-${suffix}`;
    await storeFlow({
      format: 'sluice/flow@1',
      id,
      name: 'By hand',
      nodes: [
        // Quiet on its own (one message an hour): what reaches the debug node was injected.
        {
          id: 'start',
          type: 'generate',
          name: 'Start',
          position: { x: 0, y: 0 },
          config: { intervalMs: 3_600_000, payload: '{"auto": true}', count: 1 },
        },
        { id: 'seen', type: 'debug', position: { x: 260, y: 0 }, config: {} },
      ],
      edges: [edge('start', 'seen')],
    });
    await openStoredFlow(page, srv.url, id);
    await page.waitForSelector('[data-testid="node-start"]');
    // No inject button until the flow runs.
    expect(await page.locator('[data-testid="inject-start"]').count()).toBe(0);
    await page.locator('[data-testid="deploy"]').click();
    await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 30_000 });
    await showBottom(page, 'Debug');
    const payloads = () =>
      page.locator('[data-testid="debug-entry"]').evaluateAll((els) => els.map((e) => e.textContent ?? ''));

    await page.locator('[data-testid="inject-start"]').click();
    await expect
      .poll(() => page.locator('[data-testid="notice-success"]').last().textContent())
      .toMatch(/Injected into start: delivered/);
    await expect.poll(async () => (await payloads()).some((t) => t.includes('"hello":"world"'))).toBe(true);

    // The payload editor in the node's properties, with the recent payloads.
    await selectNode(page, 'start');
    const section = page.locator('[data-testid="inject-section"]');
    await section.getByLabel('Payload (JSON)').fill('{"n": 42}');
    await section.getByLabel('Topic').fill('by/hand');
    await section.getByRole('button', { name: 'Inject' }).click();
    await expect.poll(() => section.locator('[data-testid="inject-result"]').textContent()).toBe('Delivered');
    await expect
      .poll(async () => (await payloads()).some((t) => t.includes('"n":42') && t.includes('by/hand')))
      .toBe(true);
    expect(await section.locator('[data-testid="inject-recent"]').textContent()).toContain('{"n": 42}');
    // Not JSON: said at once, and not sent.
    await section.getByLabel('Payload (JSON)').fill('{n: 1');
    expect(await section.getByRole('button', { name: 'Inject' }).isDisabled()).toBe(true);

    // The canvas button now sends the most recent payload again.
    const before = (await payloads()).filter((t) => t.includes('"n":42')).length;
    await page.locator('[data-testid="inject-start"]').click();
    await expect.poll(async () => (await payloads()).filter((t) => t.includes('"n":42')).length).toBe(before + 1);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('watches any wire live without a debug node or a redeploy: double-click the wire, its messages appear (sampled), double-click again to stop', async () => {
    const id = `wires-${suffix}`;
    await storeFlow({
      format: 'sluice/flow@1',
      id,
      name: 'Wires',
      nodes: [
        {
          id: 'count',
          type: 'generate',
          position: { x: 0, y: 0 },
          config: { intervalMs: 100, payload: '{"n": $seq}' },
        },
        {
          id: 'evens',
          type: 'filter',
          name: 'Evens',
          position: { x: 300, y: 0 },
          config: { condition: 'payload.n % 2 = 0' },
        },
        { id: 'shape', type: 'transform', position: { x: 600, y: 0 }, config: { expression: '{"even": payload.n}' } },
      ],
      edges: [edge('count', 'evens'), edge('evens', 'shape')],
    });
    await openStoredFlow(page, srv.url, id);
    await page.waitForSelector('[data-testid="node-evens"]');
    await page.locator('[data-testid="deploy"]').click();
    await page.waitForSelector('[data-testid="deploy-report"][data-phase="done"]', { timeout: 30_000 });
    await page
      .locator('[data-testid="deploy-report"]')
      .getByRole('button', { name: /Dismiss/ })
      .click();
    await showBottom(page, 'Debug');
    // No debug node in this flow: nothing to see until a wire is watched.
    expect(await page.locator('[data-testid="debug-tap"]').count()).toBe(0);

    const wire = page.locator('[aria-label="Edge from evens to shape"]');
    await wire.dblclick({ force: true }); // an animated (watched) wire is never "stable"
    await expect.poll(() => wire.getAttribute('class')).toContain('tapped');
    const taps = page.locator('[data-testid="debug-tap"]');
    await expect.poll(() => taps.count(), { timeout: 10_000 }).toBeGreaterThan(2);
    const texts = await taps.evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    // Only what passed the filter is on that wire: even numbers, from Evens.
    for (const t of texts) {
      expect(t).toMatch(/wire from\s*Evens\s*→ out/);
      const n = Number(/"n":(\d+)/.exec(t)?.[1]);
      expect(n % 2).toBe(0);
    }
    // Watching is not deploying: the flow kept its revision.
    const view = (await (await fetch(`${srv.url}/api/runtime/flows/${id}`)).json()) as { revision: number };
    expect(view.revision).toBe(1);

    await wire.dblclick({ force: true }); // an animated (watched) wire is never "stable"
    await expect.poll(() => wire.getAttribute('class')).not.toContain('tapped');
    const tapped = (await (await fetch(`${srv.url}/api/runtime/flows/${id}/taps`)).json()) as { taps: unknown[] };
    expect(tapped.taps).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('node help is generated from the definitions; small things: no "TRANSFORM · TRANSFORM", QoS is a 0/1/2 choice, backticks read as code', async () => {
    const id = `helpful-${suffix}`;
    await storeFlow({
      format: 'sluice/flow@1',
      id,
      name: 'Helpful',
      connections: [{ id: 'b', kind: 'mqtt', config: { url: broker.url } }],
      nodes: [
        { id: 'listen', type: 'mqtt-in', position: { x: 0, y: 0 }, config: { connection: 'b', topics: ['a/#'] } },
        { id: 'shape', type: 'transform', position: { x: 300, y: 0 }, config: { expression: 'payload' } },
      ],
      edges: [edge('listen', 'shape')],
    });
    await openStoredFlow(page, srv.url, id);
    await page.waitForSelector('[data-testid="node-shape"]');
    await selectNode(page, 'shape');
    expect(await page.locator('[data-testid="node-properties"]').textContent()).not.toMatch(/transform · Transform/i);
    // The Help button opens the selected node's documentation, from its definition.
    await page.locator('[data-testid="node-properties"]').getByRole('button', { name: 'Help' }).click();
    const help = page.locator('[data-testid="node-help"]');
    await expect.poll(() => help.textContent()).toContain('JSONata');
    expect(await help.textContent()).toMatch(/Settings/);
    expect(await help.locator('pre').count()).toBeGreaterThan(0); // examples
    // Another type from the picker: the MQTT in node's topic filters read as code, not raw backticks.
    await help.getByLabel('Node type').selectOption('mqtt-in');
    await expect.poll(() => help.locator('code').count()).toBeGreaterThan(0);
    expect(
      await help.locator('p, li, dd').evaluateAll((els) => els.some((e) => (e.textContent ?? '').includes('`'))),
    ).toBe(false);

    // QoS is a choice of 0, 1 or 2.
    await selectNode(page, 'listen');
    // The topic filters' help (an array's description, which the form library renders itself) shows code, not backticks.
    const topicsHelp = page.locator('[data-field="cfg-listen_topics"]');
    await expect.poll(() => topicsHelp.locator('code').count()).toBeGreaterThan(0);
    expect(await topicsHelp.textContent()).not.toContain('`');
    const qos = page.locator('[data-field="cfg-listen_qos"] select');
    expect(await qos.locator('option').allTextContents()).toEqual(expect.arrayContaining(['0', '1', '2']));
    // "+ New connection…" opens the new connection, and leads back to the node being edited.
    await page
      .locator('[data-field="cfg-listen_connection"] select')
      .selectOption({ label: '+ New MQTT broker connection…' });
    const back = page.locator('[data-testid="back-to-node"]');
    await expect.poll(() => back.textContent()).toContain('Back to listen');
    await back.click();
    await expect
      .poll(() => page.locator('[data-testid="node-properties"] #node-name').getAttribute('placeholder'))
      .toBe('MQTT in');
    expect(await page.locator('[data-testid="node-properties"]').textContent()).toContain('listen');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
