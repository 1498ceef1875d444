/**
 * Scale-out on a Kafka consumer group: 3 `sluice run` replicas in one group on a 6-partition topic (the test's
 * cluster, see test/support/kafka.ts), into a PostgreSQL table of plain inserts. Once the group consumes, one
 * replica is killed with SIGKILL (no LeaveGroup is sent) and a second batch is produced to every partition.
 *
 * The survivors' partitions keep flowing; the dead member's partitions wait until the coordinator expires its
 * session (kafka-in `sessionTimeoutMs`, 6 s here instead of kafkajs' 30 s) and the group rebalances. The test
 * measures, per partition, how long after the kill its share of the second batch was all in, and the duplicates
 * (records the dead member had taken but whose offsets it had not committed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { plainProducer } from '../nodes/kafka/support.js';
import { kafkaForTests, uniqueTopic } from '../support/kafka.js';
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

const kafka = kafkaForTests();
const run = kafka !== null && (await requireService('postgres'));
const PARTITIONS = 6;
const PER_BATCH = 6_000;
const SESSION_TIMEOUT_MS = 6_000;
const HEARTBEAT_MS = 1_000;

/** The partitions of the member's last "joined the group" log line, or null while it is (re)joining. */
function latestAssignment(output: string): number[] | null {
  let latest: number[] | null = null;
  for (const line of output.split('\n')) {
    if (line.includes('joined the group')) {
      const entry = JSON.parse(line) as { assignment: string[] };
      latest = entry.assignment.map((tp) => Number(tp.slice(tp.lastIndexOf(':') + 1)));
    } else if (line.includes('rebalancing') || line.includes('consumer failed')) {
      latest = null;
    }
  }
  return latest;
}

/** True when every member holds partitions and together they hold each partition once. */
function stableGroup(replicas: Replica[]): boolean {
  const held = replicas.map((r) => latestAssignment(r.output()));
  if (held.some((a) => a === null || a.length === 0)) return false;
  const all = held.flatMap((a) => a ?? []);
  return all.length === PARTITIONS && new Set(all).size === PARTITIONS;
}

