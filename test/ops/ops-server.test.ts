/**
 * The ops endpoints against real services: /readyz names the node and connection while PostgreSQL (behind a TCP
 * proxy) is down and turns ready once it is up; /metrics after MQTT traffic equals the engine's counters; a stalled
 * event loop makes /healthz unhealthy; flows that go away take their series with them.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { type OpsServer, startOpsServer } from '../../src/ops/server.js';
import type { OpsFlow } from '../../src/ops/source.js';
import { Engine } from '../../src/runtime/engine.js';
import { eventually } from '../conformance/harness.js';
import { clearSession, connectPlain, uniqueBase, uniqueClientId } from '../nodes/mqtt-support/mqtt.js';
import { requireService } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { parseMetrics, sampleValue } from './metrics-text.js';
import { SingleFlow } from './single-flow.js';

const services = (await requireService('mosquitto')) && (await requireService('postgres'));

let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function get(url: string): Promise<{ status: number; body: string; json: () => Record<string, unknown> }> {
  const res = await fetch(url);
  const body = await res.text();
  return { status: res.status, body, json: () => JSON.parse(body) as Record<string, unknown> };
}

async function ops(flows: () => Iterable<OpsFlow>, extra: { maxLagMs?: number; lagWindowMs?: number } = {}) {
  const server: OpsServer = await startOpsServer({ source: { flows }, catalog, port: 0, ...extra });
  cleanups.push(() => server.close());
  return server;
}

/** mqtt-in -> transform -> postgres-out, the database reached through `pgPort`. */
function pipeline(topic: string, clientId: string, table: string, pgPort: number) {
  return {
    format: 'sluice/flow@1',
    id: `ops-${table}`,
    connections: [
      { id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } },
      { id: 'pg', kind: 'postgres', config: { host: '127.0.0.1', port: pgPort, database: 'test' } },
    ],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [topic], qos: 1, clientId } },
      { id: 'double', type: 'transform', config: { expression: '{"id": payload.id, "n": payload.n * 2}' } },
      {
        id: 'out',
        type: 'postgres-out',
        config: {
          connection: 'pg',
          table,
          createTable: true,
          columns: { id: 'payload.id', n: 'payload.n' },
          types: { id: 'text', n: 'double' },
          retryDelayMs: 50,
          retryMaxDelayMs: 200,
        },
      },
    ],
    edges: [
      { source: 'in', sourcePort: 'out', target: 'double', targetPort: 'in' },
      { source: 'double', sourcePort: 'out', target: 'out', targetPort: 'in' },
    ],
  };
}

