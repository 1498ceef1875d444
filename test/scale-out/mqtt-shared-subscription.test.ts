/**
 * Scale-out on an MQTT shared subscription: 3 `sluice run` replicas on `$share/<group>/...` of a private Mosquitto
 * (no queue limit), each with a stable client id from its HOSTNAME (`clientId: "${env:HOSTNAME}"` on the
 * connection, as a StatefulSet pod has). A QoS 1 publisher sends 30,000 messages with unique ids into a PostgreSQL
 * table of plain inserts; one replica is killed with SIGKILL mid-stream.
 *
 * Mosquitto 2.0 keeps routing a dead member's share of the shared subscription to its persistent session, where it
 * waits: nothing reaches the survivors. The test measures what is stranded, brings the replica back with the same
 * identity (what a StatefulSet does) and measures how long until every id is in the table, and how many duplicates.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrivateMosquitto } from '../support/private-mosquitto.js';
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
  waitUntilQuiet,
  writeFlow,
} from './replicas.js';

const run = (await requireService('mosquitto')) && (await requireService('postgres'));
const TOTAL = 30_000;
const KILL_AFTER = 10_000;
const SESSION_EXPIRY_S = 3600;

describe.runIf(run)('scale-out: MQTT shared subscription, 3 replicas, one killed', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('delivers every id: the killed replica share waits for its client id, then arrives', async () => {
    const broker = await startPrivateMosquitto();
    cleanups.push(() => broker.stop());
    const name = uniqueName('mqtt_share');
    const table = new IdTable(name);
    await table.create();
    cleanups.push(() => table.drop());

    const topic = `scale/${name}`;
    const flow = writeFlow({
      format: 'sluice/flow@1',
      id: 'ingest',
      name: 'shared subscription into PostgreSQL',
      settings: { maxInFlight: 2000, onError: 'nack' },
      connections: [
        {
          id: 'broker',
          kind: 'mqtt',
          name: 'private Mosquitto',
          // One stable id per replica: the persistent session (and the messages queued in it) belongs to it.
          config: {
            url: broker.url,
            protocolVersion: '5',
            clientId: '${env:HOSTNAME}',
            sessionExpirySeconds: SESSION_EXPIRY_S,
          },
        },
        pgConnection,
      ],
      nodes: [
        {
          id: 'readings',
          type: 'mqtt-in',
          name: 'shared',
          position: { x: 0, y: 0 },
          config: { connection: 'broker', topics: [`$share/sluice/${topic}/#`], qos: 1, codec: 'json', window: 500 },
        },
        pgSinkNode(name, 'headers."mqtt-dup"'),
      ],
      edges: [{ source: 'readings', sourcePort: 'out', target: 'store', targetPort: 'in' }],
    });
    cleanups.push(flow.cleanup);

    const replicas: Replica[] = [0, 1, 2].map((i) => startReplica(`${name}-${i}`, flow.file));
    cleanups.push(() => stopAll(replicas));
    await Promise.all(replicas.map((r) => r.ready));

    const publisher: MqttClient = await connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: `${name}-publisher`,
      clean: true,
    });
    cleanups.push(() => publisher.endAsync());
    const ids = Array.from({ length: TOTAL }, (_, i) => `m${i}`);
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i += 500) {
        const batch = ids.slice(i, Math.min(i + 500, to));
        await Promise.all(
          batch.map((id, j) => publisher.publishAsync(`${topic}/d${(i + j) % 10}`, JSON.stringify({ id }), { qos: 1 })),
        );
      }
    };

    const started = performance.now();
    await publish(0, KILL_AFTER);
    const victim = replicas[1];
    victim.kill('SIGKILL');
    const killedAt = performance.now();
    await victim.exited;
    await publish(KILL_AFTER, TOTAL);
    const publishedAt = performance.now();

    // What the survivors get; the rest sits in the dead member's session.
    const beforeRestart = await waitUntilQuiet(table, 3_000, 40_000);
    const stranded = TOTAL - beforeRestart;
    const quietAt = performance.now();

    const restarted = startReplica(victim.name, flow.file);
    replicas.push(restarted);
    const restartedAt = performance.now();
    await restarted.ready;
    const readyAt = performance.now();
    let missing: string[] = ids;
    await waitFor(
      'every id after the replica came back',
      async () => {
        missing = await table.missing(ids);
        return missing.length === 0;
      },
      30_000,
      200,
    ).catch(() => {}); // the assertion below names what is missing
    const completeAt = performance.now();
    const { rows, distinct } = await table.counts();
    const redelivered = await table.count(`detail = 'true'`);

    const figures = {
      published: TOTAL,
      publishSeconds: +((publishedAt - started) / 1000).toFixed(1),
      strandedUntilSameClientIdReturned: stranded,
      waitedBeforeRestartSeconds: +((quietAt - killedAt) / 1000).toFixed(1),
      restartToReadySeconds: +((readyAt - restartedAt) / 1000).toFixed(1),
      restartToAllIdsSeconds: +((completeAt - restartedAt) / 1000).toFixed(1),
      rows,
      distinct,
      duplicates: rows - distinct,
      rowsMarkedDup: redelivered,
      missing: missing.length,
      broker: `mosquitto 2.0, ${broker.config.replace(/\n/g, '; ')}; session expiry ${SESSION_EXPIRY_S} s`,
    };
    console.log(`[scale-out mqtt] ${JSON.stringify(figures)}`);

    expect(missing).toEqual([]);
    expect(distinct).toBe(TOTAL);
    // The kill came mid-stream: the dead member held a share, which Mosquitto did not give to the survivors.
    expect(stranded).toBeGreaterThan(0);
  }, 150_000);
});
