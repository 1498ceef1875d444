/** The topic browser's API against the real Mosquitto: open on a saved flow's connection, poll, close. */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSparkplug } from '../../src/connectors/sparkplug/encode.js';
import { BROWSE_LIMITS, type BrowseView } from '../../src/server/mqtt-browse.js';
import { eventually } from '../conformance/harness.js';
import { connectPlain, uniqueBase } from '../nodes/mqtt-support/mqtt.js';
import { requireService } from '../support/services.js';
import { call, startServer, type TestServer } from './support.js';

const run = await requireService('mosquitto');

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const flowWith = (id: string, url = 'mqtt://127.0.0.1:1883') => ({
  format: 'sluice/flow@1',
  id,
  nodes: [],
  edges: [],
  connections: [{ id: 'broker', kind: 'mqtt', config: { url, protocolVersion: '5' } }],
});

describe.runIf(run)('topic browser API', () => {
  it('shows each topic under the filter with its count, rate and last value as JSON, text or bytes', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: flowWith('browse-a') });
    const base = uniqueBase('browse');
    const opened = await call<{ id: string }>(t.app, 'POST', '/api/mqtt/browse', {
      flowId: 'browse-a',
      connectionId: 'broker',
      filter: `${base}/#`,
    });
    expect(opened.status).toBe(201);
    const id = opened.body.id;
    const pub = await connectPlain();
    for (let i = 0; i < 3; i++) await pub.publishAsync(`${base}/line/temp`, JSON.stringify({ c: 20 + i }), { qos: 1 });
    await pub.publishAsync(`${base}/line/state`, 'running', { qos: 1 });
    await pub.publishAsync(`${base}/raw`, Buffer.from([0xff, 0x00]), { qos: 1 });
    await pub.publishAsync(
      `spBv1.0/${base.replaceAll('/', '-')}/NDATA/edge`,
      Buffer.from(encodeSparkplug({ seq: 1, metrics: [{ name: 'x', value: 1.5 }] })),
      { qos: 1 },
    );
    await pub.endAsync();
    const view = await eventually(
      async () => (await call<BrowseView>(t!.app, 'GET', `/api/mqtt/browse/${id}`)).body,
      (v) => v.topics.length >= 3 && v.messages >= 5,
    );
    expect(view.connected).toBe(true);
    const byTopic = Object.fromEntries(view.topics.map((x) => [x.topic.slice(base.length + 1), x]));
    expect(byTopic['line/temp']).toMatchObject({ count: 3, format: 'json', value: { c: 22 }, truncated: false });
    expect(byTopic['line/temp'].ratePerSecond).toBeGreaterThan(0);
    expect(byTopic['line/state']).toMatchObject({ count: 1, format: 'text', value: 'running' });
    expect(byTopic.raw).toMatchObject({ format: 'bytes', value: Buffer.from([0xff, 0]).toString('base64') });
    // The Sparkplug topic is outside this filter: it is not there.
    expect(view.topics.some((x) => x.topic.startsWith('spBv1.0/'))).toBe(false);

    expect((await call(t.app, 'DELETE', `/api/mqtt/browse/${id}`)).status).toBe(204);
    expect((await call(t.app, 'GET', `/api/mqtt/browse/${id}`)).status).toBe(404);
  });

  it('decodes Sparkplug B payloads on spBv1.0 topics', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: flowWith('browse-b') });
    const group = `g-${Math.random().toString(36).slice(2, 10)}`;
    const { body } = await call<{ id: string }>(t.app, 'POST', '/api/mqtt/browse', {
      flowId: 'browse-b',
      connectionId: 'broker',
      filter: `spBv1.0/${group}/#`,
    });
    const pub = await connectPlain();
    await pub.publishAsync(
      `spBv1.0/${group}/NDATA/edge`,
      Buffer.from(encodeSparkplug({ seq: 1, metrics: [{ name: 'x', datatype: 'Int32', value: -3 }] })),
      { qos: 1 },
    );
    await pub.endAsync();
    const view = await eventually(
      async () => (await call<BrowseView>(t!.app, 'GET', `/api/mqtt/browse/${body.id}`)).body,
      (v) => v.topics.length === 1,
    );
    expect(view.topics[0]).toMatchObject({
      topic: `spBv1.0/${group}/NDATA/edge`,
      format: 'sparkplug',
      value: { seq: 1, metrics: [{ name: 'x', datatype: 'Int32', value: -3 }] },
    });
  });

  it('keeps at most the topic cap and says how many it did not track', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: flowWith('browse-c') });
    const base = uniqueBase('browse-cap');
    const saved = BROWSE_LIMITS.maxTopics;
    BROWSE_LIMITS.maxTopics = 5;
    try {
      const { body } = await call<{ id: string }>(t.app, 'POST', '/api/mqtt/browse', {
        flowId: 'browse-c',
        connectionId: 'broker',
        filter: `${base}/#`,
      });
      const pub = await connectPlain();
      for (let i = 0; i < 8; i++) await pub.publishAsync(`${base}/t${i}`, `${i}`, { qos: 1 });
      await pub.endAsync();
      const view = await eventually(
        async () => (await call<BrowseView>(t!.app, 'GET', `/api/mqtt/browse/${body.id}`)).body,
        (v) => v.messages >= 8,
      );
      expect(view.topics).toHaveLength(5);
      expect(view.untrackedTopics).toBe(3);
    } finally {
      BROWSE_LIMITS.maxTopics = saved;
    }
  });

  it('says what is wrong: unsaved flow, unknown connection, bad filter, broker away', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: flowWith('browse-d', 'mqtt://127.0.0.1:1') });
    const open = (body: Record<string, unknown>) =>
      call<{ error: { message: string } }>(t!.app, 'POST', '/api/mqtt/browse', body);
    expect((await open({ flowId: 'nope', connectionId: 'broker' })).body.error.message).toMatch(/save the flow first/);
    expect((await open({ flowId: 'browse-d', connectionId: 'x' })).body.error.message).toMatch(/has no connection x/);
    expect((await open({ flowId: 'browse-d', connectionId: 'broker', filter: 'a/#/b' })).status).toBe(400);
    const away = await open({ flowId: 'browse-d', connectionId: 'broker' });
    expect(away.status).toBe(502);
    expect(away.body.error.message).toMatch(/cannot browse mqtt:\/\/127.0.0.1:1/);
  });
});
