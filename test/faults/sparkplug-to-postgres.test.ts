/**
 * Fault suite, Sparkplug B -> PostgreSQL: `sluice run` with sparkplug-in (QoS 1 subscription, persistent session) ->
 * postgres-out, killed with SIGKILL twice mid-stream (each time once the running process has written its share of
 * rows) while an edge node publishes NDATA with QoS 1. The edge node answers rebirth requests (NCMD
 * `Node Control/Rebirth`) at once with a new NBIRTH, as edge nodes do. Every NDATA the broker acknowledged to the edge
 * node must end up as a row: nothing lost, duplicates counted.
 *
 * It once lost 510 of 1,500 under parallel load: its edge node answered a rebirth request only with its next NDATA,
 * so when a restart took longer than the rest of the publishing (seconds, on a loaded machine), the restarted host's
 * request was never answered and the DATA the broker had kept for the session waited for a birth that did not come.
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

/**
 * An edge node that publishes every NBIRTH and NDATA with QoS 1 and counts an NDATA as sent on its PUBACK. It answers a
 * rebirth request (NCMD `Node Control/Rebirth`) at once with a new NBIRTH, as the spec asks of edge nodes, whether or
 * not it has more data to send: a restarted host's DATA waits for that birth. Publishes go out one after another
 * (one chain), so `seq` numbers stay in publish order when a birth comes between two NDATA.
 */
class EdgeNode {
  readonly acked = new Set<string>();
  /** NBIRTHs published: the first, and one per rebirth request answered. */
  births = 0;
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private constructor(
    private readonly client: MqttClient,
    private readonly group: string,
    private readonly edge: string,
  ) {}

  static async connect(url: string, group: string, edge: string): Promise<EdgeNode> {
    const client = await connectAsync(url, { clientId: `edge-${edge}`, clean: true, reconnectPeriod: 200 });
    const node = new EdgeNode(client, group, edge);
    // The only subscription: NCMD to this edge node (Node Control/Rebirth).
    client.on('message', () => void node.serial(() => node.birth()).catch(() => undefined));
    await client.subscribeAsync(`spBv1.0/${group}/NCMD/${edge}`, { qos: 1 });
    await node.serial(() => node.birth());
    return node;
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async publish(type: 'NBIRTH' | 'NDATA', metrics: object[]): Promise<void> {
    const payload = encodeSparkplug({ timestamp: Date.now(), seq: this.seq, metrics });
    this.seq = (this.seq + 1) & 0xff;
    await this.client.publishAsync(`spBv1.0/${this.group}/${type}/${this.edge}`, Buffer.from(payload), { qos: 1 });
  }

  private async birth(): Promise<void> {
    this.births++;
    this.seq = 0;
    await this.publish('NBIRTH', [
      { name: 'bdSeq', datatype: 'Int64', value: 0 },
      { name: 'Node Control/Rebirth', datatype: 'Boolean', value: false },
      { name: 'reading', alias: 1, datatype: 'String', value: 'birth' },
    ]);
  }

  /** One NDATA carrying `id` (by alias, as edge nodes send it). */
  send(id: string): Promise<void> {
    return this.serial(async () => {
      await this.publish('NDATA', [{ alias: 1, datatype: 'String', value: id }]);
      this.acked.add(id);
    });
  }

  async close(): Promise<void> {
    await this.chain;
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
    let killedWhilePublishing = 0;
    const publishing = (async () => {
      for (let i = 0; i < COUNT; i++) {
        await edge.send(`${run}-${i}`);
        const due = started + (i / RATE) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
    })();
    try {
      for (const share of [0.25, 0.6]) {
        // Killed once this process has written its share of rows, so each kill cuts into work in progress: gated on
        // the edge node's count alone, on a loaded machine the second kill came before the restarted process had
        // read anything. (The edge node may have finished by then: its DATA waits in the session all the same.)
        await waitFor(async () => (await oracle.rows()) >= COUNT * share, 120_000);
        killedWhilePublishing += edge.acked.size < COUNT ? 1 : 0;
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
      note: `edge node QoS 1 at ${RATE}/s, ${Math.round((Date.now() - started) / 1000)} s, ${killedWhilePublishing} of 2 kills while it published, ${edge.births - 1} rebirths answered`,
    });
    expect(edge.acked.size).toBe(COUNT);
    expect(lost).toBe(0);
  });
});
