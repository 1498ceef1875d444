import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/runtime/engine.js';
import { requireService } from '../../support/services.js';
import { type SinkHandle, type SourceHandle, sinks, sources } from '../../support/test-nodes.js';
import { startFlow } from '../mqtt-support/flow.js';
import { collector, connectPlain, uniqueBase } from '../mqtt-support/mqtt.js';

const run = await requireService('mosquitto');

let engine: Engine | undefined;
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await engine?.stop({ deadlineMs: 1000 });
  engine = undefined;
  for (const c of closers.splice(0)) await c();
});

/** test-source -> mqtt-out, failures to a dead-letter test sink. */
async function sink(config: Record<string, unknown>, connection: Record<string, unknown> = {}) {
  const started = await startFlow(
    [
      ['src', 'test-source'],
      ['out', 'mqtt-out', { connection: 'broker', ...config }],
      ['dead', 'test-sink', { failFlagged: false }],
    ],
    [['src', 'out']],
    { connection, settings: { errorRoute: 'dead', transientFailures: 'route' } },
  );
  engine = started.engine;
  return {
    engine: started.engine,
    statuses: started.statuses,
    src: sources.get('src') as SourceHandle,
    dead: sinks.get('dead') as SinkHandle,
  };
}

async function read(filter: string) {
  const c = await collector(filter);
  closers.push(() => c.close());
  return c;
}

describe.runIf(run)('mqtt-out', () => {
  it('routes by a topic template and acknowledges after the broker did', async () => {
    const base = uniqueBase('out-template');
    const reader = await read(`${base}/#`);
    const { engine, src } = await sink({ topic: `${base}/{{payload.device}}/{{headers.kind}}` });
    await src.ctx.ingest(
      { id: 'a', payload: { device: 'd1', v: 1 }, headers: { kind: 'temp' }, timestamp: 0 },
      () => undefined,
    );
    await src.push({ device: 'd2', v: 2 }, 'b');
    await engine.whenIdle();
    await reader.settled();
    const topics = reader.packets.map((p) => p.topic.slice(base.length + 1));
    expect(topics).toContain('d1/temp');
    // A message without the header cannot be addressed: it goes to the error route, not to a half-built topic.
    expect(topics).not.toContain('d2/undefined');
    expect(src.outcomes.get('b')).toEqual([{ ok: true }]);
    const dead = sinks.get('dead') as SinkHandle;
    expect(dead.delivered.map((m) => m.id)).toEqual(['b']);
    expect(dead.delivered[0].headers['sluice-error']).toMatch(/headers\.kind/);
  });

  it('publishes with QoS 0, 1 and 2, and retains when asked', async () => {
    const base = uniqueBase('out-qos');
    for (const qos of [0, 1, 2]) {
      const { engine, src } = await sink({ topic: `${base}/q${qos}`, qos, retain: true });
      await src.push({ id: `q${qos}` }, `q${qos}`);
      await engine.whenIdle();
      expect(src.outcomes.get(`q${qos}`)).toEqual([{ ok: true }]);
      await engine.stop();
    }
    // A subscriber that arrives later gets the retained messages.
    const late = await read(`${base}/#`);
    await late.settled();
    expect(late.packets.map((p) => [p.topic.slice(base.length + 1), p.retain]).sort()).toEqual([
      ['q0', true],
      ['q1', true],
      ['q2', true],
    ]);
    const clear = await connectPlain();
    for (const q of ['q0', 'q1', 'q2']) await clear.publishAsync(`${base}/${q}`, '', { qos: 1, retain: true });
    await clear.endAsync();
  });

  it("QoS 2 under load stays within the broker's receive maximum", async () => {
    const base = uniqueBase('out-q2');
    const reader = await read(`${base}/#`);
    // One attempt: a "Quota exceeded" refusal would fail the message instead of being retried.
    const { engine, src, dead } = await sink({ topic: `${base}/{{payload.n}}`, qos: 2, attempts: 1 });
    await Promise.all(Array.from({ length: 300 }, (_, n) => src.push({ n, id: `q${n}` }, `q${n}`)));
    await engine.whenIdle();
    expect(dead.delivered).toEqual([]);
    expect(engine.counters().src).toMatchObject({ acked: 300, nacked: 0 });
    await reader.settled();
    expect(new Set(reader.ids()).size).toBe(300);
  });

  it('MQTT 5: sends properties from headers', async () => {
    const base = uniqueBase('out-props');
    const reader = await read(`${base}/#`);
    const { engine, src } = await sink({ topic: `${base}/p` });
    const headers = {
      'content-type': 'application/json',
      'mqtt-response-topic': `${base}/reply`,
      'mqtt-correlation-data': Buffer.from('abc').toString('base64'),
      site: 'plant-7',
      'mqtt-qos': '1',
      'sluice-error': 'internal',
      // Other sources' envelopes describe how the input arrived: not user properties.
      'kafka-topic': 'readings',
      'amqp-routing-key': 'in.key',
    };
    await src.ctx.ingest({ id: 'p', payload: { v: 1 }, headers, timestamp: 0 }, () => undefined);
    await engine.whenIdle();
    await reader.settled();
    const props = reader.packets[0].properties;
    expect(props?.contentType).toBe('application/json');
    expect(props?.responseTopic).toBe(`${base}/reply`);
    expect(Buffer.from(props?.correlationData ?? []).toString()).toBe('abc');
    expect(props?.userProperties).toEqual({ site: 'plant-7' });
  });

  it('encodes payloads by codec and fails what does not fit', async () => {
    const base = uniqueBase('out-codec');
    const reader = await read(`${base}/#`);
    const text = await sink({ topic: `${base}/text`, codec: 'text' });
    await text.src.push('héllo', 't1');
    await text.src.push({ not: 'text' }, 't2');
    await text.engine.whenIdle();
    expect(text.dead.delivered.map((m) => m.id)).toEqual(['t2']);
    expect(text.dead.delivered[0].headers['sluice-error']).toMatch(/cannot send/);
    await text.engine.stop();
    const bytes = await sink({ topic: `${base}/bytes`, codec: 'bytes' });
    await bytes.src.push(Buffer.from([0, 255]), 'b1');
    await bytes.engine.whenIdle();
    await reader.settled();
    expect(reader.packets.map((p) => [p.topic.slice(base.length + 1), Buffer.from(p.payload)])).toEqual([
      ['text', Buffer.from('héllo')],
      ['bytes', Buffer.from([0, 255])],
    ]);
  });

  it.each([
    ['', { attempts: 3, retryDelayMs: 10, retryMaxDelayMs: 20 }],
    [' (old names retryBaseMs, retryMaxMs: renamed on load)', { attempts: 3, retryBaseMs: 10, retryMaxMs: 20 }],
  ])(
    'while the broker is unreachable, fails each message after its retry budget instead of buffering%s',
    async (_, retry) => {
      const { engine, src, dead, statuses } = await sink(
        { topic: 'x/y', ...retry },
        { url: 'mqtt://127.0.0.1:1', reconnectDelayMs: 100 },
      );
      for (let i = 0; i < 5; i++) await src.push({ i }, `u${i}`);
      await engine.whenIdle();
      expect(dead.delivered.map((m) => m.id).sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
      expect(dead.delivered[0].headers['sluice-error']).toMatch(/not connected/);
      expect(
        statuses.some((s) => s.nodeId === 'out' && s.state === 'error' && /ECONNREFUSED/.test(s.reason ?? '')),
      ).toBe(true);
    },
  );
});
