/**
 * One fault scenario end to end: a private Mosquitto -> `sluice run` (mqtt-in -> transform -> sink) -> the sink's
 * service, a publisher at a steady rate, the fault applied while messages flow, then the oracle's count.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrivateMosquitto } from '../support/fault-mosquitto.js';
import { type FaultResult, Publisher, record, SluiceRun, size, sleep, waitFor } from './harness.js';
import { lostAndDuplicates } from './oracles.js';

/** A sink as the scenario sees it: its node and connections in the flow, and its oracle. */
export interface SinkUnderTest {
  node: { type: string; config: Record<string, unknown> };
  connections: Array<{ id: string; kind: string; config: Record<string, unknown> }>;
  rows(): Promise<number> | number;
  tally(): Promise<Map<string, number>> | Map<string, number>;
}

export interface FaultContext {
  readonly sluice: SluiceRun;
  readonly broker: PrivateMosquitto;
  /** Start `sluice run` again on the same flow (after a kill or SIGTERM). */
  restart(): Promise<void>;
  /** Marks the fault's end: time to recover runs from here to the sink's next row (measured in the background). */
  endFault(): void;
}

export interface ScenarioPlan {
  name: string;
  dir: string;
  broker: PrivateMosquitto;
  sink: SinkUnderTest;
  count: number;
  ratePerSecond: number;
  poisonEvery?: number;
  during(ctx: FaultContext): Promise<void>;
}

/**
 * The JSONata transform every scenario runs (`$number` of a non-numeric string is an expression error: the poison
 * scenario's second kind); the sink writes msg_id and seq.
 */
const TRANSFORM = '{"id": payload.id, "seq": payload.seq, "n": $number(payload.n)}';

function writeFlow(plan: ScenarioPlan, topic: string, clientId: string): string {
  const file = join(plan.dir, `${plan.name.replace(/\W+/g, '-')}-flow.json`);
  const flow = {
    format: 'sluice/flow@1',
    id: `faults-${randomUUID().slice(0, 8)}`,
    connections: [{ id: 'broker', kind: 'mqtt', config: { url: plan.broker.url } }, ...plan.sink.connections],
    nodes: [
      // QoS 1, persistent session (the default for QoS 1): what the broker holds while Sluice is down.
      { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [topic], qos: 1, clientId } },
      { id: 'map', type: 'transform', config: { expression: TRANSFORM } },
      { id: 'sink', ...plan.sink.node },
    ],
    edges: [
      { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { source: 'map', sourcePort: 'out', target: 'sink', targetPort: 'in' },
    ],
  };
  writeFileSync(file, JSON.stringify(flow, null, 2));
  return file;
}

export interface ScenarioOutcome extends FaultResult {
  /** Warnings the runs logged (poison, outages), for the test to look at. */
  warnings: Array<Record<string, unknown>>;
}

export async function runScenario(plan: ScenarioPlan): Promise<ScenarioOutcome> {
  const id = randomUUID().slice(0, 8);
  const topic = `faults/${id}`;
  const file = writeFlow(plan, topic, `sluice-faults-${id}`);
  const runs: SluiceRun[] = [await SluiceRun.start(file)];
  const publisher = new Publisher({
    url: plan.broker.url,
    topic,
    count: plan.count,
    ratePerSecond: plan.ratePerSecond,
    poisonEvery: plan.poisonEvery,
  });
  let published = false;
  const recoveries: Array<Promise<number>> = [];
  /** From now until the sink has more rows than now, or nothing is left to deliver (NaN). */
  const measureRecovery = async (): Promise<number> => {
    const at = Date.now();
    const base = await plan.sink.rows();
    let rows = base;
    await waitFor(
      async () => {
        rows = await plan.sink.rows();
        return rows > base || (published && rows >= publisher.acked.size);
      },
      size(60_000, 180_000),
    );
    return rows > base ? Date.now() - at : Number.NaN;
  };
  const ctx: FaultContext = {
    get sluice() {
      return runs[runs.length - 1];
    },
    broker: plan.broker,
    restart: async () => {
      runs.push(await SluiceRun.start(file));
    },
    endFault: () => {
      recoveries.push(measureRecovery());
    },
  };
  const started = Date.now();
  try {
    const publishing = publisher.publishAll().finally(() => {
      published = true;
    });
    await plan.during(ctx);
    // The slowest recovery of the scenario's faults.
    const measured = (await Promise.all(recoveries)).filter((ms) => Number.isFinite(ms));
    const recoverMs = measured.length ? Math.max(...measured) : Number.NaN;
    await publishing;
    // Drain: everything acknowledged to the publisher should reach the sink; give up after a bound and count.
    await waitFor(async () => (await plan.sink.rows()) >= publisher.acked.size, size(30_000, 120_000));
    await sleep(500); // late duplicates
    const { lost, duplicates } = lostAndDuplicates(publisher.acked, await plan.sink.tally());
    const result: FaultResult = {
      scenario: plan.name,
      messages: publisher.acked.size,
      lost,
      duplicates,
      peakRssMb: Math.max(...runs.map((r) => r.peakRssKb)) / 1024,
      recoverMs,
      note: `${runs.length} run(s), ${((Date.now() - started) / 1000).toFixed(0)} s${publisher.poisonSent ? `, ${publisher.poisonSent} poison messages` : ''}`,
    };
    record(result);
    return { ...result, warnings: runs.flatMap((r) => r.warnings()) };
  } finally {
    await publisher.close();
    for (const r of runs) r.kill('SIGTERM');
    await Promise.race([Promise.all(runs.map((r) => r.exited)), sleep(15_000)]);
    for (const r of runs) r.kill('SIGKILL');
  }
}
