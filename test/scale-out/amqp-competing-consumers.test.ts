/**
 * Scale-out on AMQP competing consumers: 3 `sluice run` replicas consume one RabbitMQ queue (prefetch 300 each) of a
 * 20,000-message backlog into a PostgreSQL table of plain inserts. One replica is killed with SIGKILL mid-stream; RabbitMQ sees its
 * connection close and puts its unacknowledged deliveries back on the queue, marked redelivered, for the others.
 * The test measures how long after the kill the first redelivered message was stored, how many were redelivered,
 * and the duplicates (messages the victim had written but not yet acknowledged).
 */
import { connect } from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { requireService } from '../support/services.js';
import {
  IdTable,
  pgConnection,
  pgSinkNode,
  type Replica,
  startReplica,
  stopAll,
  uniqueName,
  waitFor,
  writeFlow,
} from './replicas.js';

const BROKER = 'amqp://guest:guest@127.0.0.1:5672';
const run = (await requireService('rabbitmq')) && (await requireService('postgres'));
const TOTAL = 20_000;
const PREFETCH = 300;

describe.runIf(run)('scale-out: AMQP competing consumers, 3 replicas, one killed', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('redelivers the killed replica unacknowledged messages to the others', async () => {
    const name = uniqueName('amqp_competing');
    const queue = `sluice-test.${name}`;
    const table = new IdTable(name);
    await table.create();
    cleanups.push(() => table.drop());

    const broker = await connect(BROKER);
    cleanups.push(() => broker.close());
    const channel = await broker.createConfirmChannel();
    await channel.assertQueue(queue, { durable: false });
    cleanups.push(async () => {
      await channel.deleteQueue(queue);
    });

    const flow = writeFlow({
      format: 'sluice/flow@1',
      id: 'ingest',
      name: 'competing consumers into PostgreSQL',
      settings: { maxInFlight: 2000, onError: 'nack' },
      connections: [{ id: 'rabbit', kind: 'amqp', name: 'RabbitMQ', config: { host: '127.0.0.1' } }, pgConnection],
      nodes: [
        {
          id: 'jobs',
          type: 'amqp-in',
          name: queue,
          position: { x: 0, y: 0 },
          config: { connection: 'rabbit', queue, queueMode: 'existing', prefetch: PREFETCH, codec: 'json' },
        },
        pgSinkNode(name, 'headers."amqp-redelivered"'),
      ],
      edges: [{ source: 'jobs', sourcePort: 'out', target: 'store', targetPort: 'in' }],
    });
    cleanups.push(flow.cleanup);

    // A backlog first, so every replica holds a full prefetch of unacknowledged deliveries while it works.
    const ids = Array.from({ length: TOTAL }, (_, i) => `q${i}`);
    for (let i = 0; i < TOTAL; i += 1000) {
      for (const id of ids.slice(i, i + 1000)) channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id })));
      await channel.waitForConfirms();
    }

    const replicas: Replica[] = [0, 1, 2].map((i) => startReplica(`${name}-${i}`, flow.file));
    cleanups.push(() => stopAll(replicas));
    await Promise.all(replicas.map((r) => r.ready));
    // "running" comes before amqp-in has subscribed (it connects in the background): on a busy machine the victim could
    // still be connecting when it is killed, holding nothing. Wait until RabbitMQ sees all three consumers.
    await waitFor(
      'three consumers on the queue',
      async () => (await channel.checkQueue(queue)).consumerCount === 3,
      30_000,
      50,
    );

    // Mid-stream: a quarter is stored, the victim holds up to its prefetch unacknowledged.
    await waitFor('a quarter of the messages stored', async () => (await table.counts()).rows >= TOTAL / 4, 30_000, 50);
    const victim = replicas[1];
    victim.kill('SIGKILL');
    const killedAt = performance.now();
    await victim.exited;

    let firstRedeliveredAt = 0;
    await waitFor(
      'every id',
      async () => {
        if (firstRedeliveredAt === 0 && (await table.count(`detail = 'true'`)) > 0)
          firstRedeliveredAt = performance.now();
        return (await table.counts()).distinct >= TOTAL;
      },
      45_000,
      50,
    );
    const allAt = performance.now();
    const { rows, distinct } = await table.counts();
    const redelivered = await table.count(`detail = 'true'`);
    const figures = {
      messages: TOTAL,
      prefetch: PREFETCH,
      secondsAfterKillUntilFirstRedeliveryStored: +((firstRedeliveredAt - killedAt) / 1000).toFixed(2),
      secondsAfterKillUntilAllIds: +((allAt - killedAt) / 1000).toFixed(1),
      redelivered,
      rows,
      distinct,
      duplicates: rows - distinct,
      broker: 'RabbitMQ (classic queue); requeue on connection close',
    };
    console.log(`[scale-out amqp] ${JSON.stringify(figures)}`);

    expect(await table.missing(ids)).toEqual([]);
    // The victim died holding deliveries: they came back marked redelivered.
    expect(redelivered).toBeGreaterThan(0);
    expect(redelivered).toBeLessThanOrEqual(PREFETCH + (rows - distinct));
  }, 120_000);
});
