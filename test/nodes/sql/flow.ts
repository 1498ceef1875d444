/** Runs test-source -> SQL sink (error route -> a recording test sink) in a real engine. */
import type { FlowConnection } from '../../../src/flow/document.js';
import { Engine } from '../../../src/runtime/engine.js';
import type { NodeStatus, Outcome } from '../../../src/spec/runtime-contract.js';
import {
  loadTestRuntime,
  type SinkHandle,
  type SourceHandle,
  sinks,
  sources,
  testCatalog,
} from '../../support/test-nodes.js';

export interface Running {
  engine: Engine;
  src: SourceHandle;
  /** Messages that reached the error route. */
  dead: () => SinkHandle;
  statuses: NodeStatus[];
  /** Push payloads (each with an `id`), awaiting back pressure; returns the outcomes by id once all settled. */
  pushAll<T extends { id: string }>(payloads: T[]): Promise<Map<string, Outcome>>;
  stop(): Promise<void>;
}

export async function startSink(
  type: string,
  connections: FlowConnection[],
  config: Record<string, unknown>,
  options: { errorRoute?: boolean } = {},
): Promise<Running> {
  const errorRoute = options.errorRoute ?? true;
  const engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  const statuses: NodeStatus[] = [];
  engine.on('status', (s: NodeStatus & { nodeId: string }) => {
    if (s.nodeId === 'sink') statuses.push({ state: s.state, reason: s.reason });
  });
  await engine.start({
    format: 'sluice/flow@1',
    settings: errorRoute ? { errorRoute: 'dead', transientFailures: 'route' } : {},
    connections,
    nodes: [
      { id: 'src', type: 'test-source', config: {} },
      { id: 'sink', type, config },
      ...(errorRoute ? [{ id: 'dead', type: 'test-sink', config: { failFlagged: false } }] : []),
    ],
    edges: [{ source: 'src', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
  });
  const src = sources.get('src') as SourceHandle;
  return {
    engine,
    src,
    dead: () => sinks.get('dead') as SinkHandle,
    statuses,
    async pushAll(payloads) {
      for (const p of payloads) await src.push(p, p.id);
      await engine.whenIdle();
      const out = new Map<string, Outcome>();
      for (const p of payloads) {
        const list = src.outcomes.get(p.id);
        if (list) out.set(p.id, list[list.length - 1]);
      }
      return out;
    },
    async stop() {
      await engine.stop({ deadlineMs: 5000 });
    },
  };
}
