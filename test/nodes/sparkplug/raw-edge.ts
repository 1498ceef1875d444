/**
 * A Sparkplug B edge node on a plain mqtt.js client (not the code under test), publishing with QoS 1 so the broker
 * keeps its messages for a host's persistent session. It answers a rebirth request (NCMD `Node Control/Rebirth`) at
 * once with a new NBIRTH, as the spec asks of edge nodes, except the first `ignoreRequests` ones (a request it
 * missed). `seq` is numbered when a publish is called and mqtt.js sends in call order, so many may be in flight.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { encodeSparkplug } from '../../../src/connectors/sparkplug/encode.js';

export class RawEdge {
  births = 0;
  /** Rebirth requests received. */
  requests = 0;
  ignoreRequests = 0;
  private seq = 0;

  private constructor(
    private readonly client: MqttClient,
    readonly group: string,
    readonly edge: string,
    private readonly birthMetrics: object[],
  ) {}

  /** Connected and listening for NCMD; publishes no birth until `birth()` or a rebirth request. */
  static async connect(url: string, group: string, edge: string, birthMetrics: object[]): Promise<RawEdge> {
    const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 200, protocolVersion: 5 });
    const node = new RawEdge(client, group, edge, birthMetrics);
    client.on('message', () => {
      node.requests++;
      if (node.requests > node.ignoreRequests) void node.birth().catch(() => undefined);
    });
    await client.subscribeAsync(`spBv1.0/${group}/NCMD/${edge}`, { qos: 1 });
    return node;
  }

  birth(): Promise<void> {
    this.births++;
    this.seq = 0;
    return this.publish('NBIRTH', [{ name: 'bdSeq', datatype: 'Int64', value: 0 }, ...this.birthMetrics]);
  }

  /** One NDATA with these metrics, resolved on its PUBACK. */
  data(metrics: object[]): Promise<void> {
    return this.publish('NDATA', metrics);
  }

  /** Bytes that are not a Sparkplug payload, on the edge node's NDATA topic (no seq is used). */
  async garbage(bytes: string): Promise<void> {
    await this.client.publishAsync(`spBv1.0/${this.group}/NDATA/${this.edge}`, bytes, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private async publish(type: 'NBIRTH' | 'NDATA', metrics: object[]): Promise<void> {
    const payload = encodeSparkplug({ timestamp: Date.now(), seq: this.seq, metrics });
    this.seq = (this.seq + 1) & 0xff;
    await this.client.publishAsync(`spBv1.0/${this.group}/${type}/${this.edge}`, Buffer.from(payload), { qos: 1 });
  }
}
