/** sparkplug-out (an edge node) and sparkplug-in (a host) against the real Mosquitto, and the mqtt-in/out codec. */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../../src/connectors/sparkplug/host.js';
import type { Engine } from '../../../src/runtime/engine.js';
import { defineNode, type Message, TransientError, Type } from '../../../src/spec/index.js';
import type { CreateRuntime } from '../../../src/spec/runtime-contract.js';
import { eventually } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { type SinkHandle, type SourceHandle, sinks, sources } from '../../support/test-nodes.js';
import { startFlow } from '../mqtt-support/flow.js';
import { connectPlain, uniqueBase } from '../mqtt-support/mqtt.js';

const run = await requireService('mosquitto');

let engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines) await e.stop({ deadlineMs: 2000 });
  engines = [];
});

const uniqueGroup = () => `sluice-test-${randomUUID().slice(0, 8)}`;

async function edgeFlow(group: string, ids: { src: string; edge: string }, config: Record<string, unknown> = {}) {
  const { engine } = await startFlow(
    [
      [ids.src, 'test-source'],
      [ids.edge, 'sparkplug-out', { connection: 'broker', groupId: group, edgeNodeId: 'line-1', ...config }],
    ],
    [[ids.src, ids.edge]],
    { id: `edge-${group}` },
  );
  engines.push(engine);
  return { engine, source: sources.get(ids.src) as SourceHandle };
}

async function hostFlow(
  group: string,
  ids: { host: string; sink: string },
  config: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
  sink: Record<string, unknown> = {},
) {
  const { engine } = await startFlow(
    [
      [
        ids.host,
        'sparkplug-in',
        { connection: 'broker', groupId: group, rebirthIntervalMs: 200, controlMetrics: true, ...config },
      ],
      [ids.sink, 'test-sink', { failFlagged: false, ...sink }],
    ],
    [[ids.host, ids.sink]],
    { id: `host-${group}`, settings },
  );
  engines.push(engine);
  return { engine, sink: sinks.get(ids.sink) as SinkHandle };
}

/** Fails the first delivery of each metric named `temp` (a sink that is briefly down), records every delivery. */
const flakySink = defineNode({
  type: 'flaky-metric-sink',
  version: 1,
  category: 'sink',
  title: 'Flaky metric sink',
  summary: 'Test only.',
  docs: 'Test only.',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object({}),
});
const flakyDelivered: Message[] = [];
const createFlaky: CreateRuntime<unknown> = () => {
  let failed = false;
  return {
    handle(msg) {
      if ((msg.payload as MetricEvent).name === 'temp' && !failed) {
        failed = true;
        return Promise.reject(new TransientError('the sink is down for a moment'));
      }
      flakyDelivered.push(msg);
      return undefined;
    },
  };
};

const events = (sink: SinkHandle) => sink.delivered.map((m) => m.payload as MetricEvent);

