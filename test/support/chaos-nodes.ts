/**
 * Test-only node types and a recorder for attacking the engine's delivery accounting.
 *
 * - `chaos-source`: a source the test drives; it records every settle per message id and can ingest a message as
 *   unreadable (`ingestFailed`) or with a settle callback that throws.
 * - `chaos`: a pass-through that, per message, picks a behaviour from its config (emit 0, 1 or several messages,
 *   on one or several ports, throw, reject after a delay, emit later, emit after it resolved, emit on the error port,
 *   ...). Decisions are a hash of (seed, node, message id, occurrence), so they do not depend on timing.
 * - `Recorder`: wraps every non-source runtime and records, independently of the engine, what each handle call did:
 *   where its input came from, what it emitted (and whether after it finished), and how it ended. Tests compute the
 *   expected settle of each ingested message from this trace and compare.
 *
 * How the trace links hops: the recorder stamps every emitted message with a `x-hop` header (`e:<delivery>:<n>`);
 * the source stamps `i:<id>` (`if:<id>` for an unreadable one). A failure reason gets ` [d=<delivery>]` appended, so
 * a message the engine routes after a failure carries the failed delivery in its `sluice-error` header.
 */

import { reasonOf } from '../../src/kit/index.js';
import { isThenable } from '../../src/kit/thenable.js';
import { loadNodeRuntime } from '../../src/runtime/loader.js';
import {
  type Catalog,
  cloneMessage,
  clonePayload,
  createMessage,
  defineNode,
  ERROR_HEADER,
  failureKindOf,
  type Message,
  markFailure,
  type Outcome,
  outputPorts,
  Type,
} from '../../src/spec/index.js';
import type { CreateRuntime, NodeContext, NodeRuntime, Output } from '../../src/spec/runtime-contract.js';
import { prng } from './prng.js';
import { loadTestRuntime, testCatalog } from './test-nodes.js';

export const HOP = 'x-hop';

// ---- seeded randomness ---------------------------------------------------------------------------

/** A deterministic number in [0, 1) from the parts (FNV-1a, then mixed through mulberry32). */
export function hash01(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return prng(h)();
}

export interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  const next = prng(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The ingested message an id derives from (`m1:0:2` -> `m1`). */
export const rootOf = (id: string) => id.split(':')[0];

// ---- node definitions ----------------------------------------------------------------------------

export const chaosSource = defineNode({
  type: 'chaos-source',
  version: 1,
  category: 'source',
  title: 'Chaos source',
  summary: 'Driven by tests.',
  docs: 'Test only.',
  inputs: [],
  outputs: [{ name: 'out' }],
  config: Type.Object({ stopDelayMs: Type.Integer({ default: 0 }) }),
});

export const CHAOS_BEHAVIOURS = [
  'pass',
  'drop',
  'multi',
  'both',
  'alt',
  'throw',
  'emit-throw',
  'reject',
  'emit-reject',
  'later',
  'late-emit',
  'async-late-emit',
  'error-port',
  'undeclared',
  'uncloneable',
] as const;
export type ChaosBehaviour = (typeof CHAOS_BEHAVIOURS)[number] | 'same-object' | 'double-settle';

/** A payload that structuredClone refuses (a class instance holding a function). */
export class Uncloneable {
  readonly n = 1;
  readonly callback = () => 1;
}

export const chaos = defineNode({
  type: 'chaos',
  version: 1,
  category: 'transform',
  title: 'Chaos',
  summary: 'Misbehaves on purpose.',
  docs: 'Test only.',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }, { name: 'alt' }],
  config: Type.Object({
    seed: Type.Integer({ default: 1 }),
    behaviours: Type.Array(Type.String(), { default: ['pass'] }),
    maxDelayMs: Type.Integer({ default: 5 }),
    /** stop() takes this long (a node that drains on stop). */
    stopDelayMs: Type.Integer({ default: 0 }),
  }),
});

export const chaosCatalog: Catalog = {
  nodes: [...testCatalog.nodes, chaosSource, chaos],
  connections: testCatalog.connections,
};

// ---- the source ----------------------------------------------------------------------------------

export interface PushOptions {
  /** Ingest as unreadable (ctx.ingestFailed) with this reason. */
  failed?: string;
  /** The settle callback throws after recording. */
  throwInSettle?: boolean;
}

export interface ChaosSourceHandle {
  ctx: NodeContext<unknown>;
  outcomes: Map<string, Outcome[]>;
  /** Called inside each settle callback, before it records (for checks at the moment of the settle). */
  onSettle?: (id: string, outcome: Outcome) => void;
  /** Ingest; returns the back-pressure promise when the window is full (the caller decides whether to await). */
  push(payload: unknown, id: string, options?: PushOptions): undefined | Promise<void>;
  /** Errors thrown out of ctx.ingest / ctx.ingestFailed. */
  ingestErrors: unknown[];
  stopIntakeCalls: number;
}

