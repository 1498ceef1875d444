/**
 * The gate's safety net: if mqtt.js stops routing acknowledgements the way the gate expects, the subscriber falls
 * back to holding mqtt.js's callback per message (correct, one at a time), never to acknowledging on receipt.
 * The faults are simulated by test/support/mqtt-faults.ts (mocking src/connectors/mqtt/internals.ts for this file).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeAckHook } from '../../../src/connectors/mqtt/hook-probe.js';
import type { Engine } from '../../../src/runtime/engine.js';
import { eventually, payloads, type TestPayload } from '../../conformance/harness.js';
import { simulateMqttChange } from '../../support/mqtt-faults.js';
import { requireService } from '../../support/services.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { startFlow } from '../mqtt-support/flow.js';
import { clearSession, connectPlain, publishJson, uniqueBase, uniqueClientId } from '../mqtt-support/mqtt.js';

// The faults that pretend mqtt.js changed live in test support, not in production code.
vi.mock('../../../src/connectors/mqtt/internals.js', async (original) =>
  (await import('../../support/mqtt-faults.js')).withFaults(await original()),
);

const run = await requireService('mosquitto');
let engine: Engine | undefined;
let clientId = '';
afterEach(async () => {
  simulateMqttChange(undefined);
  await engine?.stop({ deadlineMs: 1000 });
  engine = undefined;
  if (clientId) await clearSession(clientId);
});

async function flow(base: string, qos = 1) {
  clientId = uniqueClientId('guard');
  const started = await startFlow(
    [
      ['in', 'mqtt-in', { connection: 'broker', topics: [`${base}/#`], qos, clientId }],
      ['sink', 'test-sink', { failFlagged: false, batchSize: 50, lingerMs: 5 }],
    ],
    [['in', 'sink']],
    { connection: { reconnectDelayMs: 100 } },
  );
  engine = started.engine;
  return { engine: started.engine, statuses: started.statuses, sink: sinks.get('sink') as SinkHandle };
}

const idsOf = (sink: SinkHandle) => new Set(sink.delivered.map((m) => (m.payload as TestPayload).id));

describe('mqtt-in start-up probe', () => {
  it('finds the hook in the pinned mqtt.js', async () => {
    expect(await probeAckHook()).toMatchObject({ gate: true, arrivalHook: true, handleInDone: true });
  });
});

describe.runIf(run)('mqtt-in gate guard', () => {
  it('without the hook at start-up, holds each acknowledgement until delivery (one message at a time)', async () => {
    simulateMqttChange('no-send-hook');
    const base = uniqueBase('guard-start');
    const { engine, statuses, sink } = await flow(base);
    expect(engine.snapshot('in')).toMatchObject({ mode: 'hold' });
    const pub = await connectPlain();
    await publishJson(pub, () => `${base}/g`, payloads(100, 'h'));
    await pub.endAsync();
    await eventually(
      () => idsOf(sink).size,
      (n) => n >= 100,
      20_000,
      '100 messages',
    );
    // Held callbacks serialise delivery: never two messages in the sink at once, whatever its batching.
    expect(sink.maxPending).toBe(1);
    const connected = statuses.find((s) => s.nodeId === 'in' && s.state === 'connected');
    expect(connected?.reason).toMatch(/safe mode/);
  });

  it('holds QoS 2 safely too, and a restart loses nothing', async () => {
    simulateMqttChange('no-send-hook');
    const base = uniqueBase('guard-q2');
    const first = await flow(base, 2);
    const pub = await connectPlain();
    await publishJson(pub, () => `${base}/g`, payloads(60, 'q'), { qos: 2 });
    await eventually(
      () => first.sink.delivered.length,
      (n) => n >= 10,
      20_000,
      'the first messages',
    );
    await first.engine.stop({ deadlineMs: 0 });
    const got = idsOf(first.sink);
    const keep = clientId;
    const second = await startFlow(
      [
        ['in', 'mqtt-in', { connection: 'broker', topics: [`${base}/#`], qos: 2, clientId: keep }],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [['in', 'sink']],
    );
    engine = second.engine;
    const sink2 = sinks.get('sink') as SinkHandle;
    await eventually(
      () => {
        for (const id of idsOf(sink2)) got.add(id);
        return got.size;
      },
      (n) => n >= 60,
      20_000,
      'all 60 ids across both runs',
    );
    await pub.endAsync();
  });

  it('an acknowledgement that bypasses the gate is counted, the connection dropped, and hold mode takes over', async () => {
    simulateMqttChange('acks-bypass-gate');
    const base = uniqueBase('guard-bypass');
    const { engine, sink } = await flow(base);
    expect(engine.snapshot('in')).toMatchObject({ mode: 'gate' });
    const pub = await connectPlain();
    await publishJson(pub, () => `${base}/g`, payloads(200, 'b'));
    await pub.endAsync();
    await eventually(
      () => idsOf(sink).size,
      (n) => n >= 200,
      20_000,
      '200 messages',
    );
    const snap = engine.snapshot('in') as { mode: string; ungated: number; redeliveryReconnects: number };
    expect(snap.mode).toBe('hold');
    expect(snap.ungated).toBeGreaterThanOrEqual(1);
    expect(snap.redeliveryReconnects).toBeGreaterThanOrEqual(1);
  });
});
