/**
 * `bench-sink`: a sink that acknowledges at once, so a scenario measures everything upstream of the sink.
 * Benchmarks use `benchEngine()` to get an engine that knows it alongside the real catalogue.
 */
import { catalog } from '../../nodes/catalog.js';
import { Engine } from '../../src/runtime/engine.js';
import { loadNodeRuntime } from '../../src/runtime/loader.js';
import { defineNode, Type } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';

const ackSink = defineNode({
  type: 'bench-sink',
  version: 1,
  category: 'sink',
  title: 'Bench sink',
  summary: 'Acks at once.',
  docs: 'Benchmark only.',
  inputs: [{ name: 'in' }],
  outputs: [],
  config: Type.Object({}),
});

const createAckSink: CreateRuntime<unknown> = () => ({ handle() {} });

export function benchEngine(): Engine {
  return new Engine({
    catalog: { nodes: [...catalog.nodes, ackSink], connections: catalog.connections },
    loadRuntime: (t) => (t === 'bench-sink' ? Promise.resolve(createAckSink) : loadNodeRuntime(t)),
  });
}