export const chaosSources = new Map<string, ChaosSourceHandle>();

const createChaosSource: CreateRuntime<{ stopDelayMs: number }> = (ctx) => {
  const handle: ChaosSourceHandle = {
    ctx: ctx as NodeContext<unknown>,
    outcomes: new Map(),
    ingestErrors: [],
    stopIntakeCalls: 0,
    push(payload, id, options = {}) {
      const msg = createMessage({
        payload,
        id,
        topic: 'chaos',
        headers: { [HOP]: `${options.failed ? 'if' : 'i'}:${id}` },
      });
      const settle = (o: Outcome) => {
        handle.onSettle?.(id, o);
        const list = handle.outcomes.get(id) ?? [];
        list.push(o);
        handle.outcomes.set(id, list);
        if (options.throwInSettle) throw new Error(`settle callback of ${id} throws`);
      };
      try {
        return options.failed ? ctx.ingestFailed(msg, options.failed, settle) : ctx.ingest(msg, settle);
      } catch (err) {
        handle.ingestErrors.push(err);
        return undefined;
      }
    },
  };
  chaosSources.set(ctx.nodeId, handle);
  return {
    stopIntake() {
      handle.stopIntakeCalls++;
    },
    async stop() {
      if (ctx.config.stopDelayMs > 0) await sleep(ctx.config.stopDelayMs);
    },
  };
};

// ---- the chaos pass-through ----------------------------------------------------------------------

interface ChaosConfig {
  seed: number;
  behaviours: string[];
  maxDelayMs: number;
  stopDelayMs: number;
}

/** Errors thrown where nobody catches them (inside a chaos timer): a test asserts there are none. */
export const timerErrors: unknown[] = [];

function copyPayload(payload: unknown): unknown {
  try {
    return clonePayload(payload);
  } catch {
    return payload; // an Uncloneable: passed on as it is
  }
}

function derive(msg: Message, suffix?: number): Message {
  return {
    id: suffix === undefined ? msg.id : `${msg.id}:${suffix}`,
    topic: msg.topic,
    key: msg.key,
    payload: copyPayload(msg.payload),
    headers: { ...msg.headers },
    timestamp: msg.timestamp,
  };
}

export interface ChaosNodeHandle {
  /** Behaviour chosen per handle call, in call order. */
  chosen: Array<{ id: string; behaviour: ChaosBehaviour }>;
  /** Late emits (after the handle finished) that the engine accepted without throwing. */
  lateEmits: number;
}

export const chaosNodes = new Map<string, ChaosNodeHandle>();

/** Behaviour for this message: overridable per test through the payload (`{ chaos: 'reject' }`). */
function choose(c: ChaosConfig, nodeId: string, msg: Message, occurrence: number): ChaosBehaviour {
  const forced = (msg.payload as { chaos?: Record<string, ChaosBehaviour> } | null)?.chaos?.[nodeId];
  if (typeof forced === 'string') return forced;
  const list = c.behaviours.length ? c.behaviours : ['pass'];
  return list[Math.floor(hash01(c.seed, nodeId, msg.id, occurrence) * list.length)] as ChaosBehaviour;
}

const createChaos: CreateRuntime<ChaosConfig> = (ctx) => {
  const c = ctx.config;
  const seen = new Map<string, number>();
  const state: ChaosNodeHandle = { chosen: [], lateEmits: 0 };
  chaosNodes.set(ctx.nodeId, state);
  const later = (ms: number, fn: () => void) =>
    setTimeout(() => {
      try {
        fn();
      } catch (err) {
        timerErrors.push(err);
      }
    }, ms);

  return {
    handle(msg: Message, out: Output): void | Promise<void> {
      const occurrence = seen.get(msg.id) ?? 0;
      seen.set(msg.id, occurrence + 1);
      const b = choose(c, ctx.nodeId, msg, occurrence);
      state.chosen.push({ id: msg.id, behaviour: b });
      const delay = Math.floor(hash01(c.seed, 'delay', ctx.nodeId, msg.id, occurrence) * (c.maxDelayMs + 1));
      const fail = new Error(`chaos ${b} at ${ctx.nodeId}`);
      switch (b) {
        case 'pass':
          out.emit('out', derive(msg));
          return;
        case 'drop':
          return;
        case 'multi': {
          const n = 2 + Math.floor(hash01(c.seed, 'n', msg.id, occurrence) * 2);
          for (let i = 0; i < n; i++) out.emit('out', derive(msg, i));
          return;
        }
        case 'both':
          out.emit('out', derive(msg, 0));
          out.emit('alt', derive(msg, 1));
          return;
        case 'same-object': {
          const m = derive(msg);
          out.emit('out', m);
          out.emit('alt', m);
          return;
        }
        case 'alt':
          out.emit('alt', derive(msg));
          return;
        case 'double-settle': {
          // Not a Promise: a broken thenable that reports success twice, then failure.
          out.emit('out', derive(msg));
          const thenable = {
            // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose
            then(ok: () => void, fail: (e: Error) => void) {
              later(delay, () => {
                ok();
                ok();
                fail(new Error('and failed too'));
              });
            },
          };
          return thenable as unknown as Promise<void>;
        }
        case 'uncloneable':
          out.emit('out', { ...derive(msg), payload: new Uncloneable() });
          return;
        case 'throw':
          throw fail;
        case 'emit-throw':
          out.emit('out', derive(msg));
          throw fail;
        case 'reject':
          return new Promise<void>((_, reject) => later(delay, () => reject(fail)));
        case 'emit-reject':
          out.emit('out', derive(msg));
          return new Promise<void>((_, reject) => later(delay, () => reject(fail)));
        case 'later':
          return new Promise<void>((resolve) =>
            later(delay, () => {
              out.emit('out', derive(msg));
              resolve();
            }),
          );
        case 'late-emit':
          later(delay, () => {
            out.emit('out', derive(msg));
            state.lateEmits++;
          });
          return;
        case 'async-late-emit':
          return new Promise<void>((resolve) =>
            later(delay, () => {
              resolve();
              later(delay + 1, () => {
                out.emit('alt', derive(msg));
                state.lateEmits++;
              });
            }),
          );
        case 'error-port': {
          const m = derive(msg);
          m.headers[ERROR_HEADER] = `chaos error port at ${ctx.nodeId}`;
          out.emit('error', m);
          return;
        }
        case 'undeclared':
          out.emit('nope', derive(msg));
          return;
      }
    },
    async stop() {
      if (c.stopDelayMs > 0) await sleep(c.stopDelayMs);
    },
  };
};