describe.runIf(run)('sparkplug-in and sparkplug-out', () => {
  it('publishes births and data as an edge node; the host names each metric and marks them stale on NDEATH', async () => {
    const group = uniqueGroup();
    const { sink } = await hostFlow(group, { host: 'host-a', sink: 'uns-a' });
    const edge = await edgeFlow(group, { src: 'src-a', edge: 'edge-a' }, { device: '{{payload.machine}}' });
    await edge.source.push({ machine: 'press', temp: 21.5, running: true, line: { speed: 3 } });
    await edge.source.push({ machine: 'press', temp: 22, running: true, line: { speed: 4 } });
    await eventually(
      () => events(sink).filter((e) => e.name === 'temp').length,
      (n) => n >= 2,
      10_000,
      'two temp values',
    );
    const temps = events(sink).filter((e) => e.name === 'temp');
    expect(temps.map((e) => [e.messageType, e.value, e.datatype, e.quality, e.device])).toEqual([
      ['DBIRTH', 21.5, 'Double', 'good', 'press'],
      ['DDATA', 22, 'Double', 'good', 'press'],
    ]);
    const speed = sink.delivered.find(
      (m) => (m.payload as MetricEvent).name === 'line/speed' && m.headers['sparkplug-message-type'] === 'DDATA',
    );
    expect(speed?.topic).toBe(`${group}/line-1/press/line/speed`);
    expect(speed?.headers).toMatchObject({
      'sparkplug-group': group,
      'sparkplug-edge-node': 'line-1',
      'sparkplug-device': 'press',
      'sparkplug-quality': 'good',
    });
    // The node-level births: bdSeq and the rebirth control.
    expect(
      events(sink)
        .filter((e) => e.messageType === 'NBIRTH')
        .map((e) => e.name),
    ).toEqual(['bdSeq', 'Node Control/Rebirth']);

    // A clean stop of the edge node publishes its NDEATH: every metric the host knew turns stale with its last value.
    await edge.engine.stop({ deadlineMs: 2000 });
    await eventually(
      () => events(sink).filter((e) => e.quality === 'stale').length,
      (n) => n >= 6,
      10_000,
      'stale metrics',
    );
    const stale = events(sink).filter((e) => e.quality === 'stale');
    expect(stale.map((e) => `${e.device ?? ''}:${e.name}=${JSON.stringify(e.value)}:${e.staleReason}`).sort()).toEqual([
      ':Node Control/Rebirth=false:NDEATH',
      ':bdSeq=0:NDEATH',
      'press:line/speed=4:NDEATH',
      'press:machine="press":NDEATH',
      'press:running=true:NDEATH',
      'press:temp=22:NDEATH',
    ]);
  });

  it("the broker publishes the NDEATH will when the edge node's connection drops; the next connection has the next bdSeq", async () => {
    const group = uniqueGroup();
    const proxy = new TcpProxy(1883);
    await proxy.up();
    try {
      const { sink } = await hostFlow(group, { host: 'host-w', sink: 'uns-w' });
      const { engine: edgeEngine } = await startFlow(
        [
          ['src-w', 'test-source'],
          ['edge-w', 'sparkplug-out', { connection: 'proxied', groupId: group, edgeNodeId: 'line-1' }],
        ],
        [['src-w', 'edge-w']],
        {
          id: `edge-${group}`,
          extraConnections: [
            { id: 'proxied', kind: 'mqtt', config: { url: `mqtt://127.0.0.1:${proxy.port}`, reconnectDelayMs: 100 } },
          ],
        },
      );
      engines.push(edgeEngine);
      const source = sources.get('src-w') as SourceHandle;
      await source.push({ level: 7 });
      await eventually(
        () => events(sink).filter((e) => e.name === 'level').length,
        (n) => n >= 1,
        10_000,
        'level',
      );
      proxy.drop(); // the socket dies without a DISCONNECT: Mosquitto sends the will
      await eventually(
        () =>
          events(sink)
            .filter((e) => e.quality === 'stale' && e.staleReason === 'NDEATH')
            .map((e) => e.name),
        (names) => names.includes('level'),
        10_000,
        'level stale after the will',
      );
      // mqtt.js reconnects through the proxy: NBIRTH with bdSeq 1 and the last values, good again.
      await eventually(
        () =>
          events(sink)
            .filter((e) => e.messageType === 'NBIRTH' && e.name === 'bdSeq')
            .map((e) => e.value),
        (v) => v.includes(1),
        15_000,
        'the NBIRTH of the second connection',
      );
      const reborn = events(sink)
        .filter((e) => e.messageType === 'NBIRTH' && e.name === 'level')
        .at(-1);
      expect(reborn).toMatchObject({ value: 7, quality: 'good' });
      await source.push({ level: 8 });
      await eventually(
        () =>
          events(sink)
            .filter((e) => e.name === 'level' && e.messageType === 'NDATA')
            .map((e) => e.value),
        (v) => v.includes(8),
        10_000,
        'NDATA after the reconnect',
      );
    } finally {
      await proxy.down();
    }
  });

  it('asks an edge node it never saw born for a rebirth, and then names its metrics', async () => {
    const group = uniqueGroup();
    const edge = await edgeFlow(group, { src: 'src-b', edge: 'edge-b' });
    await edge.source.push({ pressure: 1.5 }); // NBIRTH again (a new node metric) before the host listens
    const { engine, sink } = await hostFlow(group, { host: 'host-b', sink: 'uns-b' });
    // The host missed the births: this NDATA carries an alias it cannot name, so it asks for a rebirth.
    await edge.source.push({ pressure: 1.6 });
    await eventually(
      () => events(sink).filter((e) => e.name === 'pressure'),
      (p) => p.length >= 1,
      10_000,
      'the pressure metric after a rebirth',
    );
    expect(events(sink).find((e) => e.name === 'pressure')).toMatchObject({
      messageType: 'NBIRTH',
      value: 1.6,
      quality: 'good',
    });
    const snap = engine.snapshot('host-b');
    expect(JSON.stringify(snap)).toContain('"rebirthRequests":1');
    await edge.source.push({ pressure: 1.7 });
    await eventually(
      () =>
        events(sink)
          .filter((e) => e.name === 'pressure' && e.messageType === 'NDATA')
          .map((e) => e.value),
      (v) => v.includes(1.7),
      10_000,
      'NDATA 1.7',
    );
  });

  it('a message with more metrics than the in-flight bound goes in as room appears, and is acked once', async () => {
    const group = uniqueGroup();
    const { engine, sink } = await hostFlow(
      group,
      { host: 'host-f', sink: 'uns-f' },
      {},
      { maxInFlight: 3 },
      { delayMs: 20 },
    );
    const edge = await edgeFlow(group, { src: 'src-f', edge: 'edge-f' });
    const wide = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`m${i}`, i]));
    await edge.source.push(wide); // NBIRTH with 14 metrics
    await edge.source.push(Object.fromEntries(Object.keys(wide).map((k) => [k, 100]))); // NDATA with 12
    await eventually(
      () => events(sink).filter((e) => e.messageType === 'NDATA').length,
      (n) => n >= 12,
      15_000,
      'the 12 NDATA metrics',
    );
    await engine.whenIdle();
    const host = engine.counters()['host-f'];
    expect(host).toMatchObject({ nacked: 0, inFlight: 0 });
    expect(host.acked).toBe(host.out);
    expect(JSON.stringify(engine.snapshot('host-f'))).toMatch(/"heldAcks":0/);
  });

  it('a metric the flow nacks holds back its MQTT message, which comes again with all its metrics (at least once)', async () => {
    const group = uniqueGroup();
    const { engine } = await startFlow(
      [
        ['host-n', 'sparkplug-in', { connection: 'broker', groupId: group, qos: 1 }],
        ['flaky', 'flaky-metric-sink'],
      ],
      [['host-n', 'flaky']],
      { id: `host-${group}`, extra: { catalog: [flakySink], runtimes: { 'flaky-metric-sink': createFlaky } } },
    );
    engines.push(engine);
    const edge = await edgeFlow(group, { src: 'src-n', edge: 'edge-n' }, { qos: 1, device: 'd1' });
    await edge.source.push({ temp: 20, hum: 40 }); // DBIRTH: temp is nacked once, the whole DBIRTH comes again
    await edge.source.push({ temp: 21, hum: 41 }); // DDATA
    const seen = () =>
      flakyDelivered.filter((m) => (m.payload as MetricEvent).group === group).map((m) => m.payload as MetricEvent);
    // The subscriber hands the nacked DBIRTH in again (its seq is now behind: a redelivery, not a gap).
    await eventually(
      () => seen().filter((e) => e.messageType === 'DDATA' || e.name === 'temp').length,
      (n) => n >= 3,
      15_000,
      'the DDATA metrics and the redelivered DBIRTH',
    );
    // Control metrics (bdSeq, Node Control/*) are not emitted by default.
    expect(seen().filter((e) => e.messageType === 'NBIRTH')).toEqual([]);
    const births = seen().filter((e) => e.messageType === 'DBIRTH');
    expect(births.filter((e) => e.name === 'temp').map((e) => e.value)).toEqual([20]);
    // hum went through the first time and again with its message's redelivery: a duplicate, never a loss.
    expect(births.filter((e) => e.name === 'hum').map((e) => e.value)).toEqual([40, 40]);
    expect(
      seen()
        .filter((e) => e.messageType === 'DDATA')
        .map((e) => `${e.name}=${e.value}:${e.quality}`)
        .sort(),
    ).toEqual(['hum=41:good', 'temp=21:good']);
    const snap = engine.snapshot('host-n') as { retried: number; sparkplug: { edgeNodes: Array<{ stale: boolean }> } };
    expect(snap.retried).toBeGreaterThanOrEqual(1);
    expect(snap.sparkplug.edgeNodes[0].stale).toBe(false);
  });

  it('publishes the host STATE: online on connect, offline as its will and on a clean stop', async () => {
    const hostId = `sluice-test-host-${randomUUID().slice(0, 8)}`;
    const topic = `spBv1.0/STATE/${hostId}`;
    const states: Array<{ online: boolean; timestamp: number }> = [];
    const watcher = await connectPlain();
    watcher.on('message', (_t, payload) => {
      if (payload.length > 0) states.push(JSON.parse(payload.toString()));
    });
    await watcher.subscribeAsync(topic, { qos: 1 });
    const proxy = new TcpProxy(1883);
    await proxy.up();
    try {
      const { engine } = await startFlow(
        [
          ['host-s', 'sparkplug-in', { connection: 'proxied', groupId: uniqueGroup(), hostId }],
          ['sink-s', 'test-sink', { failFlagged: false }],
        ],
        [['host-s', 'sink-s']],
        {
          id: `host-${hostId}`,
          extraConnections: [
            { id: 'proxied', kind: 'mqtt', config: { url: `mqtt://127.0.0.1:${proxy.port}`, reconnectDelayMs: 100 } },
          ],
        },
      );
      engines.push(engine);
      await eventually(
        () => states.map((s) => s.online),
        (o) => o.includes(true),
        10_000,
        'online STATE',
      );
      proxy.drop(); // no DISCONNECT: the broker publishes the will
      const first = states[0].timestamp;
      // The will carries its session's timestamp; the next session announces itself with a newer one. (mqtt.js may
      // also resend the first online STATE if its PUBACK was lost with the connection: a duplicate, older.)
      await eventually(
        () => states,
        (st) => st.some((x) => x.online && x.timestamp > first),
        15_000,
        'offline will, then online again',
      );
      expect(states.filter((x) => !x.online)).toEqual([{ online: false, timestamp: first }]);
      const second = states.at(-1) as { online: boolean; timestamp: number };
      expect(second.online).toBe(true);
      await engine.stop({ deadlineMs: 2000 });
      await eventually(
        () => states.at(-1)?.online,
        (o) => o === false,
        10_000,
        'offline on stop',
      );
      expect(states.at(-1)).toEqual({ online: false, timestamp: second.timestamp });
    } finally {
      await proxy.down();
      await watcher.publishAsync(topic, '', { qos: 1, retain: true });
      await watcher.endAsync();
    }
  });

  it('mqtt-out and mqtt-in carry Sparkplug B payloads with the sparkplug codec', async () => {
    const base = uniqueBase('sparkplug-codec');
    const { engine } = await startFlow(
      [
        ['sp-src', 'test-source'],
        ['sp-out', 'mqtt-out', { connection: 'broker', topic: `${base}/out`, codec: 'sparkplug' }],
        ['sp-in', 'mqtt-in', { connection: 'broker', topics: [`${base}/#`], codec: 'sparkplug', qos: 1 }],
        ['sp-sink', 'test-sink', { failFlagged: false }],
        ['sp-dead', 'test-sink', { failFlagged: false }],
      ],
      [
        ['sp-src', 'sp-out'],
        ['sp-in', 'sp-sink'],
      ],
      { settings: { errorRoute: 'sp-dead' } },
    );
    engines.push(engine);
    await new Promise((r) => setTimeout(r, 300)); // the subscription is in place once mqtt-in has started
    const source = sources.get('sp-src') as SourceHandle;
    await source.push({
      timestamp: 1_765_000_000_000,
      seq: 4,
      metrics: [{ name: 'rpm', datatype: 'UInt16', value: 1500 }],
    });
    const raw = await connectPlain();
    await raw.publishAsync(`${base}/garbage`, Buffer.from([0xff, 0xff, 0xff]), { qos: 1 });
    await raw.endAsync();
    const sink = sinks.get('sp-sink') as SinkHandle;
    const dead = sinks.get('sp-dead') as SinkHandle;
    await eventually(
      () => sink.delivered.length + dead.delivered.length,
      (n) => n >= 2,
      10_000,
      'both messages',
    );
    expect(sink.delivered[0].payload).toEqual({
      timestamp: 1_765_000_000_000,
      seq: 4,
      metrics: [{ name: 'rpm', datatype: 'UInt16', value: 1500 }],
    });
    expect(dead.delivered[0].headers['sluice-error']).toMatch(/is not a Sparkplug B payload/);
  });
});
