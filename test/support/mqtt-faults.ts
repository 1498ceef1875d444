/**
 * Faults that pretend mqtt.js changed, for the tests of the acknowledgement gate's safety net
 * (test/nodes/mqtt-in/guard.test.ts, mqtt-in.test.ts). Production code has no switch for them: a test file mocks
 * src/connectors/mqtt/internals.ts with `withFaults` (the same narrow view of mqtt.js, with the fault applied):
 *
 *   vi.mock('../../../src/connectors/mqtt/internals.js', async (original) =>
 *     (await import('../../support/mqtt-faults.js')).withFaults(await original()));
 *
 * - `no-send-hook`: mqtt.js has no packet writer where the gate expects one (the gate cannot be installed).
 * - `acks-bypass-gate`: acknowledgements reach the wire without passing the gate, as if mqtt.js had started writing
 *   them another way (applied to every client but the start-up probe's).
 */
import type { MqttClient } from 'mqtt';
import type * as Internals from '../../src/connectors/mqtt/internals.js';

export type SimulatedFault = 'no-send-hook' | 'acks-bypass-gate';

// On globalThis, not in this module: a test that resets its modules (for a fresh start-up probe) keeps the fault.
const KEY = Symbol.for('sluice.test.mqtt-fault');
const state = globalThis as { [KEY]?: SimulatedFault };

export function simulateMqttChange(fault: SimulatedFault | undefined): void {
  state[KEY] = fault;
}

/** The client the start-up probe (hook-probe.ts) runs over its in-memory stream. */
const PROBE_CLIENT_ID = 'sluice-hook-probe';

export function withFaults(actual: typeof Internals): typeof Internals {
  return {
    ...actual,
    getSendPacket: (client) => (state[KEY] === 'no-send-hook' ? undefined : actual.getSendPacket(client)),
    // The subscriber sets the arrival hook right after installing the gate: the moment to route acks around it.
    setAckHook: (client, hook) => {
      if (state[KEY] === 'acks-bypass-gate' && client.options.clientId !== PROBE_CLIENT_ID) bypassGate(client, actual);
      actual.setAckHook(client, hook);
    },
  };
}

/** Acks go straight to mqtt.js's own writer; every other packet through the gate's. */
function bypassGate(client: MqttClient, actual: typeof Internals): void {
  const gated = actual.getSendPacket(client);
  const original = (Object.getPrototypeOf(client) as { _sendPacket?: Internals.SendPacket })._sendPacket;
  if (!gated || !original || gated === original) return;
  actual.setSendPacket(client, (packet, cb, cbStorePut, noStore) => {
    if (actual.isAckPacket(packet)) original.call(client, packet, cb, cbStorePut, noStore);
    else gated.call(client, packet, cb, cbStorePut, noStore);
  });
}