// ---- the recorder --------------------------------------------------------------------------------

export type DeliveryState = 'pending' | 'ok' | 'threw' | 'rejected';

export interface EmitRecord {
  token: string;
  port: string;
  /** Emitted after the handle had finished (the engine must ignore it). */
  late: boolean;
  /** structuredClone refuses the message: the engine cannot copy it for a fan-out. */
  uncloneable: boolean;
}

export interface DeliveryRecord {
  seq: number;
  /** `Recorder.generation` when the node's runtime was created (tells two deployed flows apart). */
  gen: number;
  node: string;
  msgId: string;
  root: string;
  /** The `x-hop` header the input arrived with. */
  hop: string;
  /** The delivery named by a ` [d=N]` marker in the input's `sluice-error` header, if any. */
  marker: number | undefined;
  state: DeliveryState;
  emits: EmitRecord[];
  /** The input cannot be copied (matters when its failure goes to an error port wired to several nodes). */
  uncloneable: boolean;
}

/** Whether the engine can copy `msg` for a fan-out. */
export function uncloneable(msg: Message): boolean {
  try {
    cloneMessage(msg);
    return false;
  } catch {
    return true;
  }
}

// At the end, or before the what-to-do a sink's failure gets (`...; <what to do>`, the one error pattern).
const MARKER = / \[d=(\d+)\](?=;|$)/;

/** A reason names node `id` first: `node "<id>": ...`, or in the one error pattern `<type> "<id>": ...`. */
function namesNode(reason: string, id: string): boolean {
  return /^[a-z][a-z0-9-]* "([^"]+)": /.exec(reason)?.[1] === id;
}

export class Recorder {
  readonly deliveries: DeliveryRecord[] = [];
  readonly byRoot = new Map<string, DeliveryRecord[]>();
  /** Stamped on the records of runtimes created from now on: bump it before a redeploy. */
  generation = 0;

  pendingOf(root: string): number {
    return (this.byRoot.get(root) ?? []).filter((d) => d.state === 'pending').length;
  }

  private open(node: string, gen: number, msg: Message): DeliveryRecord {
    const m = MARKER.exec(msg.headers[ERROR_HEADER] ?? '');
    const rec: DeliveryRecord = {
      seq: this.deliveries.length,
      gen,
      node,
      msgId: msg.id,
      root: rootOf(msg.id),
      hop: msg.headers[HOP] ?? '',
      marker: m ? Number(m[1]) : undefined,
      state: 'pending',
      emits: [],
      uncloneable: uncloneable(msg),
    };
    this.deliveries.push(rec);
    const list = this.byRoot.get(rec.root) ?? [];
    list.push(rec);
    this.byRoot.set(rec.root, list);
    return rec;
  }