describe.runIf(run)('scale-out: Kafka consumer group, a replica killed', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  /** A topic, a table, a flow and `count` replicas in one group, once the group holds every partition. */
  async function startGroup(count: number) {
    const brokers = kafka!.brokers;
    const topic = uniqueTopic('scale-out');
    await kafka!.createTopic(topic, PARTITIONS);
    const name = uniqueName('kafka_group');
    const table = new IdTable(name);
    await table.create();
    cleanups.push(() => table.drop());

    const flow = writeFlow({
      format: 'sluice/flow@1',
      id: 'ingest',
      name: 'consumer group into PostgreSQL',
      settings: { maxInFlight: 2000, onError: 'nack' },
      connections: [
        {
          id: 'kafka',
          kind: 'kafka',
          name: 'cluster',
          config: { brokers, clientId: '${env:HOSTNAME}', reconnectDelayMs: 100, reconnectMaxDelayMs: 1000 },
        },
        pgConnection,
      ],
      nodes: [
        {
          id: 'records',
          type: 'kafka-in',
          name: topic,
          position: { x: 0, y: 0 },
          config: {
            connection: 'kafka',
            topics: [topic],
            groupId: name,
            start: 'earliest',
            codec: 'json',
            sessionTimeoutMs: SESSION_TIMEOUT_MS,
            heartbeatIntervalMs: HEARTBEAT_MS,
            maxWaitTimeMs: 250,
          },
        },
        pgSinkNode(name, 'headers."kafka-partition"'),
      ],
      edges: [{ source: 'records', sourcePort: 'out', target: 'store', targetPort: 'in' }],
    });
    cleanups.push(flow.cleanup);

    const producer = plainProducer(brokers);
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const produce = async (prefix: string, from = 0, to = PER_BATCH): Promise<string[]> => {
      const ids = Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
      for (let i = 0; i < ids.length; i += 1000) {
        const messages = ids
          .slice(i, i + 1000)
          .map((id, j) => ({ partition: (i + j) % PARTITIONS, value: JSON.stringify({ id }) }));
        await producer.send({ topic, acks: -1, messages });
      }
      return ids;
    };

    const replicas: Replica[] = Array.from({ length: count }, (_, i) => i).map((i) =>
      startReplica(`${name}-${i}`, flow.file),
    );
    cleanups.push(() => stopAll(replicas));
    await Promise.all(replicas.map((r) => r.ready));

    // Members join one by one and the group rebalances each time: go on only once all of them share the partitions.
    await waitFor(`a stable group of ${count}`, () => stableGroup(replicas), 60_000, 250);
    return { table, replicas, produce, flowFile: flow.file };
  }

  it('rebalances the killed replica partitions to the survivors after its session times out', async () => {
    const { table, replicas, produce } = await startGroup(3);
    const first = await produce('a');
    await waitFor('the first batch', async () => (await table.missing(first)).length === 0, 45_000, 200);

    const victim = replicas[1];
    const victimPartitions = latestAssignment(victim.output()) ?? [];
    // Mid-stream: the victim is reading its share of the second batch when it dies.
    const second = await produce('b', 0, PER_BATCH / 2);
    victim.kill('SIGKILL');
    const killedAt = performance.now();
    await victim.exited;
    second.push(...(await produce('b', PER_BATCH / 2, PER_BATCH)));

    // Per partition: when its share of the second batch was all in.
    const perPartition = PER_BATCH / PARTITIONS;
    const doneAt = new Map<string, number>();
    await waitFor(
      'the second batch on every partition',
      async () => {
        const r = await table.counts();
        if (r.distinct < PER_BATCH * 2) {
          for (let p = 0; p < PARTITIONS; p++) {
            if (doneAt.has(String(p))) continue;
            const n = await table.count(`msg_id LIKE 'b%' AND detail = '${p}'`);
            if (n >= perPartition) doneAt.set(String(p), performance.now());
          }
          return false;
        }
        for (let p = 0; p < PARTITIONS; p++) if (!doneAt.has(String(p))) doneAt.set(String(p), performance.now());
        return true;
      },
      45_000,
      200,
    );
    const { rows, distinct } = await table.counts();
    const seconds = [...doneAt.entries()]
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, t]) => +((t - killedAt) / 1000).toFixed(1));
    const figures = {
      partitions: PARTITIONS,
      perBatch: PER_BATCH,
      secondsAfterKillUntilEachPartitionCaughtUp: seconds,
      killedReplicaPartitions: victimPartitions,
      rebalanceSeconds: Math.max(...victimPartitions.map((p) => seconds[p])),
      survivorsSeconds: Math.max(...seconds.filter((_, p) => !victimPartitions.includes(p))),
      rows,
      distinct,
      duplicates: rows - distinct,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: HEARTBEAT_MS,
      broker: 'librdkafka mock cluster (test/support/kafka.ts)',
    };
    console.log(`[scale-out kafka] ${JSON.stringify(figures)}`);

    expect(await table.missing([...first, ...second])).toEqual([]);
    // The dead member's partitions were only read again once its session had expired; the others kept flowing.
    expect(victimPartitions.length).toBeGreaterThan(0);
    expect(figures.rebalanceSeconds).toBeGreaterThan(figures.survivorsSeconds);
  }, 120_000);
  it('a replica restarted at once under the same name holds partitions again only after its old session expired', async () => {
    const { table, replicas, produce, flowFile } = await startGroup(2);
    const first = await produce('a');
    await waitFor('the first batch', async () => (await table.missing(first)).length === 0, 45_000, 200);

    const victim = replicas[1];
    victim.kill('SIGKILL');
    const killedAt = performance.now();
    await victim.exited;
    // What a StatefulSet does: the same pod name again, at once. To the group it is a new member (no static
    // membership in kafkajs), and the rebalance its join starts waits for the dead member.
    const restarted = startReplica(victim.name, flowFile);
    replicas.push(restarted);
    await restarted.ready;
    const readyAt = performance.now();
    const second = await produce('b');
    let joinedAt = 0;
    await waitFor(
      'the restarted replica to hold partitions and every id',
      async () => {
        if (joinedAt === 0 && (latestAssignment(restarted.output())?.length ?? 0) > 0) joinedAt = performance.now();
        return joinedAt > 0 && (await table.missing(second)).length === 0;
      },
      60_000,
      200,
    );
    const allAt = performance.now();
    const { rows, distinct } = await table.counts();
    const figures = {
      restartedReadySecondsAfterKill: +((readyAt - killedAt) / 1000).toFixed(1),
      restartedHeldPartitionsSecondsAfterKill: +((joinedAt - killedAt) / 1000).toFixed(1),
      allIdsSecondsAfterKill: +((allAt - killedAt) / 1000).toFixed(1),
      rows,
      distinct,
      duplicates: rows - distinct,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    };
    console.log(`[scale-out kafka restart] ${JSON.stringify(figures)}`);
    expect(await table.missing([...first, ...second])).toEqual([]);
  }, 120_000);
});
