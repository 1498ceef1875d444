/** Engines running MQTT nodes next to the shared test nodes (test/support/test-nodes.ts). */
import { Engine, type StatusEvent } from '../../../src/runtime/engine.js';
import type { Catalog } from '../../../src/spec/index.js';
import type { CreateRuntime } from '../../../src/spec/runtime-contract.js';
import { flowOf, loadTestRuntime, testCatalog } from '../../support/test-nodes.js';
import { MOSQUITTO } from './mqtt.js';

type NodeSpec = [id: string, type: string, config?: Record<string, unknown>];

export interface FlowOptions {
  connection?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  id?: string;
  /** Connections next to the broker (e.g. a database for a sink). */
  extraConnections?: Array<{ id: string; kind: string; config: Record<string, unknown> }>;
  /** Extra test-only node types. */
  extra?: { catalog: Catalog['nodes']; runtimes: Record<string, CreateRuntime<unknown>> };
}

export function mqttFlow(nodes: NodeSpec[], edges: Array<[string, string]>, o: FlowOptions = {}) {
  return {
    ...flowOf(nodes, edges, o.settings ?? {}),
    ...(o.id ? { id: o.id } : {}),
    connections: [
      { id: 'broker', kind: 'mqtt', config: { url: MOSQUITTO, ...o.connection } },
      ...(o.extraConnections ?? []),
    ],
  };
}

export function newEngine(o: FlowOptions = {}) {
  const extra = o.extra;
  const engine = new Engine({
    catalog: extra ? { ...testCatalog, nodes: [...testCatalog.nodes, ...extra.catalog] } : testCatalog,
    loadRuntime: extra ? async (type) => extra.runtimes[type] ?? loadTestRuntime(type) : loadTestRuntime,
  });
  const statuses: StatusEvent[] = [];
  engine.on('status', (s: StatusEvent) => statuses.push(s));
  return { engine, statuses };
}

export async function startFlow(nodes: NodeSpec[], edges: Array<[string, string]>, o: FlowOptions = {}) {
  const { engine, statuses } = newEngine(o);
  await engine.start(mqttFlow(nodes, edges, o));
  return { engine, statuses };
}
