/**
 * Fault suite, MQTT -> PostgreSQL: kill -9 and SIGTERM under load, PostgreSQL unreachable then back, a slow
 * database, a broker restart with a persistent session, poison messages among good ones. Every scenario is at least
 * once: nothing the broker acknowledged to the publisher may be missing from the table (duplicates are counted).
 * Short under `npm test`; `npm run test:faults` runs the long versions and prints the table.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateMosquitto } from '../support/fault-mosquitto.js';
import { requireService } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { printTable, size, sleep, tmpDir } from './harness.js';
import { PgOracle } from './oracles.js';
import { type FaultContext, runScenario } from './runner.js';

const available = await requireService('postgres');
const COUNT = size(1_500, 24_000);
const RATE = size(300, 800);
/** Roughly how long publishing lasts: faults are placed inside it. */
const SPAN_MS = (COUNT / RATE) * 1000;

describe.runIf(available)('fault suite: MQTT -> PostgreSQL', { timeout: size(240_000, 1_200_000) }, () => {
  let dir: string;
  let broker: PrivateMosquitto;
  const oracles: PgOracle[] = [];
  const names: string[] = [];

  beforeAll(async () => {
    dir = tmpDir('pg');
    broker = await PrivateMosquitto.start(join(dir, 'mosquitto'));
  });

  afterAll(async () => {
    for (const o of oracles) await o.close();
    await broker?.down();
    printTable('MQTT -> PostgreSQL', names);
  });

  /** The sink through a proxy (which may be down, or slow), read back by the oracle from PostgreSQL itself. */
  async function pgSink(proxy?: TcpProxy) {
    const oracle = new PgOracle(`faults_${randomUUID().slice(0, 8)}`);
    await oracle.open();
    oracles.push(oracle);
    return {
      node: {
        type: 'postgres-out',
        config: {
          connection: 'pg',
          table: oracle.table,
          columns: { msg_id: 'payload.id', seq: 'payload.seq' },
          types: { msg_id: 'text', seq: 'integer' },
          key: [], // plain inserts: a redelivery is a second row, so the oracle can count duplicates
          createTable: false,
        },
      },
      connections: [
        {
          id: 'pg',
          kind: 'postgres',
          config: { host: '127.0.0.1', port: proxy?.port ?? 5432, database: 'test', user: 'postgres' },
        },
      ],
      rows: () => oracle.rows(),
      tally: () => oracle.tally(),
    };
  }

  async function scenario(
    name: string,
    during: (ctx: FaultContext) => Promise<void>,
    o: { proxy?: TcpProxy; poisonEvery?: number } = {},
  ) {
    names.push(name);
    const outcome = await runScenario({
      name,
      dir,
      broker,
      sink: await pgSink(o.proxy),
      count: COUNT,
      ratePerSecond: RATE,
      poisonEvery: o.poisonEvery,
      during,
    });
    expect(outcome.messages).toBe(COUNT);
    expect(outcome.lost, `${name}: lost of ${outcome.messages}`).toBe(0);
    return outcome;
  }

  const kills = size(2, 4);
  it(`kill -9 of sluice run, ${kills} times under load`, async () => {
    await scenario(`kill -9 x${kills}`, async (ctx) => {
      for (let k = 0; k < kills; k++) {
        await sleep(SPAN_MS / (kills + 1));
        ctx.sluice.kill('SIGKILL');
        await ctx.sluice.exited;
        ctx.endFault(); // recovery: from the crash to the restarted process's first row
        await ctx.restart();
      }
    });
  });

  it('SIGTERM under load, then a restart', async () => {
    await scenario('SIGTERM under load', async (ctx) => {
      await sleep(SPAN_MS / 2);
      ctx.sluice.kill('SIGTERM');
      await ctx.sluice.exited;
      ctx.endFault();
      await ctx.restart();
    });
  });

  const outageMs = size(3_000, 45_000);
  it(`PostgreSQL unreachable for ${outageMs / 1000} s (proxy down), then back`, async () => {
    const proxy = new TcpProxy(5432);
    await proxy.up();
    try {
      await scenario(
        `PostgreSQL down ${outageMs / 1000} s`,
        async (ctx) => {
          await sleep(SPAN_MS / 3);
          await proxy.down();
          await sleep(outageMs);
          await proxy.up();
          ctx.endFault();
        },
        { proxy },
      );
    } finally {
      await proxy.down();
    }
  });

  const latency = size(20, 50);
  it(`a slow database: +${latency} ms each way on every packet`, async () => {
    const proxy = new TcpProxy(5432);
    proxy.latencyMs = latency;
    await proxy.up();
    try {
      await scenario(`slow sink +${latency} ms`, async () => undefined, { proxy });
    } finally {
      await proxy.down();
    }
  });

  const brokerDownMs = size(1_000, 10_000);
  it(`broker restart (${brokerDownMs / 1000} s down) with a persistent session`, async () => {
    await scenario(`broker restart ${brokerDownMs / 1000} s`, async (ctx) => {
      await sleep(SPAN_MS / 2);
      await ctx.broker.down();
      await sleep(brokerDownMs);
      await ctx.broker.up();
      ctx.endFault();
    });
  });

  it('poison messages (not JSON, a JSONata error) mixed into good traffic: every good one arrives', async () => {
    const outcome = await scenario('poison mixed in', async () => undefined, { poisonEvery: size(100, 20) });
    expect(
      outcome.warnings.some((w) => /json|decode|number|cast/i.test(JSON.stringify(w))),
      'a warning names the failure',
    ).toBe(true);
  });
});
