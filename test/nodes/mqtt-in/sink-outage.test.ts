/**
 * Fault 3 (issue 10): after a sink outage, mqtt-in's intake resumes as soon as the sink is back, not after a
 * reconnect backoff that grew while nacks dropped the connection. Real Mosquitto, real PostgreSQL behind a TCP proxy
 * that is cut for ~10 s; every message published before, during and after the outage must land (at least once).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/runtime/engine.js';
import { eventually } from '../../conformance/harness.js';
import { PG, postgresBehindProxy } from '../../support/pg-sink.js';
import { requireService } from '../../support/services.js';
import { startFlow } from '../mqtt-support/flow.js';
import { clearSession, connectPlain, uniqueBase, uniqueClientId } from '../mqtt-support/mqtt.js';

const run = (await requireService('mosquitto')) && (await requireService('postgres'));
const OUTAGE_MS = 10_000;

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  cleanup = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(run)('mqtt-in after a sink outage', () => {
  it('resumes intake within moments of PostgreSQL coming back, on the same connection, losing nothing', async () => {
    const sink = await postgresBehindProxy('mqtt_outage');
    cleanup.push(() => sink.close());
    const { table, proxy, count, has } = sink;

    const base = uniqueBase('outage');
    const clientId = uniqueClientId('outage');
    cleanup.push(() => clearSession(clientId));
    const { engine, statuses } = await startFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', clientId, topics: [`${base}/#`], window: 50 }],
        [
          'db',
          'postgres-out',
          {
            connection: 'pg',
            table,
            createTable: true,
            key: ['id'],
            columns: { id: 'payload.id' },
            types: { id: 'text' },
            attempts: 2,
            retryDelayMs: 50,
            retryMaxDelayMs: 100,
          },
        ],
      ],
      [['in', 'db']],
      {
        // The defaults that let the old backoff grow to 30 s.
        connection: { reconnectDelayMs: 1000, reconnectMaxDelayMs: 30_000 },
        extraConnections: [{ id: 'pg', kind: 'postgres', config: { ...PG, port: proxy.port, connectTimeoutMs: 1000 } }],
      },
    );
    cleanup.push(() => (engine as Engine).stop({ deadlineMs: 2000 }));

    const pub = await connectPlain();
    cleanup.push(() => pub.endAsync());
    const sent: string[] = [];
    const publish = async (prefix: string, count: number, gapMs: number) => {
      for (let i = 0; i < count; i++) {
        const id = `${prefix}${i}`;
        sent.push(id);
        await pub.publishAsync(`${base}/r`, JSON.stringify({ id }), { qos: 1 });
        if (gapMs > 0) await sleep(gapMs);
      }
    };

    await publish('before-', 20, 0);
    await eventually(count, (n) => n >= 20, 10_000, 'the first 20 rows');

    await proxy.down();
    await publish('during-', 100, OUTAGE_MS / 100); // ~10 s of traffic with the database away
    await proxy.up();
    const back = Date.now();
    // A message published right after the database is back: how soon it lands is how soon intake resumed.
    await publish('after-', 1, 0);
    await eventually(() => has('after-0'), Boolean, 40_000, 'the first message after the outage');
    const resumedMs = Date.now() - back;
    await eventually(count, (n) => n >= sent.length, 20_000, 'every row');
    const ids = await sink.ids();
    console.log(`mqtt-in resumed ${resumedMs} ms after PostgreSQL came back (${sent.length} messages, 0 lost)`);

    expect(ids).toEqual([...sent].sort());
    const snap = engine.snapshot('in') as { connects: number; redeliveryReconnects: number; retried: number };
    expect(engine.counters().in.nacked).toBeGreaterThan(0);
    expect(snap.retried).toBeGreaterThan(0);
    // The connection stayed up through the outage: nothing to back off from.
    expect(snap).toMatchObject({ connects: 1, redeliveryReconnects: 0 });
    // The node said why intake stopped, and that it goes on.
    const mine = statuses.filter((s) => s.nodeId === 'in');
    expect(mine.some((s) => /intake paused, retrying a failed message: .*unreachable/.test(s.reason ?? ''))).toBe(true);
    expect(mine.at(-1)).toMatchObject({ state: 'connected' });
    expect(mine.at(-1)?.reason ?? '').not.toMatch(/paused/);
    // Loose on purpose (the fault was 20-30 s; the goal is < 1 s and the figure is printed above).
    expect(resumedMs).toBeLessThan(5_000);
  }, 90_000);
});