  /** The runtime with `handle` recorded; everything else passes through. */
  wrap(nodeId: string, inner: NodeRuntime): NodeRuntime {
    const wrapped: NodeRuntime = {};
    if (inner.start) wrapped.start = () => inner.start?.();
    if (inner.stop) wrapped.stop = () => inner.stop?.();
    if (inner.stopIntake) wrapped.stopIntake = () => inner.stopIntake?.();
    if (inner.snapshot) wrapped.snapshot = () => inner.snapshot?.();
    const handle = inner.handle;
    if (!handle) return wrapped;
    const gen = this.generation;
    wrapped.handle = (msg, out, port) => {
      const rec = this.open(nodeId, gen, msg);
      const tagged: Output = {
        emit(p, m) {
          const token = `e:${rec.seq}:${rec.emits.length}`;
          rec.emits.push({ token, port: p, late: rec.state !== 'pending', uncloneable: uncloneable(m) });
          m.headers = { ...m.headers, [HOP]: token };
          out.emit(p, m);
        },
        // Stateful nodes (dedup, deadband) hear how the message's lineage ended: passed through unchanged.
        onSettled: (listener) => out.onSettled?.(listener),
      };
      // Keeps the error's kind (src/spec/failure.ts): the engine's ack or nack depends on it.
      const marked = (err: unknown) => {
        const kind = failureKindOf(err);
        const e = new Error(`${reasonOf(err)} [d=${rec.seq}]`);
        return kind ? markFailure(e, kind) : e;
      };
      let result: void | PromiseLike<void>;
      try {
        result = handle.call(inner, msg, tagged, port);
      } catch (err) {
        rec.state = 'threw';
        throw marked(err);
      }
      if (isThenable(result)) {
        return Promise.resolve(result).then(
          () => {
            rec.state = 'ok';
          },
          (err: unknown) => {
            rec.state = 'rejected';
            throw marked(err);
          },
        );
      }
      rec.state = 'ok';
      return result;
    };
    return wrapped;
  }
}

/** A loader for the engine: test and chaos node types, every non-source runtime wrapped by `recorder` if given. */
export function chaosLoader(recorder?: Recorder) {
  return async (type: string): Promise<CreateRuntime<unknown>> => {
    if (type === 'chaos-source') return createChaosSource as CreateRuntime<unknown>;
    const create: CreateRuntime<unknown> =
      type === 'chaos'
        ? (createChaos as CreateRuntime<unknown>)
        : type === 'test-sink' || type === 'test-source'
          ? await loadTestRuntime(type)
          : await loadNodeRuntime(type);
    return recorder ? async (ctx) => recorder.wrap(ctx.nodeId, await create(ctx)) : create;
  };
}

// ---- the model: what the engine should have done, from the trace ---------------------------------

/** The wiring, known from the flow the test built (not from the engine). */
export interface Topology {
  source: string;
  /** node -> output port -> target node ids (one per edge). */
  routes: Map<string, Map<string, string[]>>;
  /** Nodes without outputs: a completed handle is a delivery. */
  terminal: Set<string>;
  errorRoute?: string;
  onErrorAck: boolean;
  /** Error ports and the error route take transient failures too (transientFailures "route", or onError "ack"). */
  routeTransient: boolean;
  /** Nodes of a sink type: an unmarked error they throw is transient (nacked); any other node's is deterministic. */
  sinks: Set<string>;
}

export function topologyOf(flow: {
  nodes: Array<{ id: string; type: string }>;
  edges: Array<{ source: string; sourcePort: string; target: string }>;
  settings?: { errorRoute?: string; onError?: string; transientFailures?: string };
  terminal: Set<string>;
}): Topology {
  const routes = new Map<string, Map<string, string[]>>();
  for (const n of flow.nodes) routes.set(n.id, new Map());
  for (const e of flow.edges) {
    const ports = routes.get(e.source)!;
    ports.set(e.sourcePort, [...(ports.get(e.sourcePort) ?? []), e.target]);
  }
  const source = flow.nodes.find((n) => n.type === 'chaos-source')!.id;
  return {
    source,
    routes,
    terminal: flow.terminal,
    errorRoute: flow.settings?.errorRoute,
    onErrorAck: flow.settings?.onError === 'ack',
    routeTransient: flow.settings?.onError === 'ack' || flow.settings?.transientFailures === 'route',
    sinks: new Set(
      flow.nodes.filter((n) => chaosCatalog.nodes.find((d) => d.type === n.type)?.category === 'sink').map((n) => n.id),
    ),
  };
}

const targetsOf = (t: Topology, node: string, port: string) => t.routes.get(node)?.get(port) ?? [];

export interface RootAnalysis {
  /**
   * Failures that no error port or error route took: the lineage fails. A transient one (a sink threw) nacks it; when
   * all are deterministic it is dropped (acked, with `dropped`).
   */
  sticky: Array<{ node: string; key: string; transient: boolean }>;
  /** Handle calls not finished. */
  pending: number;
  /** Deliveries the engine made that the trace does not explain, or did not make though it should have. */
  problems: string[];
  /** Whether the source must be told ok (when nothing forced the settle). */
  expectOk: boolean;
}

