/**
 * sparkplug-in as a source against the real Mosquitto. An edge node on a plain mqtt.js client (test/nodes/sparkplug/
 * raw-edge.ts) publishes each test payload `{id, n, text}` as one NDATA with QoS 1 carrying three metrics by alias
 * (`id`, `n`, `text`, declared in its NBIRTH), so every MQTT message becomes three messages in the flow; the suite
 * reads the payload id from the `id` metric's messages (`idOf`) and its counter checks (acked = out, nothing nacked)
 * cover all three. The host runs in a persistent session (`clean: false`), the at-least-once mode: after the
 * crash-like stop the second engine knows no birth, holds the DATA the broker hands in for the session, asks for a
 * rebirth, and emits it once the edge node's new NBIRTH names its aliases.
 *
 * Every case of the suite applies. What it cannot say about Sparkplug: a publisher's "batch" is many MQTT messages
 * with seq numbers (not one message), and the unreadable message is bytes that are not a Sparkplug payload on the
 * edge node's NDATA topic (no seq, so the edge node's numbering stays whole).
 */
import { randomUUID } from 'node:crypto';
import type { MetricEvent } from '../../src/connectors/sparkplug/host.js';
import { clearSession, MOSQUITTO, uniqueClientId } from '../nodes/mqtt-support/mqtt.js';
import { RawEdge } from '../nodes/sparkplug/raw-edge.js';
import { requireService } from '../support/services.js';
import { sourceConformance } from './harness.js';

sourceConformance({
  name: 'sparkplug-in',
  available: () => requireService('mosquitto'),
  async prepare() {
    const group = `conf-in-${randomUUID().slice(0, 8)}`;
    // Fixed per fixture: the restart check needs the second engine to resume the first one's session.
    const clientId = uniqueClientId('conf-sp-in');
    const edge = await RawEdge.connect(MOSQUITTO, group, 'edge-1', [
      { name: 'id', alias: 1, datatype: 'String', value: '' },
      { name: 'n', alias: 2, datatype: 'Int32', value: 0 },
      { name: 'text', alias: 3, datatype: 'String', value: '' },
    ]);
    // The edge node is born when it first publishes (the host is listening by then), as an edge node that connects
    // after the host; births that come later are answers to the host's rebirth requests.
    let born: Promise<void> | undefined;
    const birthOnce = () => {
      born ??= edge.birth();
      return born;
    };
    return {
      connections: [{ id: 'broker', kind: 'mqtt', config: { url: MOSQUITTO, protocolVersion: '5', clean: false } }],
      node: {
        type: 'sparkplug-in',
        // Room for everything the suite publishes to wait for a birth (at most `window` are held).
        config: { connection: 'broker', groupId: group, qos: 1, clientId, rebirthIntervalMs: 200, window: 5000 },
      },
      publish: async (payloads) => {
        await birthOnce();
        await Promise.all(
          payloads.map((p) =>
            edge.data([
              { alias: 1, datatype: 'String', value: p.id },
              { alias: 2, datatype: 'Int32', value: p.n },
              { alias: 3, datatype: 'String', value: p.text },
            ]),
          ),
        );
      },
      publishBad: async () => {
        await birthOnce();
        await edge.garbage('{not json');
      },
      idOf: (m) => {
        const e = m.payload as MetricEvent;
        return e.name === 'id' && e.messageType === 'NDATA' ? (e.value as string) : undefined;
      },
      async cleanup() {
        await edge.close();
        await clearSession(clientId);
      },
    };
  },
});
