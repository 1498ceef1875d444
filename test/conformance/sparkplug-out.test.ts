/**
 * sparkplug-out as a sink: each test payload `{id, n, text}` becomes the edge node's metrics `id`, `n`, `text`
 * (NBIRTH for the first, NDATA with aliases after). The reader is a plain MQTT client that follows the group with
 * the host logic of src/connectors/sparkplug/host.ts and reads back the `id` metric of every message.
 */
import { randomUUID } from 'node:crypto';
import { decodeWire } from '../../src/connectors/sparkplug/decode.js';
import { SparkplugHost } from '../../src/connectors/sparkplug/host.js';
import { parseTopic } from '../../src/connectors/sparkplug/topic.js';
import { connectPlain, MOSQUITTO } from '../nodes/mqtt-support/mqtt.js';
import { requireService } from '../support/services.js';
import { sinkConformance } from './harness.js';

sinkConformance({
  name: 'sparkplug-out',
  available: () => requireService('mosquitto'),
  async prepare() {
    const group = `conf-${randomUUID().slice(0, 8)}`;
    const client = await connectPlain({ properties: { receiveMaximum: 65535 } });
    const host = new SparkplugHost();
    const ids: string[] = [];
    const marker = `sluice-test/markers/${randomUUID()}`;
    const marks = new Set<string>();
    client.on('message', (topic, payload) => {
      if (topic === marker) {
        marks.add(payload.toString());
        return;
      }
      const t = parseTopic(topic);
      if (!t) return;
      for (const e of host.receive(t, decodeWire(payload)).events) {
        if (e.name === 'id' && e.quality === 'good' && e.messageType !== 'NDEATH') ids.push(String(e.value));
      }
    });
    await client.subscribeAsync([`spBv1.0/${group}/#`, marker], { qos: 1 });
    return {
      connections: [{ id: 'broker', kind: 'mqtt', config: { url: MOSQUITTO, protocolVersion: '5' } }],
      node: { type: 'sparkplug-out', config: { connection: 'broker', groupId: group, edgeNodeId: 'edge', qos: 1 } },
      async readBack() {
        // Mosquitto forwards in order: once a marker published after the sink's acks is back, all of them are.
        const mark = randomUUID();
        await client.publishAsync(marker, mark, { qos: 1 });
        for (let i = 0; i < 400 && !marks.has(mark); i++) await new Promise((r) => setTimeout(r, 25));
        return [...ids];
      },
      // Not an object of metrics: refused before anything is published.
      badPayload: 'just text',
      idempotent: false,
      cleanup: () => client.endAsync(),
    };
  },
});
