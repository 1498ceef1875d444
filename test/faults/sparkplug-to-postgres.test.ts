/**
 * Fault suite, Sparkplug B -> PostgreSQL: `sluice run` with sparkplug-in (QoS 1 subscription, persistent session) ->
 * postgres-out, killed with SIGKILL twice while an edge node publishes NDATA with QoS 1. The edge node answers
 * rebirth requests (NCMD `Node Control/Rebirth`) with a new NBIRTH, as edge nodes do. Every NDATA the broker
 * acknowledged to the edge node must end up as a row: nothing lost, duplicates counted.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSparkplug } from '../../src/connectors/sparkplug/encode.js';
import { PrivateMosquitto } from '../support/fault-mosquitto.js';
import { requireService } from '../support/services.js';
import { printTable, record, SluiceRun, size, sleep, tmpDir, waitFor } from './harness.js';
import { lostAndDuplicates, PgOracle } from './oracles.js';

const available = await requireService('postgres');
const COUNT = size(1_500, 20_000);
const RATE = size(300, 800);

/** An edge node that publishes every NBIRTH and NDATA with QoS 1 and counts an NDATA as sent on its PUBACK. */
class EdgeNode {
  readonly acked = new Set<string>();
  private seq = 0;
  private rebirth = false;
  private constructor(
    private readonly client: MqttClient,
    private readonly group: string,
    private readonly edge: string,
  ) {}

  static async connect(url: string, group: string, edge: string): Promise<EdgeNode> {
    const client = await connectAsync(url, { clientId: `edge-${edge}`, clean: true, reconnectPeriod: 200 });
    const node = new EdgeNode(client, group, edge);
    client.on('message', () => {
      node.rebirth = true; // the only subscription: NCMD to this edge node (Node Control/Rebirth)
    });
    await client.subscribeAsync(`spBv1.0/${group}/NCMD/${edge}`, { qos: 1 });
    await node.birth();
    return node;
  }

  private async publish(type: 'NBIRTH' | 'NDATA', metrics: object[]): Promise<void> {
    const payload = encodeSparkplug({ timestamp: Date.now(), seq: this.seq, metrics });
    this.seq = (this.seq + 1) & 0xff;
    await this.client.publishAsync(`spBv1.0/${this.group}/${type}/${this.edge}`, Buffer.from(payload), { qos: 1 });
  }

  private async birth(): Promise<void> {
    this.seq = 0;
    await this.publish('NBIRTH', [
      { name: 'bdSeq', datatype: 'Int64', value: 0 },
      { name: 'Node Control/Rebirth', datatype: 'Boolean', value: false },
      { name: 'reading', alias: 1, datatype: 'String', value: 'birth' },
    ]);
  }

  /** One NDATA carrying `id` (by alias, as edge nodes send it); answers a pending rebirth request first. */
  async send(id: string): Promise<void> {
    if (this.rebirth) {
      this.rebirth = false;
      await this.birth();
    }
    await this.publish('NDATA', [{ alias: 1, datatype: 'String', value: id }]);
    this.acked.add(id);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

describe.runIf(available)('fault suite: Sparkplug B -> PostgreSQL', { timeout: size(240_000, 1_200_000) }, () => {
  let dir: string;
  let broker: PrivateMosquitto;
  let oracle: PgOracle;
  const names: string[] = [];

  beforeAll(async () => {
    dir = tmpDir('sparkplug');
    broker = await PrivateMosquitto.start(join(dir, 'mosquitto'));
    oracle = new PgOracle(`faults_sp_${randomUUID().slice(0, 8)}`);
    await oracle.open();
  });

  afterAll(async () => {
    await oracle?.close();
    await broker?.down();
    printTable('Sparkplug B -> PostgreSQL', names);
  });

  it('kill -9 of sluice run mid-stream, twice: no NDATA the broker acknowledged is lost', async () => {
    const scenario = 'sparkplug kill -9 x2';
    names.push(scenario);
    const group = `g${randomUUID().slice(0, 6)}`;
    const flowFile = join(dir, 'flow.json');
    writeFileSync(
      flowFile,
      JSON.stringify({
        format: 'sluice/flow@1',
        id: `sp-kill-${randomUUID().slice(0, 6)}`,
        connections: [
          // A persistent session: the broker keeps the QoS 1 messages while Sluice is down.
          { id: 'broker', kind: 'mqtt', config: { url: broker.url, clean: false } },
          { id: 'pg', kind: 'postgres', config: { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' } },
        ],
        nodes: [
          {
            id: 'in',
            type: 'sparkplug-in',
            // What the broker queues while the flow is down waits for the rebirth within the window: room for a
            // slow restart on a loaded machine (at 300/s, 1,000 is a 3 s outage).
            config: { connection: 'broker', groupId: group, qos: 1, rebirthIntervalMs: 200, window: 20_000 },
          },
          {
            id: 'sink',
            type: 'postgres-out',
            config: {
              connection: 'pg',
              table: oracle.table,
              columns: { msg_id: 'payload.value' },
              types: { msg_id: 'text' },
              key: [], // plain inserts: a redelivery is a second row, so duplicates can be counted
              createTable: false,
            },
          },
        ],
        edges: [{ source: 'in', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
      }),
    );

    let sluice = await SluiceRun.start(flowFile);
    const edge = await EdgeNode.connect(broker.url, group, `e${randomUUID().slice(0, 6)}`);
    const run = randomUUID().slice(0, 8);
    const started = Date.now();
    let peakRssKb = 0;
    const publishing = (async () => {
      for (let i = 0; i < COUNT; i++) {
        await edge.send(`${run}-${i}`);
        const due = started + (i / RATE) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
    })();
    try {
      for (const share of [0.25, 0.6]) {
        await waitFor(() => edge.acked.size >= COUNT * share, 120_000);
        sluice.kill('SIGKILL');
        await sluice.exited;
        peakRssKb = Math.max(peakRssKb, sluice.peakRssKb);
        await sleep(500); // the edge node keeps publishing: the broker queues for the session
        sluice = await SluiceRun.start(flowFile);
      }
      await publishing;
      const acked = edge.acked;
      const stored = async () => {
        const seen = await oracle.tally();
        return lostAndDuplicates(acked, seen).lost === 0;
      };
      await waitFor(stored, 60_000);
    } finally {
      sluice.kill('SIGTERM');
      await sluice.exited;
      peakRssKb = Math.max(peakRssKb, sluice.peakRssKb);
      await edge.close();
    }
    const { lost, duplicates } = lostAndDuplicates(edge.acked, await oracle.tally());
    record({
      scenario,
      messages: edge.acked.size,
      lost,
      duplicates,
      peakRssMb: Math.round(peakRssKb / 1024),
      recoverMs: Number.NaN,
      note: `edge node QoS 1 at ${RATE}/s, ${Math.round((Date.now() - started) / 1000)} s`,
    });
    expect(edge.acked.size).toBe(COUNT);
    expect(lost).toBe(0);
  });
});