/** Where a delivery's input came from: `ingest`, `ingest-failed`, an emit token, or `fail:<seq>`. */
function originKey(rec: DeliveryRecord, all: readonly DeliveryRecord[]): string {
  if (rec.marker !== undefined) {
    const f = all[rec.marker];
    if (f && f.root === rec.root && (f.hop === rec.hop || rec.hop.startsWith(`e:${f.seq}:`))) return `fail:${f.seq}`;
  }
  if (rec.hop === `i:${rec.root}`) return 'ingest';
  if (rec.hop === `if:${rec.root}`) return 'ingest-failed';
  if (rec.hop.startsWith('e:')) return rec.hop;
  return `unknown:${rec.hop}`;
}

/**
 * The expected fate of one ingested message, from what every node did with its derivatives. Error routing:
 * a failure at node X goes to X's wired error port, else to the flow's error route when X is not the route and
 * the message does not descend from an earlier trip to the error route, else it sticks (the lineage fails).
 */
export function analyseRoot(
  pushed: Pushed,
  all: readonly DeliveryRecord[],
  records: readonly DeliveryRecord[],
  t: Topology,
): RootAnalysis {
  const root = pushed.id;
  const problems: string[] = [];
  const sticky: RootAnalysis['sticky'] = [];
  const byKey = new Map<string, DeliveryRecord[]>();
  const emitInfo = new Map<string, { from: DeliveryRecord; port: string }>();
  for (const d of records) for (const e of d.emits) emitInfo.set(e.token, { from: d, port: e.port });
  const keyOf = new Map<DeliveryRecord, string>();
  for (const d of records) {
    const k = originKey(d, all);
    keyOf.set(d, k);
    byKey.set(k, [...(byKey.get(k) ?? []), d]);
  }
  const routedMemo = new Map<DeliveryRecord, boolean>();
  const routed = (d: DeliveryRecord): boolean => {
    const known = routedMemo.get(d);
    if (known !== undefined) return known;
    const k = keyOf.get(d)!;
    let r = false;
    if (k === 'ingest-failed') r = targetsOf(t, t.source, 'error').length === 0;
    else if (k.startsWith('fail:')) {
      const f = all[Number(k.slice(5))];
      r = targetsOf(t, f.node, 'error').length === 0 ? true : routed(f);
    } else if (k.startsWith('e:')) {
      const info = emitInfo.get(k);
      if (info)
        r =
          (info.port === 'error' || info.port === 'nope') && targetsOf(t, info.from.node, 'error').length === 0
            ? true
            : routed(info.from);
    }
    routedMemo.set(d, r);
    return r;
  };
  const expectAt = (key: string, nodes: string[], what: string, from?: string, copyFails = false) => {
    if (copyFails && nodes.length > 1) {
      // Only the last edge gets the message itself; the copies fail, and that fails the lineage.
      sticky.push({ node: from!, key: `copy:${key}`, transient: false });
      nodes = nodes.slice(-1);
    }
    const got = (byKey.get(key) ?? []).map((d) => d.node).sort();
    const want = [...nodes].sort();
    if (got.join(',') !== want.join(',')) {
      problems.push(`${what}: expected deliveries to [${want}] but the engine delivered to [${got}]`);
    }
    byKey.delete(key);
  };
  /** `transient`: the engine's kind for it (a sink's unmarked error, or its emit on an unwired error port). */
  const failure = (
    node: string,
    isRouted: boolean,
    key: string,
    what: string,
    copyFails: boolean,
    transient: boolean,
  ) => {
    // A transient failure is redelivered rather than routed, unless the flow routes those too.
    const routable = !transient || t.routeTransient;
    const port = routable ? targetsOf(t, node, 'error') : [];
    if (port.length) expectAt(key, port, `${what} (error port)`, node, copyFails);
    else if (routable && t.errorRoute && t.errorRoute !== node && !isRouted)
      expectAt(key, [t.errorRoute], `${what} (error route)`);
    else {
      sticky.push({ node, key, transient });
      expectAt(key, [], `${what} (sticks)`);
    }
  };

  const copyFails = pushed.uncloneable ?? false;
  if (!pushed.failed) expectAt('ingest', targetsOf(t, t.source, 'out'), `ingest of ${root}`, t.source, copyFails);
  else failure(t.source, false, 'ingest-failed', `unreadable ${root}`, copyFails, false);
  for (const d of records) {
    const where = `delivery #${d.seq} of ${d.msgId} at ${d.node}`;
    for (const e of d.emits) {
      const targets = targetsOf(t, d.node, e.port);
      if (e.late) expectAt(e.token, [], `${where}: late emit on ${e.port}`);
      else if (targets.length) expectAt(e.token, targets, `${where}: emit on ${e.port}`, d.node, e.uncloneable);
      else if (e.port === 'error')
        failure(d.node, routed(d), e.token, `${where}: emit on unwired error port`, e.uncloneable, t.sinks.has(d.node));
      // 'nope' is the one port no node type declares (the chaos 'undeclared' behaviour): a failure, never an ack.
      else if (e.port === 'nope')
        failure(d.node, routed(d), e.token, `${where}: emit on undeclared port`, e.uncloneable, false);
      else expectAt(e.token, [], `${where}: emit on unwired ${e.port}`);
    }
    if (d.state === 'threw' || d.state === 'rejected')
      failure(d.node, routed(d), `fail:${d.seq}`, `${where}: ${d.state}`, d.uncloneable, t.sinks.has(d.node));
  }
  for (const [key, list] of byKey) {
    problems.push(
      `unexplained deliveries (${key}): ${list.map((d) => `#${d.seq} ${d.msgId} at ${d.node}`).join('; ')}`,
    );
  }
  const pending = records.filter((d) => d.state === 'pending').length;
  return { sticky, pending, problems, expectOk: t.onErrorAck || sticky.every((s) => !s.transient) };
}

