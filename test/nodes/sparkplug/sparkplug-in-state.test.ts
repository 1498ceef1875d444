/**
 * sparkplug-in's state against the real Mosquitto: a rebirth request asked again while DATA waits for a birth, and
 * the bound on the edge nodes and devices it follows.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricEvent } from '../../../src/connectors/sparkplug/host.js';
import type { Engine } from '../../../src/runtime/engine.js';
import { eventually } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { startFlow } from '../mqtt-support/flow.js';
import { clearSession, MOSQUITTO, uniqueClientId } from '../mqtt-support/mqtt.js';
import { RawEdge } from './raw-edge.js';

const run = await requireService('mosquitto');

let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const uniqueGroup = () => `sluice-test-${randomUUID().slice(0, 8)}`;
const events = (sink: SinkHandle) => sink.delivered.map((m) => m.payload as MetricEvent);

async function host(id: string, group: string, config: Record<string, unknown>, connection = {}) {
  const flow = await startFlow(
    [
      [id, 'sparkplug-in', { connection: 'broker', groupId: group, rebirthIntervalMs: 200, ...config }],
      [`${id}-sink`, 'test-sink', { failFlagged: false }],
    ],
    [[id, `${id}-sink`]],
    { id: `host-${group}`, connection },
  );
  cleanups.push(() => flow.engine.stop({ deadlineMs: 2000 }));
  return { ...flow, sink: sinks.get(`${id}-sink`) as SinkHandle };
}

async function edge(group: string, name: string): Promise<RawEdge> {
  const e = await RawEdge.connect(MOSQUITTO, group, name, [{ name: 'level', alias: 1, datatype: 'Int32', value: 0 }]);
  cleanups.push(() => e.close());
  return e;
}

const snapshotOf = (engine: Engine, id: string) =>
  (engine.snapshot(id) as { sparkplug: Record<string, unknown> }).sparkplug;

describe.runIf(run)('sparkplug-in state', () => {
  it('asks again for a rebirth while DATA waits for a birth, and emits that DATA once the birth comes', async () => {
    const group = uniqueGroup();
    const clientId = uniqueClientId('sp-again');
    cleanups.push(() => clearSession(clientId));
    // A persistent session: DATA before its birth is held, not dropped.
    const { engine, sink } = await host('again', group, { clientId }, { clean: false });
    const e = await edge(group, 'quiet');
    e.ignoreRequests = 1; // it misses the first request (QoS 0) and then publishes nothing more
    await e.data([{ alias: 1, datatype: 'Int32', value: 41 }]);
    await eventually(
      () => events(sink).filter((m) => m.name === 'level' && m.messageType === 'NDATA'),
      (l) => l.length === 1,
      10_000,
      'the held NDATA',
    );
    expect(e.requests).toBeGreaterThanOrEqual(2);
    expect(e.births).toBe(1);
    expect(events(sink).find((m) => m.messageType === 'NDATA')).toMatchObject({ name: 'level', value: 41 });
    expect(snapshotOf(engine, 'again')).toMatchObject({ waitingForBirth: 0 });
    expect(snapshotOf(engine, 'again').rebirthRequests).toBeGreaterThanOrEqual(2);
  });

  it('follows at most maxEdgeNodes edge nodes: the least recently heard is forgotten, with a warning in the status', async () => {
    const group = uniqueGroup();
    const { engine, sink, statuses } = await host('bound', group, { maxEdgeNodes: 2, requestRebirth: false });
    const edges = [await edge(group, 'a'), await edge(group, 'b'), await edge(group, 'c')];
    for (const e of edges) await e.birth();
    await eventually(
      () => events(sink).filter((m) => m.messageType === 'NBIRTH').length,
      (n) => n === 3,
      10_000,
      'three births',
    );
    await eventually(
      () => statuses.filter((s) => s.nodeId === 'bound' && s.reason?.includes('forgotten')),
      (s) => s.length > 0,
      10_000,
      'the warning',
    );
    const warning = statuses.find((s) => s.nodeId === 'bound' && s.reason?.includes('forgotten'));
    expect(warning?.state).toBe('connected');
    expect(warning?.reason).toMatch(/^sparkplug-in "bound": .*maxEdgeNodes 2.*1 edge node\(s\).*; raise/);
    const snap = snapshotOf(engine, 'bound');
    expect(snap).toMatchObject({ forgottenEdgeNodes: 1, tracked: { edgeNodes: 2, devices: 0 } });
    expect((snap.edgeNodes as Array<{ edgeNode: string }>).map((n) => n.edgeNode)).toEqual(['b', 'c']);
    // The forgotten edge node's DATA cannot be named any more: dropped (no rebirth asked for here), not emitted.
    await edges[0].data([{ alias: 1, datatype: 'Int32', value: 7 }]);
    await edges[2].data([{ alias: 1, datatype: 'Int32', value: 8 }]);
    await eventually(
      () => events(sink).filter((m) => m.messageType === 'NDATA'),
      (d) => d.length >= 1,
      10_000,
      "c's NDATA",
    );
    expect(
      events(sink)
        .filter((m) => m.messageType === 'NDATA')
        .map((m) => [m.edgeNode, m.value]),
    ).toEqual([['c', 8]]);
  });
});
