/** Helpers for MQTT tests against the real Mosquitto on 127.0.0.1:1883, with plain mqtt.js clients. */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type IClientPublishOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { publisherFor } from '../../../src/connectors/mqtt/publisher.js';
import type { TestPayload } from '../../conformance/harness.js';

export const MOSQUITTO = 'mqtt://127.0.0.1:1883';

/** A topic prefix no other test uses. */
export function uniqueBase(what: string): string {
  return `sluice-test/${what}/${randomUUID().slice(0, 8)}`;
}

export function uniqueClientId(what: string): string {
  return `sluice-test-${what}-${randomUUID().slice(0, 8)}`;
}

export function connectPlain(options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(MOSQUITTO, { protocolVersion: 5, reconnectPeriod: 0, ...options });
}

/** End a persistent session so the broker forgets it (and its queued messages). */
export async function clearSession(clientId: string): Promise<void> {
  const c = await connectPlain({ clientId, clean: true, properties: { sessionExpiryInterval: 0 } });
  await c.endAsync();
}

/**
 * Publish payloads as JSON, at most 10 unacknowledged at a time for QoS 2: Mosquitto's receive maximum is 20 and
 * it refuses QoS 2 beyond it ("Quota exceeded"); mqtt.js does not hold back on its own.
 */
export async function publishJson(
  client: MqttClient,
  topic: (p: TestPayload, i: number) => string,
  payloads: TestPayload[],
  options: IClientPublishOptions = { qos: 1 },
): Promise<void> {
  const step = options.qos === 2 ? 10 : payloads.length;
  for (let i = 0; i < payloads.length; i += step) {
    const chunk = payloads.slice(i, i + step);
    await Promise.all(chunk.map((p, j) => client.publishAsync(topic(p, i + j), JSON.stringify(p), options)));
  }
}

/**
 * A subscriber that records every message. `settled()` publishes a marker through the broker and waits for it:
 * Mosquitto queues a PUBLISH for its subscribers before it acknowledges it, so everything acknowledged before the
 * marker was sent has arrived once the marker has.
 */
export async function collector(filter: string, options: IClientOptions = {}) {
  // A large receive maximum: the broker must not queue (and drop beyond 1000) while the test publishes a burst.
  const client = await connectPlain({ properties: { receiveMaximum: 65535 }, ...options });
  const packets: IPublishPacket[] = [];
  const markers = new Set<string>();
  const markerTopic = `sluice-test/markers/${randomUUID()}`;
  client.on('message', (topic, _payload, packet) => {
    if (topic === markerTopic) markers.add(packet.payload.toString());
    else packets.push(packet);
  });
  await client.subscribeAsync([filter, markerTopic], { qos: 1 });
  return {
    client,
    packets,
    ids(): string[] {
      return packets.map((p) => (JSON.parse(p.payload.toString()) as { id: string }).id);
    },
    async settled(): Promise<void> {
      const mark = randomUUID();
      await client.publishAsync(markerTopic, mark, { qos: 1 });
      for (let i = 0; i < 400 && !markers.has(mark); i++) await new Promise((r) => setTimeout(r, 25));
      if (!markers.has(mark)) throw new Error('the marker never came back through the broker');
    },
    close: () => client.endAsync(),
  };
}

/** One attempt of mqtt-out's publisher on `client`, as a promise (in a flow, a RetriedPublish is its target). */
export function publishOnce(
  client: MqttClient,
  topic: string,
  payload: Buffer | string,
  options: IClientPublishOptions,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((succeeded, failed) =>
    publisherFor(client).send(topic, payload, options, timeoutMs, { succeeded, failed }),
  );
}
