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

/**
 * One catalogue object for every engine: the flow validator is compiled once per catalogue object (as in
 * `sluice run`), so a fresh object per engine would put a schema compile (~0.7 s CPU under load) into each run.
 */
const benchCatalog = { nodes: [...catalog.nodes, ackSink], connections: catalog.connections };

export function benchEngine(): Engine {
  return new Engine({
    catalog: benchCatalog,
    loadRuntime: (t) => (t === 'bench-sink' ? Promise.resolve(createAckSink) : loadNodeRuntime(t)),
  });
}