describe.runIf(services)('ops server with a running flow', () => {
  it('/readyz names the node and connection while PostgreSQL is down, then is ready; /metrics equals the counters', async () => {
    const proxy = new TcpProxy(5432);
    await proxy.up();
    await proxy.down(); // keeps its port: the database is "down" from the start
    cleanups.push(() => proxy.down());
    const table = `sluice_ops_${randomUUID().slice(0, 8)}`;
    const topic = `${uniqueBase('ops')}/data`;
    const clientId = uniqueClientId('ops');
    cleanups.push(() => clearSession(clientId));
    const engine = new Engine({ catalog });
    const flow = new SingleFlow('pipeline', engine);
    const server = await ops(() => flow.flows());

    // Starting: not ready, and says so.
    const starting = await get(`${server.url}/readyz`);
    expect(starting.status).toBe(503);
    expect(starting.json().flows).toEqual([expect.objectContaining({ flow: 'pipeline', state: 'starting' })]);

    await engine.start(pipeline(topic, clientId, table, proxy.port));
    cleanups.push(() => engine.stop({ deadlineMs: 1000 }));
    flow.started();

    const down = await eventually(
      () => get(`${server.url}/readyz`),
      (r) => r.status === 503 && JSON.stringify(r.json()).includes('"state":"error"'),
      10_000,
      'not ready, the sink in error',
    );
    const body = down.json() as { ready: boolean; flows: Array<Record<string, unknown>> };
    expect(body.ready).toBe(false);
    const [f] = body.flows;
    expect(f).toMatchObject({ flow: 'pipeline', state: 'running', ready: false });
    expect(f.nodes).toEqual([expect.objectContaining({ node: 'out', type: 'postgres-out', state: 'error' })]);
    const pg = (f.connections as Array<Record<string, unknown>>).find((c) => c.connection === 'pg');
    expect(pg).toMatchObject({ kind: 'postgres', up: false });
    expect(String(pg?.reason)).toMatch(/node "out" is error: .*(ECONNREFUSED|connect)/i);
    expect(f.connections).toContainEqual({ connection: 'broker', kind: 'mqtt', up: true });
    const downMetrics = parseMetrics((await get(`${server.url}/metrics`)).body);
    expect(sampleValue(downMetrics, 'sluice_connection_up', { connection: 'pg' })).toBe(0);
    expect(sampleValue(downMetrics, 'sluice_node_up', { node: 'out' })).toBe(0);

    await proxy.up();
    const ready = await eventually(
      () => get(`${server.url}/readyz`),
      (r) => r.status === 200,
      15_000,
      'ready once PostgreSQL is reachable',
    );
    expect(ready.json()).toMatchObject({ status: 'ready', ready: true });

    // Traffic: 40 messages through the flow into the table.
    const pub = await connectPlain();
    for (let i = 0; i < 40; i++) await pub.publishAsync(topic, JSON.stringify({ id: `m${i}`, n: i }), { qos: 1 });
    await eventually(
      () => engine.nodeCounters('in')?.acked ?? 0,
      (n) => n >= 40,
      15_000,
      '40 acknowledged',
    );
    await engine.whenIdle(5000);

    const samples = parseMetrics((await get(`${server.url}/metrics`)).body);
    const counters = engine.counters();
    for (const [node, c] of Object.entries(counters)) {
      const labels = { flow: 'pipeline', node };
      expect(sampleValue(samples, 'sluice_node_messages_in_total', labels)).toBe(c.in);
      expect(sampleValue(samples, 'sluice_node_messages_total', { ...labels, outcome: 'out' })).toBe(c.out);
      expect(sampleValue(samples, 'sluice_node_messages_total', { ...labels, outcome: 'failed' })).toBe(c.failed);
      expect(sampleValue(samples, 'sluice_node_messages_total', { ...labels, outcome: 'dropped' })).toBe(c.dropped);
      expect(sampleValue(samples, 'sluice_node_in_flight', labels)).toBe(c.inFlight);
      expect(sampleValue(samples, 'sluice_node_up', labels)).toBe(1);
    }
    expect(counters.in).toMatchObject({ out: 40, acked: 40, nacked: 0, inFlight: 0 });
    expect(counters.out).toMatchObject({ in: 40, out: 40, failed: 0 });
    const labelsIn = { flow: 'pipeline', node: 'in', type: 'mqtt-in' };
    expect(sampleValue(samples, 'sluice_source_settled_total', { ...labelsIn, outcome: 'ack' })).toBe(40);
    expect(sampleValue(samples, 'sluice_source_settled_total', { ...labelsIn, outcome: 'nack' })).toBe(0);
    // Every settle observed once; every delivered row in some batch.
    expect(sampleValue(samples, 'sluice_settle_duration_seconds_count', { node: 'in', outcome: 'ack' })).toBe(40);
    expect(sampleValue(samples, 'sluice_settle_duration_seconds_sum', { node: 'in', outcome: 'ack' })).toBeGreaterThan(
      0,
    );
    expect(sampleValue(samples, 'sluice_sink_batch_size_sum', { flow: 'pipeline', node: 'out' })).toBe(40);
    expect(sampleValue(samples, 'sluice_sink_batch_size_count', { node: 'out' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'sluice_connection_up', { flow: 'pipeline', connection: 'pg', kind: 'postgres' })).toBe(
      1,
    );
    expect(sampleValue(samples, 'sluice_connection_up', { connection: 'broker', kind: 'mqtt' })).toBe(1);
    expect(sampleValue(samples, 'sluice_flow_running', { flow: 'pipeline', state: 'running' })).toBe(1);
    // The default process metrics, under their standard names.
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    // The database goes away mid-run: the next write retries, the sink reports it, /readyz says so again.
    await proxy.down();
    await pub.publishAsync(topic, JSON.stringify({ id: 'late', n: 1 }), { qos: 1 });
    await pub.endAsync();
    const again = await eventually(
      () => get(`${server.url}/readyz`),
      (r) => r.status === 503,
      10_000,
      'not ready after the database went away',
    );
    expect(JSON.stringify(again.json())).toContain('"connection":"pg"');
    await eventually(
      () => engine.nodeCounters('out')?.retries ?? 0,
      (n) => n >= 1,
      10_000,
      'a retry',
    );
    const retried = parseMetrics((await get(`${server.url}/metrics`)).body);
    expect(sampleValue(retried, 'sluice_node_retries_total', { node: 'out' })).toBe(
      engine.nodeCounters('out')?.retries,
    );
    await proxy.up();
    await eventually(
      () => engine.nodeCounters('in')?.acked ?? 0,
      (n) => n >= 41,
      15_000,
      'the late message written once the database is back',
    );
    await eventually(
      () => get(`${server.url}/readyz`),
      (r) => r.status === 200,
      15_000,
      'ready again',
    );
  });
});

/** generate -> transform, no services: flows that come and go. */
function generated(id: string) {
  return {
    format: 'sluice/flow@1',
    id,
    nodes: [
      { id: 'gen', type: 'generate', config: { intervalMs: 5, count: 20, payload: '{"n": 1}' } },
      { id: 't', type: 'transform', config: { expression: 'payload' } },
    ],
    edges: [{ source: 'gen', sourcePort: 'out', target: 't', targetPort: 'in' }],
  };
}

describe('ops server', () => {
  it('/healthz is 200 while the loop keeps up and 503 after a stall beyond the bound, then 200 again', async () => {
    const server = await ops(() => [], { maxLagMs: 200, lagWindowMs: 1000 });
    const ok = await get(`${server.url}/healthz`);
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', maxEventLoopLagMs: 200 });
    const until = Date.now() + 600;
    while (Date.now() < until) {
      // a stalled event loop (a blocking call, a runaway loop)
    }
    const stalled = await get(`${server.url}/healthz`);
    expect(stalled.status).toBe(503);
    expect(stalled.json()).toMatchObject({ status: 'unhealthy' });
    expect(Number(stalled.json().eventLoopLagMs)).toBeGreaterThan(200);
    expect(String(stalled.json().reason)).toMatch(/event loop lagged \d+ ms/);
    await eventually(
      async () => (await get(`${server.url}/healthz`)).status,
      (s) => s === 200,
      5000,
      'healthy once the stall is out of the window',
    );
    expect((await get(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('/readyz is 200 with no flows; series follow flows as they come and go', async () => {
    const a = new Engine({ catalog });
    const b = new Engine({ catalog });
    let list: OpsFlow[] = [];
    const server = await ops(() => list);
    expect((await get(`${server.url}/readyz`)).status).toBe(200);
    list = [
      { id: 'flow-a', state: 'starting', engine: a },
      { id: 'flow-b', state: 'starting', engine: b },
    ];
    server.metrics.attach(); // what the server does every second: the observers are on from here
    expect((await get(`${server.url}/readyz`)).status).toBe(503);
    await a.start(generated('a'));
    await b.start(generated('b'));
    cleanups.push(
      () => a.stop(),
      () => b.stop(),
    );
    for (const f of list) f.state = 'running';
    for (const e of [a, b]) {
      await eventually(
        () => e.nodeCounters('gen')?.acked ?? 0,
        (n) => n >= 20,
        5000,
        '20 generated and settled',
      );
    }
    expect((await get(`${server.url}/readyz`)).status).toBe(200);
    const both = parseMetrics((await get(`${server.url}/metrics`)).body);
    for (const [flow, e] of [
      ['flow-a', a],
      ['flow-b', b],
    ] as const) {
      expect(sampleValue(both, 'sluice_node_messages_in_total', { flow, node: 't', type: 'transform' })).toBe(
        e.nodeCounters('t')?.in,
      );
      expect(sampleValue(both, 'sluice_settle_duration_seconds_count', { flow, node: 'gen', outcome: 'ack' })).toBe(20);
    }
    list = [{ id: 'flow-a', state: 'running', engine: a }];
    await b.stop();
    const one = parseMetrics((await get(`${server.url}/metrics`)).body);
    expect(one.filter((s) => s.labels.flow === 'flow-b')).toEqual([]);
    expect(sampleValue(one, 'sluice_node_messages_in_total', { flow: 'flow-a', node: 't' })).toBe(20);
    expect(b.observer).toBeUndefined();
    // A flow that failed to start: not ready, with its error.
    list = [...list, { id: 'flow-c', state: 'failed', error: 'connection refused', engine: b }];
    const failed = await get(`${server.url}/readyz`);
    expect(failed.status).toBe(503);
    expect(failed.json().flows).toContainEqual(
      expect.objectContaining({ flow: 'flow-c', state: 'failed', ready: false, error: 'connection refused' }),
    );
  });
});
