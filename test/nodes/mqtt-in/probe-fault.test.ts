/**
 * The start-up probe reports an mqtt.js without the packet writer the gate needs. Its own file: the probe is cached
 * per process (per test file here), so it must first run under the fault (test/support/mqtt-faults.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { probeAckHook } from '../../../src/connectors/mqtt/hook-probe.js';
import { simulateMqttChange } from '../../support/mqtt-faults.js';

vi.mock('../../../src/connectors/mqtt/internals.js', async (original) =>
  (await import('../../support/mqtt-faults.js')).withFaults(await original()),
);

describe('mqtt-in start-up probe', () => {
  it('reports a missing hook', async () => {
    simulateMqttChange('no-send-hook');
    try {
      expect(await probeAckHook()).toMatchObject({ gate: false, reason: expect.stringMatching(/_sendPacket/) });
    } finally {
      simulateMqttChange(undefined);
    }
  });
});