export interface CounterModel {
  in: number;
  out: number;
  failed: number;
  dropped: number;
  inFlight: number;
}

/** Per-node counters as the trace says they must be. */
export function expectedCounters(records: readonly DeliveryRecord[], t: Topology): Map<string, CounterModel> {
  const out = new Map<string, CounterModel>();
  for (const d of records) {
    const c = out.get(d.node) ?? { in: 0, out: 0, failed: 0, dropped: 0, inFlight: 0 };
    out.set(d.node, c);
    c.in++;
    const emitted = d.emits.filter((e) => !e.late).length;
    if (d.state === 'pending') c.inFlight++;
    else if (d.state === 'threw' || d.state === 'rejected') c.failed++;
    else if (t.terminal.has(d.node)) c.out++;
    else if (emitted === 0) c.dropped++;
    if (!t.terminal.has(d.node)) c.out += emitted;
  }
  return out;
}

// ---- random flows --------------------------------------------------------------------------------

export interface GenNode {
  id: string;
  type: string;
  config: Record<string, unknown>;
}

export interface GenFlow {
  format: string;
  settings: {
    errorRoute?: string;
    onError?: 'ack' | 'nack';
    transientFailures?: 'redeliver' | 'route';
    maxInFlight: number;
  };
  nodes: GenNode[];
  edges: Array<{ source: string; sourcePort: string; target: string; targetPort: string }>;
}

const TRANSFORMS = [
  'payload',
  '$merge([payload, {"t": 1}])',
  'payload.n % 5 = 0 ? $error("five") : payload',
  '{"n": payload.n, "fail": payload.fail}',
];
const FILTERS = ['payload.n % 3 != 0', 'true', '$exists(payload.n)', 'payload.n % 4 = 1 ? $error("four") : true'];
const RULES = [
  { port: 'a', condition: 'payload.n % 2 = 0' },
  { port: 'b', condition: 'payload.n % 3 = 0' },
  { port: 'c', condition: 'payload.n > 100' },
  { port: 'd', condition: 'payload.n % 7 = 2 ? $error("seven") : false' },
];
const FUNCTIONS: Array<Record<string, unknown>> = [
  { code: 'return msg;' },
  { code: 'if (msg.payload && msg.payload.n % 6 === 5) throw new Error("six"); return msg;' },
  { code: 'return { payload: msg.payload };' }, // drops every header
  { code: 'return [msg, (msg.payload && msg.payload.n % 2) ? [msg, { payload: 1 }] : null];', outputs: 2 },
  { code: 'return msg.payload && msg.payload.n % 4 === 0 ? null : msg;' },
];

export interface GenOptions {
  /** Chance that a chaos node or sink takes a while to stop (async stop). */
  slowStop?: number;
}

function intermediate(r: Rng, id: string, o: GenOptions): GenNode {
  const type = r.pick(['transform', 'filter', 'switch', 'json', 'function', 'chaos', 'chaos', 'chaos']);
  switch (type) {
    case 'transform':
      return { id, type, config: { expression: r.pick(TRANSFORMS) } };
    case 'filter':
      return { id, type, config: { condition: r.pick(FILTERS) } };
    case 'switch': {
      const rules = RULES.filter(() => r.chance(0.6));
      return { id, type, config: { rules: rules.length ? rules : [RULES[0]], mode: r.pick(['first', 'all']) } };
    }
    case 'json':
      return { id, type, config: { action: r.pick(['parse', 'serialize', 'toggle']) } };
    case 'function':
      return { id, type, config: r.pick(FUNCTIONS) };
    default: {
      const behaviours = CHAOS_BEHAVIOURS.filter(() => r.chance(0.35));
      return {
        id,
        type: 'chaos',
        config: {
          seed: r.int(1, 1e9),
          behaviours: behaviours.length ? behaviours : ['pass'],
          maxDelayMs: r.int(0, 5),
          stopDelayMs: r.chance(o.slowStop ?? 0) ? r.int(1, 20) : 0,
        },
      };
    }
  }
}

