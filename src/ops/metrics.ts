/**
 * Prometheus metrics of the flows (a private prom-client Registry). Counters and gauges are read from the engines'
 * own counters at scrape time (nothing added to the message path); settle latency and batch sizes are observed as
 * they happen through the engine's optional observer. Flows may come and go: their series go with them.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Engine, EngineObserver } from '../runtime/engine.js';
import type { Catalog } from '../spec/node-definition.js';
import { flowShape } from './flow-shape.js';
import { FastHistogram, type HistogramSeries } from './histogram.js';
import { isUp } from './readiness.js';
import type { OpsFlow, OpsSource } from './source.js';

const SETTLE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/** One engine's observer: label children cached per node, so an observation is one call. */
class FlowObserver implements EngineObserver {
  private readonly settle = new Map<string, [HistogramSeries, HistogramSeries]>();
  private readonly batches = new Map<string, HistogramSeries>();

  constructor(
    readonly flow: string,
    private readonly metrics: FlowMetrics,
  ) {}

  settled(sourceId: string, seconds: number, ok: boolean): void {
    let pair = this.settle.get(sourceId);
    if (!pair) {
      const h = this.metrics.settleSeconds;
      const flow = this.flow;
      pair = [h.child({ flow, node: sourceId, outcome: 'ack' }), h.child({ flow, node: sourceId, outcome: 'nack' })];
      this.settle.set(sourceId, pair);
    }
    pair[ok ? 0 : 1].observe(seconds);
  }

  batch(nodeId: string, size: number): void {
    let child = this.batches.get(nodeId);
    if (!child) {
      child = this.metrics.batchSize.child({ flow: this.flow, node: nodeId });
      this.batches.set(nodeId, child);
    }
    child.observe(size);
  }

  /** Removes this flow's histogram series. */
  forget(): void {
    const flow = this.flow;
    for (const node of this.settle.keys()) {
      this.metrics.settleSeconds.remove({ flow, node, outcome: 'ack' });
      this.metrics.settleSeconds.remove({ flow, node, outcome: 'nack' });
    }
    for (const node of this.batches.keys()) this.metrics.batchSize.remove({ flow, node });
  }
}

export class FlowMetrics {
  readonly registry = new Registry();
  readonly settleSeconds: FastHistogram;
  readonly batchSize: FastHistogram;
  private readonly messagesIn: Counter<'flow' | 'node' | 'type'>;
  private readonly messages: Counter<'flow' | 'node' | 'type' | 'outcome'>;
  private readonly inFlight: Gauge<'flow' | 'node' | 'type'>;
  private readonly settled: Counter<'flow' | 'node' | 'type' | 'outcome'>;
  private readonly retries: Counter<'flow' | 'node' | 'type'>;
  private readonly nodeUp: Gauge<'flow' | 'node' | 'type'>;
  private readonly connectionUp: Gauge<'flow' | 'connection' | 'kind'>;
  private readonly flowUp: Gauge<'flow' | 'state'>;
  private readonly observers = new Map<Engine, FlowObserver>();

