import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../src/server/protocol.js';
import { call, edge, eventually, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await t?.close();
  t = undefined;
});

const TOKEN = 'ws-token-0123456789abcdef';

/** A real client on the real listening socket, collecting every message. */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; got: ServerMessage[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    sockets.push(ws);
    const got: ServerMessage[] = [];
    ws.on('message', (data) => got.push(JSON.parse(String(data)) as ServerMessage));
    ws.once('open', () => resolve({ ws, got }));
    ws.once('error', reject);
  });
}

const wsUrl = (t: TestServer, query = '') => `${t.server.url.replace(/^http/, 'ws')}/api/ws${query}`;

const generating = (id: string, config: Record<string, unknown>) =>
  flowDoc(
    id,
    [
      { id: 'gen', type: 'generate', config: { payload: '{"n": $seq}', ...config } },
      { id: 'dbg', type: 'debug', config: {} },
    ],
    [edge('gen', 'dbg')],
  );

function ofType<K extends ServerMessage['type']>(got: ServerMessage[], type: K): Extract<ServerMessage, { type: K }>[] {
  return got.filter((m): m is Extract<ServerMessage, { type: K }> => m.type === type);
}

describe('live feed over a real WebSocket', () => {
  it('sends flow-saved, flow-state, deployed, status, counters, debug and stopped, each naming its flow', async () => {
    t = await startServer();
    const { got } = await connect(wsUrl(t));
    const second = await connect(wsUrl(t));

    await call(t.app, 'POST', '/api/flows', { flow: generating('live', { intervalMs: 10 }) });
    await call(t.app, 'POST', '/api/flows/live/deploy');
    await eventually(() =>
      ofType(got, 'debug').length >= 3 && ofType(got, 'counters').length >= 2 ? true : undefined,
    );

    expect(ofType(got, 'flow-saved')).toEqual([{ type: 'flow-saved', id: 'live', revision: 1 }]);
    expect(ofType(got, 'deployed')).toEqual([{ type: 'deployed', flowId: 'live', revision: 1 }]);
    expect(ofType(got, 'status')).toEqual(
      expect.arrayContaining([
        { type: 'status', flowId: 'live', nodeId: 'gen', state: 'running' },
        { type: 'status', flowId: 'live', nodeId: 'dbg', state: 'running' },
      ]),
    );
    const counters = ofType(got, 'counters');
    expect(counters.at(-1)?.flowId).toBe('live');
    expect(counters.at(-1)?.counters.dbg.in).toBeGreaterThan(0);
    expect(ofType(got, 'flow-state').map((m) => [m.flowId, m.state, m.revision])).toEqual([
      ['live', 'starting', 1],
      ['live', 'running', 1],
    ]);
    expect(ofType(got, 'debug')[0].flowId).toBe('live');
    const entry = ofType(got, 'debug')[0].entry as { nodeId: string; payload: { n: number } };
    expect(entry).toMatchObject({ nodeId: 'dbg', payload: { n: 1 } });
    // Every editor gets the feed.
    expect(ofType(second.got, 'deployed')).toHaveLength(1);

    await call(t.app, 'POST', '/api/flows/live/stop');
    await eventually(() => (ofType(got, 'stopped').length === 1 ? true : undefined));
    expect(ofType(got, 'stopped')).toEqual([{ type: 'stopped', flowId: 'live' }]);
    expect(ofType(got, 'status')).toEqual(
      expect.arrayContaining([{ type: 'status', flowId: 'live', nodeId: 'gen', state: 'stopped' }]),
    );
    // A late editor starts from the runtime's state: the flow's state, statuses and counters.
    const late = await connect(wsUrl(t));
    await eventually(() => (ofType(late.got, 'counters').length === 1 ? true : undefined));
    expect(ofType(late.got, 'flow-state')).toEqual([
      { type: 'flow-state', flowId: 'live', state: 'stopped', revision: 1 },
    ]);
  });

  it('a failed message reaches the feed with node, reason and fate; the node keeps its last failure', async () => {
    t = await startServer();
    const { got } = await connect(wsUrl(t));
    const flow = flowDoc(
      'failing',
      [
        { id: 'gen', type: 'generate', config: { payload: '{"n": $seq}', intervalMs: 20 } },
        { id: 'bad', type: 'transform', config: { expression: '$error("no n here")' } },
        { id: 'dbg', type: 'debug', config: {} },
      ],
      [edge('gen', 'bad'), edge('bad', 'dbg')],
    );
    await call(t.app, 'POST', '/api/flows', { flow });
    await call(t.app, 'POST', '/api/flows/failing/deploy');
    await eventually(() => (ofType(got, 'failure').length >= 2 ? true : undefined));
    const first = ofType(got, 'failure')[0];
    expect(first.flowId).toBe('failing');
    expect(first.entry).toMatchObject({ nodeId: 'bad', fate: 'dropped', kind: 'deterministic', payload: { n: 1 } });
    expect(first.entry.reason).toMatch(/no n here/);
    // The flow keeps going: later messages fail too (and are counted), it is still running.
    await eventually(() => {
      const last = ofType(got, 'counters').at(-1);
      return last?.counters.bad.failed && last.counters.bad.failed >= 3 && last.lastFailures?.bad ? last : undefined;
    });
    const view = (
      await call<{ state: string; lastFailures: Record<string, { reason: string }> }>(
        t.app,
        'GET',
        '/api/runtime/flows/failing',
      )
    ).body;
    expect(view.state).toBe('running');
    expect(view.lastFailures.bad.reason).toMatch(/no n here/);
  });

  it('counters come at most every 250 ms', async () => {
    t = await startServer();
    const { got } = await connect(wsUrl(t));
    const times: number[] = [];
    const { ws } = await connect(wsUrl(t));
    ws.on('message', (d) => {
      if ((JSON.parse(String(d)) as ServerMessage).type === 'counters') times.push(Date.now());
    });
    await call(t.app, 'POST', '/api/flows', { flow: generating('fast', { intervalMs: 1 }) });
    await call(t.app, 'POST', '/api/flows/fast/deploy');
    await eventually(() => (times.length >= 5 ? true : undefined));
    const gaps = times.slice(1).map((x, i) => x - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
    expect(ofType(got, 'counters').length).toBeGreaterThanOrEqual(4);
  });

  it('a debug flood stays bounded: entries are dropped and counted, not queued', async () => {
    t = await startServer();
    const { got } = await connect(wsUrl(t));
    await call(t.app, 'POST', '/api/flows', { flow: generating('flood', { intervalMs: 0, count: 20000 }) });
    const started = Date.now();
    await call(t.app, 'POST', '/api/flows/flood/deploy');
    const runtime = async () =>
      (await call<{ counters: Record<string, { in: number }> }>(t!.app, 'GET', '/api/runtime/flows/flood')).body;
    await eventually(async () => ((await runtime()).counters.dbg.in === 20000 ? true : undefined), 20000);
    const seconds = (Date.now() - started) / 1000;
    const sent = () => ofType(got, 'debug').length;
    const dropped = () => ofType(got, 'debug-dropped').reduce((n, m) => n + m.count, 0);
    // Every entry is accounted for: sent, or counted in a debug-dropped message (flushed every 250 ms).
    await eventually(() => (sent() + dropped() === 20000 ? true : undefined));
    expect(dropped()).toBeGreaterThan(0);
    // ~200/s plus one second's burst, whatever the rate of the flow.
    expect(sent()).toBeLessThanOrEqual(200 * seconds + 200 + 20);
  });

  it('a client that stops reading gets no more debug entries once its send buffer backs up', async () => {
    // No rate limit here, so only the back-pressure check can drop.
    t = await startServer({ hub: { debugRate: 1_000_000, slowBytes: 64 * 1024 } });
    const { ws, got } = await connect(wsUrl(t));
    ws.pause();
    const big = `"${'x'.repeat(2000)}"`;
    await call(t.app, 'POST', '/api/flows', {
      flow: generating('slow', { intervalMs: 0, count: 10000, payload: big }),
    });
    await call(t.app, 'POST', '/api/flows/slow/deploy');
    const runtime = async () =>
      (await call<{ counters: Record<string, { in: number }> }>(t!.app, 'GET', '/api/runtime/flows/slow')).body;
    await eventually(async () => ((await runtime()).counters.dbg.in === 10000 ? true : undefined), 20000);
    ws.resume();
    const sent = () => ofType(got, 'debug').length;
    const dropped = () => ofType(got, 'debug-dropped').reduce((n, m) => n + m.count, 0);
    await eventually(() => (sent() + dropped() === 10000 ? true : undefined), 10000);
    expect(dropped()).toBeGreaterThan(0);
    expect(sent()).toBeLessThan(10000);
  });
});

describe('WebSocket security', () => {
  it('needs the token (in the query) when one is set', async () => {
    t = await startServer({ token: TOKEN });
    await expect(connect(wsUrl(t))).rejects.toThrow(/401/);
    await expect(connect(wsUrl(t, '?token=nope-nope-nope-nope'))).rejects.toThrow(/401/);
    const { got } = await connect(wsUrl(t, `?token=${TOKEN}`));
    await call(t.app, 'POST', '/api/flows', { flow: generating('x', {}) }, { authorization: `Bearer ${TOKEN}` });
    await eventually(() => (ofType(got, 'flow-saved').length === 1 ? true : undefined));
  });

  it('refuses a cross-site Origin (WebSocket hijacking)', async () => {
    t = await startServer();
    await expect(connect(wsUrl(t), { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await connect(wsUrl(t), { origin: t.server.url });
  });
});
