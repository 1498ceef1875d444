/**
 * The topic browser, as a user meets it in headless Chromium against the real server and Mosquitto: open a saved
 * flow with an MQTT connection, open the Topics panel, browse a branch of the broker, see the topic tree with rates
 * and last values (JSON and text), look at one value in full, drag a topic onto the canvas to get an mqtt-in for
 * it, then browse a Sparkplug group, see its metrics decoded and drag the group as a branch; stopping unsubscribes.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSparkplug } from '../../src/connectors/sparkplug/encode.js';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { connectPlain } from '../nodes/mqtt-support/mqtt.js';
import { requireService } from '../support/services.js';
import { type Browser, chromiumMissing, launchChromium } from './support/chromium.js';
import { openEditor } from './support/editor-page.js';
import { type EditorServer, startEditorServer } from './support/editor-server.js';

const skip = chromiumMissing();
const mosquitto = await requireService('mosquitto');

describe.skipIf(skip !== undefined || !mosquitto)('topic browser in the editor', () => {
  let srv: EditorServer;
  let browser: Browser;
  let page: Page;
  let pub: MqttClient;
  let timer: NodeJS.Timeout;
  const tag = randomUUID().slice(0, 8);
  const base = `sluice-test/uns-${tag}`;
  const group = `uns-${tag}`;
  const deletes: number[] = [];

  beforeAll(async () => {
    srv = await startEditorServer();
    const res = await fetch(`${srv.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CLIENT_HEADER]: 'test' },
      body: JSON.stringify({
        flow: {
          format: 'sluice/flow@1',
          id: 'plant',
          name: 'Plant',
          nodes: [],
          edges: [],
          connections: [{ id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883', protocolVersion: '5' } }],
        },
      }),
    });
    expect(res.status).toBe(201);
    // A plant that keeps publishing: JSON readings, a text state and Sparkplug data.
    pub = await connectPlain();
    let n = 0;
    timer = setInterval(() => {
      n++;
      pub.publish(`${base}/line-1/temp`, JSON.stringify({ c: 20 + (n % 5) }));
      pub.publish(`${base}/line-1/state`, 'running');
      pub.publish(`${base}/line-2/temp`, JSON.stringify({ c: 30 }));
      pub.publish(
        `spBv1.0/${group}/NDATA/edge-1`,
        Buffer.from(encodeSparkplug({ seq: n % 256, metrics: [{ name: 'pressure', datatype: 'Float', value: 1.5 }] })),
      );
    }, 100);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('response', (r) => {
      if (r.request().method() === 'DELETE' && r.url().includes('/api/mqtt/browse/')) deletes.push(r.status());
    });
  }, 180_000);

  afterAll(async () => {
    clearInterval(timer);
    await pub?.endAsync();
    await browser?.close();
    await srv?.close();
  });

  const row = (topic: string) => page.locator(`[data-testid="topic-row"][data-topic="${topic}"]`);

  it('browses a branch: the tree shows each topic with its rate and last value', async () => {
    await openEditor(page, `${srv.url}/#flow=plant`);
    await page.getByRole('tab', { name: 'Topics' }).click();
    await page.locator('[data-testid="topics-panel"]').getByLabel('Topic filter').fill(`${base}/#`);
    await page.getByRole('button', { name: 'Browse', exact: true }).click();
    await row(`${base}/line-1/temp`).waitFor({ timeout: 15_000 });
    await expect
      .poll(() => row(`${base}/line-1/temp`).locator('[data-testid="topic-value"]').textContent())
      .toMatch(/^\{"c":2\d\}$/);
    expect(await row(`${base}/line-1/state`).locator('[data-testid="topic-value"]').textContent()).toBe('running');
    expect(await row(`${base}/line-1/state`).locator('[data-testid="topic-value"]').getAttribute('data-format')).toBe(
      'text',
    );
    // The branches are rows too, with the rate of everything below them.
    await expect
      .poll(() => row(`${base}/line-1`).locator('[data-testid="topic-rate"]').textContent(), { timeout: 10_000 })
      .toMatch(/\/s$/);
    await expect
      .poll(async () => Number(await row(`${base}/line-1/temp`).locator('[data-testid="topic-count"]').textContent()))
      .toBeGreaterThan(2);
    expect(await page.locator('[data-testid="topics-summary"]').textContent()).toMatch(/^3 topics/);

    // Collapsing a branch hides its topics.
    await row(`${base}/line-2`).locator('button').click();
    await expect.poll(() => row(`${base}/line-2/temp`).count()).toBe(0);

    // One value in full.
    await row(`${base}/line-1/temp`).click();
    const detail = page.locator('[data-testid="topic-detail"]');
    await expect.poll(() => detail.textContent()).toContain(`${base}/line-1/temp`);
    expect(await detail.locator('pre').textContent()).toMatch(/"c": 2\d/);
  });

  it('drags a topic onto the canvas and gets an mqtt-in subscribed to it', async () => {
    const before = await page.locator('.react-flow__node').count();
    await page.dragAndDrop(`[data-testid="topic-row"][data-topic="${base}/line-1/temp"]`, '.react-flow__pane', {
      targetPosition: { x: 300, y: 150 },
    });
    await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length > n, before);
    const node = page.locator('.react-flow__node').last();
    expect(await node.textContent()).toContain(`${base}/line-1/temp`);
    // The node is a complete mqtt-in: the flow validates with it (no problems counted on the Problems tab).
    const id = await node.getAttribute('data-id');
    await page.getByRole('tab', { name: 'Properties' }).click();
    await page.locator(`[data-testid="node-${id}"] [class*="header"]`).click();
    const props = page.locator('[data-testid="node-properties"]');
    await props.waitFor();
    expect(await props.textContent()).toContain('MQTT in');
    const topics = props.locator(`[data-field="cfg-${id}_topics"] input`);
    expect(await topics.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual([
      `${base}/line-1/temp`,
    ]);
  });

  it('stops (unsubscribing) and browses a Sparkplug group, its metrics decoded', async () => {
    // The panel stayed open while the user worked on the canvas (a click on its open tab would fold it).
    expect(await page.getByRole('tab', { name: 'Topics' }).getAttribute('aria-selected')).toBe('true');
    expect(deletes).toEqual([]);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => deletes).toEqual([204]);
    await page.locator('[data-testid="topics-panel"]').getByLabel('Topic filter').fill(`spBv1.0/${group}/#`);
    await page.getByRole('button', { name: 'Browse', exact: true }).click();
    const topic = row(`spBv1.0/${group}/NDATA/edge-1`);
    await topic.waitFor({ timeout: 15_000 });
    const value = topic.locator('[data-testid="topic-value"]');
    expect(await value.getAttribute('data-format')).toBe('sparkplug');
    expect(await value.textContent()).toBe('1 metric: pressure=1.5');
    // A branch dragged onto the canvas subscribes to everything under it, with the codec its topics need.
    const before = await page.locator('.react-flow__node').count();
    await page.dragAndDrop(`[data-testid="topic-row"][data-topic="spBv1.0/${group}"]`, '.react-flow__pane', {
      targetPosition: { x: 500, y: 250 },
    });
    await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length > n, before);
    const node = page.locator('.react-flow__node').last();
    expect(await node.textContent()).toContain(`spBv1.0/${group}/#`);
    const id = await node.getAttribute('data-id');
    await page.getByRole('tab', { name: 'Properties' }).click();
    await page.locator(`[data-testid="node-${id}"] [class*="header"]`).click();
    const codec = page.locator(`[data-field="cfg-${id}_codec"] select`);
    expect(await codec.evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe('sparkplug');
    // Closing the panel (another tab) ends the subscription too.
    await page.getByRole('tab', { name: 'Debug' }).click();
    await expect.poll(() => deletes).toEqual([204, 204]);
  });
});