  constructor(
    private readonly source: OpsSource,
    private readonly catalog: Catalog,
  ) {
    const registers = [this.registry];
    const node = ['flow', 'node', 'type'] as const;
    this.messagesIn = new Counter({
      name: 'sluice_node_messages_in_total',
      help: 'Messages handed to a node.',
      labelNames: node,
      registers,
    });
    this.messages = new Counter({
      name: 'sluice_node_messages_total',
      help: 'Messages a node finished, by outcome: out (emitted; a sink: delivered; a source: ingested), failed, dropped (on purpose).',
      labelNames: [...node, 'outcome'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'sluice_node_in_flight',
      help: 'Messages a node is handling now; a source: ingested and not yet settled.',
      labelNames: node,
      registers,
    });
    this.settled = new Counter({
      name: 'sluice_source_settled_total',
      help: "A source's messages settled: outcome ack (delivered, acknowledged to the broker) or nack (redelivered).",
      labelNames: [...node, 'outcome'],
      registers,
    });
    this.retries = new Counter({
      name: 'sluice_node_retries_total',
      help: 'Attempts a node (a sink) retried after a transient failure.',
      labelNames: node,
      registers,
    });
    this.nodeUp = new Gauge({
      name: 'sluice_node_up',
      help: 'Whether a node is up (status running, connected or idle; not connecting, error or stopped): 1 or 0.',
      labelNames: node,
      registers,
    });
    this.connectionUp = new Gauge({
      name: 'sluice_connection_up',
      help: 'Whether a connection is up (every node using it is up): 1 or 0.',
      labelNames: ['flow', 'connection', 'kind'],
      registers,
    });
    this.flowUp = new Gauge({
      name: 'sluice_flow_running',
      help: 'Whether a flow runs: 1 while its state is running, else 0 (the state label says which).',
      labelNames: ['flow', 'state'],
      registers,
    });
    this.settleSeconds = new FastHistogram(
      'sluice_settle_duration_seconds',
      "End-to-end latency from a source's ingest to its settle (ack or nack), by source node.",
      SETTLE_BUCKETS,
      this.registry,
    );
    this.batchSize = new FastHistogram(
      'sluice_sink_batch_size',
      'Messages per batch a sink wrote.',
      BATCH_BUCKETS,
      this.registry,
    );
    // The standard process_* and nodejs_* series (CPU, RSS, heap, GC, event-loop lag): their usual names, which
    // every Node.js dashboard expects.
    collectDefaultMetrics({ register: this.registry });
  }

  /** Attach observers to new engines and drop those of flows that are gone (also done at every scrape). */
  attach(): OpsFlow[] {
    const flows = [...this.source.flows()];
    const seen = new Set<Engine>();
    for (const f of flows) {
      seen.add(f.engine);
      const known = this.observers.get(f.engine);
      if (known && known.flow === f.id && f.engine.observer === known) continue;
      known?.forget();
      const observer = new FlowObserver(f.id, this);
      this.observers.set(f.engine, observer);
      f.engine.observer = observer;
    }
    for (const [engine, observer] of this.observers) {
      if (seen.has(engine)) continue;
      observer.forget();
      if (engine.observer === observer) engine.observer = undefined;
      this.observers.delete(engine);
    }
    return flows;
  }

  /** The Prometheus text of every metric, counters read from the engines now. */
  async scrape(): Promise<string> {
    const flows = this.attach();
    for (const m of [this.messagesIn, this.messages, this.inFlight, this.settled, this.retries, this.nodeUp]) m.reset();
    this.connectionUp.reset();
    this.flowUp.reset();
    for (const f of flows) this.read(f);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    for (const [engine, observer] of this.observers) if (engine.observer === observer) engine.observer = undefined;
    this.observers.clear();
    this.registry.clear();
  }

  private read(f: OpsFlow): void {
    const flow = f.id;
    this.flowUp.set({ flow, state: f.state }, f.state === 'running' ? 1 : 0);
    const doc = f.engine.flow;
    if (!doc) return;
    const shape = flowShape(doc, this.catalog);
    const counters = f.engine.counters();
    const statuses = f.engine.statuses();
    for (const [node, c] of Object.entries(counters)) {
      const labels = { flow, node, type: shape.types.get(node) ?? 'unknown' };
      this.messagesIn.inc(labels, c.in);
      this.messages.inc({ ...labels, outcome: 'out' }, c.out);
      this.messages.inc({ ...labels, outcome: 'failed' }, c.failed);
      this.messages.inc({ ...labels, outcome: 'dropped' }, c.dropped);
      this.inFlight.set(labels, c.inFlight);
      if (c.acked !== undefined) this.settled.inc({ ...labels, outcome: 'ack' }, c.acked);
      if (c.nacked !== undefined) this.settled.inc({ ...labels, outcome: 'nack' }, c.nacked);
      if (c.retries !== undefined) this.retries.inc(labels, c.retries);
      this.nodeUp.set(labels, isUp(statuses[node]) ? 1 : 0);
    }
    for (const c of shape.connections) {
      if (c.users.length === 0) continue;
      const up = c.users.every((u) => isUp(statuses[u]));
      this.connectionUp.set({ flow, connection: c.id, kind: c.kind }, up ? 1 : 0);
    }
  }
}
