/**
 * Connections stay per flow: a flow whose broker does not answer (a proxy in front of Mosquitto that stopped
 * forwarding) neither delays another flow's deploy nor stalls its messages, and stopping it leaves the other running.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowManager } from '../../src/runtime/flow-manager.js';
import { requireService } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { loadTestRuntime, testCatalog } from '../support/test-nodes.js';

let manager: FlowManager | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await manager?.close({ deadlineMs: 0 });
  manager = undefined;
  await proxy?.down();
  proxy = undefined;
});

const tag = randomBytes(4).toString('hex');

function mqttLoop(id: string, port: number) {
  const topic = `sluice-test/isolation-${tag}/${id}`;
  return {
    format: 'sluice/flow@1',
    id,
    settings: { drainTimeoutMs: 300, stopTimeoutMs: 500 },
    connections: [{ id: 'broker', kind: 'mqtt', config: { url: `mqtt://127.0.0.1:${port}`, connectTimeoutMs: 1000 } }],
    nodes: [
      { id: 'gen', type: 'generate', config: { intervalMs: 10, payload: '{"n": $seq}' } },
      { id: 'pub', type: 'mqtt-out', config: { connection: 'broker', topic, qos: 1 } },
      { id: 'sub', type: 'mqtt-in', config: { connection: 'broker', topics: [topic], qos: 1, codec: 'json' } },
      { id: 'dbg', type: 'debug', config: { keep: 5 } },
    ],
    edges: [
      { source: 'gen', sourcePort: 'out', target: 'pub', targetPort: 'in' },
      { source: 'sub', sourcePort: 'out', target: 'dbg', targetPort: 'in' },
    ],
  };
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(await requireService('mosquitto'))('flows keep their own connections', () => {
  it("a flow whose broker stopped answering does not stall another flow's deploy or messages", async () => {
    proxy = new TcpProxy(1883);
    await proxy.up();
    const m = new FlowManager({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    manager = m;
    await m.deploy('stuck', mqttLoop('stuck', proxy.port), 1);
    const received = (id: string) => m.get(id)?.engine.nodeCounters('sub')?.out ?? 0;
    await until(() => received('stuck') > 3);
    proxy.freeze();
    const frozenAt = received('stuck');

    // The other flow, on the real broker directly, deploys and flows while "stuck" hangs on its silent broker.
    await m.deploy('healthy', mqttLoop('healthy', 1883), 1);
    await until(() => received('healthy') > 20);
    expect(received('stuck')).toBeLessThanOrEqual(frozenAt + 2);

    // Stopping the stuck flow takes its deadlines; the healthy one keeps counting meanwhile and after.
    const before = received('healthy');
    await m.stop('stuck');
    expect(m.get('stuck')!.state).toBe('stopped');
    await until(() => received('healthy') > before + 20);
    expect(m.get('healthy')!.state).toBe('running');
  }, 60_000);
});
