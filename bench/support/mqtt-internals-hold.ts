/**
 * The MQTT connector's view of mqtt.js internals (src/connectors/mqtt/internals.ts), except that while the bench
 * asks for hold mode there is no packet writer to gate: the subscriber then holds mqtt.js's callback per message
 * (its fallback), which the bench measures for comparison. Loaded in place of internals.js by mqtt-hold-hooks.mjs.
 */
import type { MqttClient } from 'mqtt';
import { getSendPacket as realGetSendPacket, type SendPacket } from '../../src/connectors/mqtt/internals.js';

export * from '../../src/connectors/mqtt/internals.js';

const KEY = Symbol.for('sluice.bench.mqtt-hold');

export function getSendPacket(client: MqttClient): SendPacket | undefined {
  return (globalThis as { [KEY]?: boolean })[KEY] ? undefined : realGetSendPacket(client);
}