function sinkNode(r: Rng, id: string): GenNode {
  if (r.chance(0.15)) return { id, type: 'debug', config: {} };
  return {
    id,
    type: 'test-sink',
    config: {
      delayMs: r.int(0, 4),
      batchSize: r.int(1, 4),
      lingerMs: r.int(1, 3),
      failFlagged: r.chance(0.6),
      mutate: r.chance(0.3),
    },
  };
}

export const portsOf = (n: GenNode): string[] =>
  outputPorts(chaosCatalog.nodes.find((d) => d.type === n.type)!, n.config)
    .map((p) => p.name)
    .filter((p) => p !== 'error');

/**
 * A random acyclic flow: a chaos source `src`, 1..6 intermediates `n<i>`, 1..3 sinks `s<i>`; every edge goes
 * forward in the node list and every input is connected. Random fan-out, error ports, error route (sometimes a
 * dead-letter chain whose first node drops every header), onError policy and window size.
 */
export function generateFlow(seed: number, o: GenOptions = {}): GenFlow {
  const r = rng(seed);
  const nodes: GenNode[] = [{ id: 'src', type: 'chaos-source', config: {} }];
  const k = r.int(1, 6);
  for (let i = 0; i < k; i++) nodes.push(intermediate(r, `n${i}`, o));
  const m = r.int(1, 3);
  for (let i = 0; i < m; i++) nodes.push(sinkNode(r, `s${i}`));
  const deadLetter = r.chance(0.25);
  const edges: GenFlow['edges'] = [];
  const seen = new Set<string>();
  const edge = (source: string, sourcePort: string, target: string) => {
    const key = `${source}:${sourcePort}>${target}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ source, sourcePort, target, targetPort: 'in' });
  };
  for (let i = 1; i < nodes.length; i++) {
    const from = nodes[r.int(0, Math.min(i - 1, k))];
    edge(from.id, r.pick(portsOf(from)), nodes[i].id);
  }
  for (let i = 0; i <= k; i++) {
    for (const port of portsOf(nodes[i])) {
      if (r.chance(0.35)) edge(nodes[i].id, port, nodes[r.int(i + 1, nodes.length - 1)].id);
    }
    if (r.chance(0.3)) edge(nodes[i].id, 'error', nodes[r.int(i + 1, nodes.length - 1)].id);
  }
  for (let i = k + 1; i < nodes.length - 1; i++) if (r.chance(0.15)) edge(nodes[i].id, 'error', nodes[i + 1].id);
  const settings: GenFlow['settings'] = { maxInFlight: r.pick([1, 2, 5, 16, 64, 1000]) };
  if (deadLetter) {
    nodes.push({ id: 'dl', type: 'function', config: { code: 'return { payload: msg.payload };' } });
    nodes.push(sinkNode(r, 'dls'));
    edge('dl', 'out', 'dls');
    settings.errorRoute = 'dl';
  } else if (r.chance(0.5)) settings.errorRoute = r.pick(nodes.slice(1)).id;
  const onError = r.pick([undefined, 'nack', 'ack'] as const);
  if (onError) settings.onError = onError;
  if (r.chance(0.5)) settings.transientFailures = 'route';
  return { format: 'sluice/flow@1', settings, nodes, edges };
}

export function describeFlow(f: GenFlow): string {
  const nodes = f.nodes.map((n) => `${n.id}=${n.type}${n.type === 'chaos' ? `${JSON.stringify(n.config)}` : ''}`);
  const edges = f.edges.map((e) => `${e.source}:${e.sourcePort}->${e.target}`);
  return `settings ${JSON.stringify(f.settings)}\n  nodes ${nodes.join(' ')}\n  edges ${edges.join(' ')}`;
}

export function topologyOfFlow(flow: GenFlow): Topology {
  const terminal = new Set(
    flow.nodes.filter((n) => n.type !== 'chaos-source' && portsOf(n).length === 0).map((n) => n.id),
  );
  return topologyOf({ ...flow, terminal });
}

/** A random payload for message `i`: mostly objects, some JSON text, some text that is not JSON. */
export function randomPayload(r: Rng, i: number): unknown {
  const roll = r.next();
  if (roll < 0.02) return new Uncloneable();
  if (roll < 0.05) return `{"n": ${i}}`;
  if (roll < 0.1) return `oops ${i}`;
  return { n: i, fail: r.chance(0.08) };
}

// ---- verification --------------------------------------------------------------------------------

export interface Pushed {
  id: string;
  /** Ingested as unreadable (ingestFailed). */
  failed: boolean;
  /** The payload cannot be copied. */
  uncloneable?: boolean;
}

export interface SettleSnapshot {
  /** Handle calls of the message not finished when it settled. */
  pending: number;
  /** Handle calls of the message so far when it settled. */
  deliveries: number;
}

/** Records, at each settle, how much of the message's trace was finished (install before pushing). */
export function snapshotSettles(source: ChaosSourceHandle, recorder: Recorder): Map<string, SettleSnapshot> {
  const snaps = new Map<string, SettleSnapshot>();
  source.onSettle = (id) => {
    snaps.set(id, { pending: recorder.pendingOf(id), deliveries: recorder.byRoot.get(id)?.length ?? 0 });
  };
  return snaps;
}

export interface IdleCheck {
  counters: Record<
    string,
    { in: number; out: number; failed: number; dropped: number; inFlight: number; acked?: number; nacked?: number }
  >;
  flow: GenFlow;
  recorder: Recorder;
  source: ChaosSourceHandle;
  pushed: readonly Pushed[];
  snapshots: Map<string, SettleSnapshot>;
  /** Only records of this generation count for node counters. */
  gen?: number;
}

/**
 * Every property of a flow at idle (nothing forced): each message settled once, as its trace says, only after
 * its trace finished and with nothing after; node counters equal the trace's; the source reconciles.
 */
export function verifyIdle(c: IdleCheck): string[] {
  const v: string[] = [];
  const topo = topologyOfFlow(c.flow);
  let okCount = 0;
  for (const p of c.pushed) {
    const got = c.source.outcomes.get(p.id) ?? [];
    if (got.length !== 1) {
      v.push(`${p.id} settled ${got.length} times: ${JSON.stringify(got)}`);
      continue;
    }
    const [o] = got;
    if (o.ok) okCount++;
    const recs = c.recorder.byRoot.get(p.id) ?? [];
    const a = analyseRoot(p, c.recorder.deliveries, recs, topo);
    for (const problem of a.problems) v.push(`${p.id}: ${problem}`);
    if (o.ok !== a.expectOk) {
      v.push(
        `${p.id}: settled ${JSON.stringify(o)} but the trace says ${a.expectOk ? 'ok' : 'failed'} (sticky: ${a.sticky.map((s) => s.node)})`,
      );
    }
    if (!o.ok && a.sticky.length && !a.sticky.some((s) => namesNode(o.reason, s.node))) {
      v.push(`${p.id}: nack reason ${JSON.stringify(o.reason)} names none of ${a.sticky.map((s) => s.node)}`);
    }
    const dropped = o.ok ? o.dropped : undefined;
    if (o.ok && (dropped !== undefined) !== a.sticky.length > 0) {
      v.push(`${p.id}: acked with dropped ${JSON.stringify(dropped)} but ${a.sticky.length} failures stuck`);
    }
    if (dropped !== undefined && !a.sticky.some((s) => namesNode(dropped, s.node))) {
      v.push(`${p.id}: dropped ${JSON.stringify(dropped)} names none of ${a.sticky.map((s) => s.node)}`);
    }
    const snap = c.snapshots.get(p.id);
    if (snap && snap.pending !== 0) v.push(`${p.id}: settled while ${snap.pending} deliveries were unfinished`);
    if (snap && snap.deliveries !== recs.length) {
      v.push(`${p.id}: ${recs.length - snap.deliveries} deliveries happened after it settled`);
    }
  }
  const gen = c.gen ?? 0;
  const model = expectedCounters(
    c.recorder.deliveries.filter((d) => d.gen === gen),
    topo,
  );
  for (const n of c.flow.nodes) {
    if (n.type === 'chaos-source') continue;
    const want = model.get(n.id) ?? { in: 0, out: 0, failed: 0, dropped: 0, inFlight: 0 };
    const k = c.counters[n.id];
    const got = { in: k.in, out: k.out, failed: k.failed, dropped: k.dropped, inFlight: k.inFlight };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      v.push(`counters of ${n.id}: engine ${JSON.stringify(got)}, trace ${JSON.stringify(want)}`);
    }
    // The reconcile rule where it applies: nodes that emit at most one message per input.
    if (['transform', 'filter', 'json'].includes(n.type) && k.in !== k.out + k.dropped + k.failed + k.inFlight) {
      v.push(`counters of ${n.id} do not reconcile: ${JSON.stringify(got)}`);
    }
  }
  const s = c.counters.src;
  const ingestedOk = c.pushed.filter((p) => !p.failed).length;
  if (s.out !== ingestedOk || s.failed !== c.pushed.length - ingestedOk) {
    v.push(`source counted out ${s.out} failed ${s.failed}, pushed ${ingestedOk} + ${c.pushed.length - ingestedOk}`);
  }
  if ((s.acked ?? 0) + (s.nacked ?? 0) !== s.out + s.failed) {
    v.push(`source: acked ${s.acked} + nacked ${s.nacked} != out ${s.out} + failed ${s.failed}`);
  }
  if (s.acked !== okCount) v.push(`source acked ${s.acked}, ok outcomes ${okCount}`);
  if (s.inFlight !== 0) v.push(`source window inFlight ${s.inFlight} at idle`);
  if (c.source.ingestErrors.length) v.push(`ingest threw: ${c.source.ingestErrors.map(String)}`);
  return v;
}
