/**
 * Test-only node types for driving the engine: a source the test pushes into and a sink whose delay,
 * failures and batching the test controls. They implement the same runtime contract as real nodes.
 */
import { catalog } from '../../nodes/catalog.js';
import { Completion } from '../../src/kit/completion.js';
import { loadNodeRuntime } from '../../src/runtime/loader.js';
import {
  type Catalog,
  createMessage,
  defineNode,
  type FailureKind,
  type Message,
  markFailure,
  type Outcome,
  Type,
} from '../../src/spec/index.js';
import type { CreateRuntime, NodeContext } from '../../src/spec/runtime-contract.js';

export const testSource = defineNode({
  type: 'test-source',
  version: 1,
  category: 'source',
  title: 'Test source',
  summary: 'Driven by tests.',
  docs: 'Test only.',
  inputs: [],
  outputs: [{ name: 'out' }],
  config: Type.Object({}),
});

export const testSink = defineNode({
  type: 'test-sink',
  version: 1,
  category: 'sink',
  title: 'Test sink',
  summary: 'Records deliveries.',
  docs: 'Test only.',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object({
    delayMs: Type.Integer({ default: 0 }),
    /** Deliveries resolve in batches of this size (or after lingerMs). */
    batchSize: Type.Integer({ default: 1 }),
    lingerMs: Type.Integer({ default: 5 }),
    /** Fail messages whose payload has `fail: true`. */
    failFlagged: Type.Boolean({ default: true }),
    /** Mark the failures with this kind (see src/spec/failure.ts); unmarked, a sink's failure counts as transient. */
    failKind: Type.Optional(Type.Union([Type.Literal('deterministic'), Type.Literal('transient')])),
    /** Mutate the payload it receives (to prove branches do not share). */
    mutate: Type.Boolean({ default: false }),
    /** Return a Completion (src/runtime/completion.ts) instead of a promise, as the batching sinks do. */
    completion: Type.Boolean({ default: false }),
    /** stop() never finishes, like a client waiting on a dead broker. */
    stopHangs: Type.Boolean({ default: false }),
  }),
});

export const testCatalog: Catalog = {
  nodes: [...catalog.nodes, testSource, testSink],
  connections: catalog.connections,
};

export interface SourceHandle {
  ctx: NodeContext<unknown>;
  outcomes: Map<string, Outcome[]>;
  /** Ingest a message and record its outcome(s) by id; resolves when the window has room again. */
  push(payload: unknown, id?: string): Promise<void>;
}

export interface SinkHandle {
  delivered: Message[];
  failed: number;
  /** Concurrent handles seen at most. */
  maxPending: number;
}

export const sources = new Map<string, SourceHandle>();
export const sinks = new Map<string, SinkHandle>();

const createSource: CreateRuntime<unknown> = (ctx) => {
  const outcomes = new Map<string, Outcome[]>();
  const handle: SourceHandle = {
    ctx,
    outcomes,
    async push(payload, id) {
      const msg = createMessage({ payload, topic: 'test', id });
      const w = ctx.ingest(msg, (o) => {
        const list = outcomes.get(msg.id) ?? [];
        list.push(o);
        outcomes.set(msg.id, list);
      });
      if (w) await w;
    },
  };
  sources.set(ctx.nodeId, handle);
  return {};
};

type SinkConfig = {
  delayMs: number;
  batchSize: number;
  lingerMs: number;
  failFlagged: boolean;
  failKind?: FailureKind;
  mutate: boolean;
  completion: boolean;
  stopHangs: boolean;
};

const createSink: CreateRuntime<SinkConfig> = (ctx) => {
  const c = ctx.config;
  const state: SinkHandle = { delivered: [], failed: 0, maxPending: 0 };
  sinks.set(ctx.nodeId, state);
  let batch: Array<{ msg: Message; resolve: () => void; reject: (e: Error) => void }> = [];
  let timer: NodeJS.Timeout | undefined;
  let pending = 0;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const items = batch;
    batch = [];
    setTimeout(() => {
      // A batch commits or fails as a whole, like a database transaction.
      const bad = c.failFlagged && items.some((i) => (i.msg.payload as { fail?: boolean } | null)?.fail === true);
      for (const i of items) {
        pending--;
        if (bad) {
          state.failed++;
          const err = new Error('sink rejected the batch');
          i.reject(c.failKind ? markFailure(err, c.failKind) : err);
        } else {
          state.delivered.push(i.msg);
          i.resolve();
        }
      }
    }, c.delayMs);
  };

  return {
    handle(msg) {
      if (c.mutate && msg.payload && typeof msg.payload === 'object')
        (msg.payload as Record<string, unknown>).mutated = ctx.nodeId;
      pending++;
      state.maxPending = Math.max(state.maxPending, pending);
      const add = (resolve: () => void, reject: (e: Error) => void) => {
        batch.push({ msg, resolve, reject });
        if (batch.length >= c.batchSize) flush();
        else timer ??= setTimeout(flush, c.lingerMs);
      };
      if (!c.completion) return new Promise<void>(add);
      const done = new Completion();
      add(
        () => done.resolve(),
        (e) => done.reject(e),
      );
      return done;
    },
    stop() {
      if (batch.length) flush();
      if (c.stopHangs) return new Promise<void>(() => undefined);
    },
  };
};

export async function loadTestRuntime(type: string): Promise<CreateRuntime<unknown>> {
  if (type === 'test-source') return createSource;
  if (type === 'test-sink') return createSink as CreateRuntime<unknown>;
  return loadNodeRuntime(type);
}

/** A flow document from compact node/edge lists. */
export function flowOf(
  nodes: Array<[id: string, type: string, config?: Record<string, unknown>]>,
  edges: Array<[from: string, to: string]>,
  settings: Record<string, unknown> = {},
) {
  return {
    format: 'sluice/flow@1',
    settings,
    nodes: nodes.map(([id, type, config]) => ({ id, type, config: config ?? {} })),
    edges: edges.map(([from, to]) => {
      const [source, sourcePort = 'out'] = from.split(':');
      const [target, targetPort = 'in'] = to.split(':');
      return { source, sourcePort, target, targetPort };
    }),
  };
}
