/**
 * The engine: runs one validated flow. Routes messages between node runtimes, tracks every ingested
 * message's lineage so its source settles exactly once, bounds in-flight messages per source, routes
 * failures (error port, then error route, then the flow's policy) and keeps per-node counters and status.
 */
import { EventEmitter } from 'node:events';
import { DEFAULT_SETTINGS, type FlowDocument } from '../flow/document.js';
import { topologicalOrder } from '../flow/graph.js';
import { hasErrors } from '../flow/problem.js';
import { expandSubflows } from '../flow/subflow.js';
import { createFlowValidator } from '../flow/validate.js';
import { finishedWithin } from '../kit/bounded.js';
import { isSettleable } from '../kit/completion.js';
import { enterMeter } from '../kit/meter.js';
import { nodeProblem } from '../kit/problem-text.js';
import { reasonOf } from '../kit/reason.js';
import { type FailureKind, failureKindOf } from '../spec/failure.js';
import { cloneMessage, ERROR_HEADER, ERROR_NODE_HEADER, ERROR_ROUTED_HEADER, type Message } from '../spec/message.js';
import { type Catalog, ERROR_PORT, findNodeType } from '../spec/node-definition.js';
import type { Held, NodeStatus, Outcome, Settle } from '../spec/runtime-contract.js';
import { ConnectionPool } from './connections.js';
import type { NodeCounters } from './counters.js';
import { Delivery, type DeliveryPath, type TraceEvent, traceCopy } from './delivery.js';
import { StartupError } from './errors.js';
import { derivedLineage, derivedWindow } from './held.js';
import { Lineage, LiveLineages } from './lineage.js';
import { loadConnectionRuntime, loadNodeRuntime } from './loader.js';
import { type SluiceLogger, silentLogger } from './log.js';
import { applyDefaults, processEnv, type ResolveEnv, resolveReferences } from './resolve-config.js';
import { countersOf, type LastFailure, RunningNode, type Tap, type Target } from './running-node.js';

export type { LastFailure } from './running-node.js';

export interface EngineOptions {
  catalog: Catalog;
  log?: SluiceLogger;
  /** Where `${env:}` and `${file:}` references come from (default: the process). */
  resolve?: ResolveEnv;
  loadRuntime?: typeof loadNodeRuntime;
  loadConnection?: typeof loadConnectionRuntime;
  /** Emit a `trace` event for every message a node emits (the editor's try-it mode). Off on the hot path. */
  trace?: boolean;
  /** The flow id its log lines carry (default: the document's id, else its name). */
  flowId?: string;
}

/** Told of what counters cannot say (the ops metrics); optional, and off the hot path when unset. */
export interface EngineObserver {
  /** A source's message settled `seconds` after its ingest: acknowledged (`ok`) or not. */
  settled(sourceId: string, seconds: number, ok: boolean): void;
  /** A node (a sink) wrote a batch of `size` messages. */
  batch(nodeId: string, size: number): void;
}

export type { TraceEvent };

export interface StatusEvent extends NodeStatus {
  nodeId: string;
}

export interface NodeEvent {
  nodeId: string;
  event: string;
  data: unknown;
}

/** Where a failed message went (what the editor's debug panel says beside the reason). */
export type FailureFate = 'error-port' | 'error-route' | 'redelivered' | 'acknowledged' | 'dropped';

/** `failure` events: a message failed at a node (emitted only while someone listens: the editors' live feed). */
export interface FailureEvent {
  nodeId: string;
  reason: string;
  kind: FailureKind;
  fate: FailureFate;
  message: Message;
}

/** `tap` events: a sampled copy of a message on a watched output (the editor's "watch this wire"). */
export interface TapEvent {
  nodeId: string;
  port: string;
  message: Message;
}

/** How often watched outputs get their tokens back. */
const TAP_REFILL_MS = 100;

export interface StopReport {
  /** Lineages still open at the deadline, nacked so their sources redeliver. */
  nackedAtDeadline: number;
  durationMs: number;
  /** Nodes (`node <id>`) and connections (`connection <id>`) that did not stop within settings.stopTimeoutMs. */
  notStopped: string[];
}

type EngineState = 'stopped' | 'starting' | 'running' | 'stopping';

/** Every successful settle gets the same (frozen) outcome: one object less per message. */
const DELIVERED: Outcome = Object.freeze({ ok: true });

export class Engine extends EventEmitter {
  /** Bound to the running flow's id once it starts (every engine and node log line carries `flow`). */
  log: SluiceLogger;
  readonly tracing: boolean;
  /** Settle latencies and batch sizes go here when set (the ops metrics). */
  observer: EngineObserver | undefined;
  private state: EngineState = 'stopped';
  private nodes = new Map<string, RunningNode>();
  private order: string[] = [];
  private live = new LiveLineages();
  /** Set once stop() has drained: from then on nothing would settle a new lineage, so ingest refuses. */
  private intakeClosed = false;
  /** Settles when a start() in progress has finished (started, or failed and unwound). */
  private startup: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  private errorRoute: RunningNode | undefined;
  /** onError "ack": a transient failure no route took is acknowledged too (at most once), not redelivered. */
  private onErrorAck = false;
  /** Error ports and the error route take transient failures too (transientFailures "route", or onError "ack"). */
  private routeTransient = false;
  private connections: ConnectionPool | undefined;
  private current: FlowDocument | undefined;
  /** What each Delivery reports to: the message path, not the engine's public methods. */
  private readonly path: DeliveryPath;
  /** True while some output is watched (the message path's only cost otherwise is this check). */
  private tapping = false;
  private tapTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EngineOptions) {
    super();
    this.log = options.log ?? silentLogger();
    this.tracing = options.trace ?? false;
    this.path = {
      trace: this.tracing ? (event) => this.emit('trace', event) : undefined,
      dispatch: (from, port, msg, lin, routed) => this.dispatch(from, port, msg, lin, routed),
      completed: (d) => this.completed(d),
      failed: (d, err) => this.failed(d, err),
    };
  }

  get flow(): FlowDocument | undefined {
    return this.current;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Validate, resolve and start a flow. Throws StartupError (with problems) when it cannot start. */
  async start(input: unknown): Promise<void> {
    if (this.state !== 'stopped') throw new Error(`engine is ${this.state}; stop it first or use deploy()`);
    const flow = this.validate(input);
    this.state = 'starting';
    let started!: () => void;
    this.startup = new Promise<void>((resolve) => {
      started = resolve;
    });
    try {
      await this.instantiate(flow);
      // Downstream first, so every sink is ready before a source produces.
      for (const id of [...this.order].reverse()) await this.startNode(this.nodes.get(id)!);
      this.state = 'running';
      this.log.info({ nodes: this.nodes.size }, 'flow started'); // the logger carries the flow id
    } catch (err) {
      this.state = 'running'; // let stop() unwind what did start
      await this.stop({ deadlineMs: 0 }).catch(() => undefined);
      throw err instanceof StartupError ? err : new StartupError(reasonOf(err));
    } finally {
      started();
    }
  }

  /** Replace the running flow: the new one is validated first; the old one drains before the new one starts. */
  async deploy(input: unknown, options: { deadlineMs?: number } = {}): Promise<void> {
    this.validate(input);
    if (this.state === 'running') await this.stop(options);
    await this.start(input);
  }

  /** Stop intake, drain in-flight messages until the deadline, nack the rest, then stop nodes (sinks last). */
  async stop(options: { deadlineMs?: number } = {}): Promise<StopReport> {
    const started = Date.now();
    // A stop during start-up waits for the nodes to be up (or unwound), then stops them.
    if (this.state === 'starting') await this.startup;
    if (this.state === 'stopped' || this.state === 'stopping')
      return { nackedAtDeadline: 0, durationMs: 0, notStopped: [] };
    this.state = 'stopping';
    const deadlineMs = options.deadlineMs ?? this.current?.settings?.drainTimeoutMs ?? DEFAULT_SETTINGS.drainTimeoutMs;
    const stopMs = this.current?.settings?.stopTimeoutMs ?? DEFAULT_SETTINGS.stopTimeoutMs;
    const sources = this.order.map((id) => this.nodes.get(id)!).filter((n) => n.window);
    await Promise.all(sources.map((n) => this.call(n, 'stopIntake', stopMs)));
    // Then stateful nodes (window, join), upstream first: they flush or give back what they hold (see held.ts), so
    // the drain does not wait for windows that no new input will close.
    for (const id of this.order) {
      const n = this.nodes.get(id)!;
      if (!n.window && n.runtime.stopIntake) await this.call(n, 'stopIntake', stopMs);
    }
    await this.whenIdle(deadlineMs);
    this.intakeClosed = true;
    const leftovers = this.live.toArray();
    for (const lin of leftovers) {
      lin.failure ??= 'flow stopped before the message was delivered';
      this.finish(lin, true);
    }
    this.clearTaps(); // a stopped flow is watched no more (its timer must not keep running)
    const notStopped: string[] = [];
    for (const id of this.order) {
      const n = this.nodes.get(id)!;
      n.abort.abort();
      if (await this.call(n, 'stop', stopMs)) this.setStatus(n, { state: 'stopped' });
      else {
        notStopped.push(`node ${id}`);
        this.setStatus(n, { state: 'stopped', reason: `did not finish stopping within ${stopMs} ms` });
      }
    }
    const late = (await this.connections?.closeAll(stopMs)) ?? [];
    notStopped.push(...late.map((id) => `connection ${id}`));
    this.connections = undefined;
    this.state = 'stopped';
    this.log.info({ nackedAtDeadline: leftovers.length, notStopped }, 'flow stopped');
    return { nackedAtDeadline: leftovers.length, durationMs: Date.now() - started, notStopped };
  }

  /** Resolves when nothing is in flight (or after `timeoutMs`). */
  whenIdle(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
          resolve();
        }, timeoutMs);
      }
    });
  }

  counters(): Record<string, NodeCounters> {
    const out: Record<string, NodeCounters> = {};
    for (const [id, n] of this.nodes) out[id] = countersOf(n);
    return out;
  }

  /** One node's counters (cheaper than all of them, for frequent polling); undefined for an unknown node. */
  nodeCounters(nodeId: string): NodeCounters | undefined {
    const n = this.nodes.get(nodeId);
    return n && countersOf(n);
  }

  statuses(): Record<string, NodeStatus> {
    const out: Record<string, NodeStatus> = {};
    for (const [id, n] of this.nodes) out[id] = { ...n.status };
    return out;
  }

  /**
   * A message pushed by hand into a running flow at source `nodeId` (the editor's inject button), as if the source
   * had received it: counted, bounded and routed like the source's own. Resolves with how it ended. Throws for an
   * unknown node, a node that is not a source, or a flow that is not running.
   */
  inject(nodeId: string, msg: Message): Promise<Outcome> {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`node "${nodeId}" is not in the running flow`);
    if (!node.window) throw new Error(`node "${nodeId}" (${node.def.type}) is not a source: inject into a source node`);
    if (this.state !== 'running') throw new Error(`the flow is ${this.state}: deploy it first`);
    return new Promise<Outcome>((resolve) => {
      this.ingest(node, msg, resolve, undefined);
    });
  }

  /**
   * Press the button of source `nodeId` (the inject node's): it sends its configured message, counted, bounded and
   * routed like its own. Resolves with how it ended. Throws for an unknown node, a node without a button, or a flow
   * that is not running.
   */
  trigger(nodeId: string): Promise<Outcome> {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`node "${nodeId}" is not in the running flow`);
    if (!node.runtime.trigger) {
      throw new Error(`node "${nodeId}" (${node.def.type}) has no button; inject a payload into it instead`);
    }
    if (this.state !== 'running') throw new Error(`the flow is ${this.state}: deploy it first`);
    return node.runtime.trigger();
  }

  /**
   * Switch node `nodeId` on or off in the running flow (the debug node's button). Throws for an unknown node or one
   * that cannot be switched.
   */
  setActive(nodeId: string, active: boolean): void {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`node "${nodeId}" is not in the running flow`);
    if (!node.runtime.setActive) throw new Error(`node "${nodeId}" (${node.def.type}) cannot be switched on or off`);
    if (this.state !== 'running') throw new Error(`the flow is ${this.state}: deploy it first`);
    node.runtime.setActive(active);
  }

  /**
   * Watch these outputs (replacing the set): a copy of at most `rate` messages per second per output goes out as a
   * `tap` event; the rest are counted, not copied. An empty list stops watching.
   */
  setTaps(taps: Array<{ nodeId: string; port: string }>, rate = 20): Array<{ nodeId: string; port: string }> {
    for (const t of taps) {
      const node = this.nodes.get(t.nodeId);
      if (!node) throw new Error(`node "${t.nodeId}" is not in the running flow`);
      if (t.port !== ERROR_PORT && !node.outputs.has(t.port)) {
        throw new Error(`node "${t.nodeId}" (${node.def.type}) has no output "${t.port}"`);
      }
    }
    this.clearTaps();
    for (const t of taps) {
      const node = this.nodes.get(t.nodeId)!;
      node.taps ??= new Map();
      node.taps.set(t.port, { tokens: rate, rate, skipped: 0 });
    }
    if (taps.length > 0) {
      this.tapping = true;
      const share = TAP_REFILL_MS / 1000;
      this.tapTimer = setInterval(() => {
        for (const n of this.nodes.values()) {
          if (!n.taps) continue;
          for (const tap of n.taps.values()) tap.tokens = Math.min(tap.rate, tap.tokens + tap.rate * share);
        }
      }, TAP_REFILL_MS);
      this.tapTimer.unref();
    }
    return taps.map(({ nodeId, port }) => ({ nodeId, port }));
  }

  /** The outputs being watched. */
  tapped(): Array<{ nodeId: string; port: string }> {
    const out: Array<{ nodeId: string; port: string }> = [];
    for (const n of this.nodes.values()) for (const port of n.taps?.keys() ?? []) out.push({ nodeId: n.id, port });
    return out;
  }

  private clearTaps(): void {
    clearInterval(this.tapTimer);
    this.tapTimer = undefined;
    this.tapping = false;
    for (const n of this.nodes.values()) n.taps = undefined;
  }

  /** Each node's most recent failure, for nodes that failed since the flow started. */
  lastFailures(): Record<string, LastFailure> {
    const out: Record<string, LastFailure> = {};
    for (const [id, n] of this.nodes) if (n.lastFailure) out[id] = { ...n.lastFailure };
    return out;
  }

  /** A node's own state for the editor (see NodeRuntime.snapshot). */
  snapshot(nodeId: string): unknown {
    return this.nodes.get(nodeId)?.runtime.snapshot?.();
  }

  inFlight(): number {
    return this.live.size;
  }

  // ---- start-up -------------------------------------------------------------------------------

  private validate(input: unknown): FlowDocument {
    const { problems, flow } = createFlowValidator(this.options.catalog).validate(input);
    if (!flow || hasErrors(problems)) throw StartupError.fromProblems(problems);
    return expandSubflows(flow).flow;
  }

  private async instantiate(flow: FlowDocument): Promise<void> {
    const resolve = this.options.resolve ?? processEnv;
    this.current = flow;
    const flowId = this.options.flowId ?? flow.id ?? flow.name;
    const base = this.options.log ?? silentLogger();
    this.log = flowId === undefined ? base : base.child({ flow: flowId });
    this.nodes = new Map();
    // Cleared with the nodes: a start that fails before the order is computed must not unwind the previous flow's.
    this.order = [];
    this.live = new LiveLineages();
    this.intakeClosed = false;
    const settings = { ...DEFAULT_SETTINGS, ...flow.settings };
    this.onErrorAck = settings.onError === 'ack';
    this.routeTransient = this.onErrorAck || settings.transientFailures === 'route';
    this.connections = new ConnectionPool(
      flow,
      this.options.catalog,
      resolve,
      this.log,
      this.options.loadConnection ?? loadConnectionRuntime,
    );
    for (const spec of flow.nodes) {
      const def = findNodeType(this.options.catalog, spec.type)!;
      const where = `node "${spec.id}" (${spec.type})`;
      const config = resolveReferences(applyDefaults(def.config, spec.config), where, resolve);
      const node = new RunningNode(spec, def, config);
      if (def.inputs.length === 0) {
        node.window = {
          source: spec.id,
          max: settings.maxInFlight,
          inFlight: 0,
          ingested: 0,
          acked: 0,
          nacked: 0,
          waiters: [],
        };
      }
      node.meter = {
        batch: (size) => this.observer?.batch(node.id, size),
        retry: () => {
          node.counters.retries = (node.counters.retries ?? 0) + 1;
        },
      };
      this.nodes.set(spec.id, node);
    }
    for (const e of flow.edges ?? []) {
      const src = this.nodes.get(e.source)!;
      const list = src.routes.get(e.sourcePort) ?? [];
      list.push({ node: this.nodes.get(e.target)!, port: e.targetPort });
      src.routes.set(e.sourcePort, list);
    }
    this.errorRoute = flow.settings?.errorRoute ? this.nodes.get(flow.settings.errorRoute) : undefined;
    this.order = topologicalOrder(flow);
    const load = this.options.loadRuntime ?? loadNodeRuntime;
    for (const id of this.order) {
      const node = this.nodes.get(id)!;
      const create = await load(node.def.type);
      const previous = enterMeter(node.meter);
      let created: ReturnType<typeof create>;
      try {
        created = create(this.contextFor(node));
      } finally {
        enterMeter(previous);
      }
      node.runtime = await created;
    }
  }

  private contextFor(node: RunningNode) {
    const log = this.log.child({ node: node.id, type: node.def.type });
    node.log = log;
    return {
      nodeId: node.id,
      flowId: this.current?.id ?? this.current?.name,
      name: node.spec.name ?? node.id,
      config: node.config,
      maxInFlight: node.window?.max,
      log,
      signal: node.abort.signal,
      status: (s: NodeStatus) => this.setStatus(node, s),
      publish: (event: string, data: unknown) =>
        this.emit('event', { nodeId: node.id, event, data } satisfies NodeEvent),
      ingest: (msg: Message, settle?: Settle) => this.ingest(node, msg, settle, undefined),
      ingestFailed: (msg: Message, reason: string, settle?: Settle) => this.ingest(node, msg, settle, reason),
      emitDerived: (port: string, msg: Message, from: readonly Held[]) => this.emitDerived(node, port, msg, from),
      connection: <T>(id: string) => {
        if (!this.connections) throw new Error('the flow is not running');
        return this.connections.acquire<T>(id, node.id);
      },
      connectionConfig: <T>(id: string) => {
        if (!this.connections) throw new Error('the flow is not running');
        return this.connections.config(id).config as T;
      },
    };
  }

  private async startNode(node: RunningNode): Promise<void> {
    try {
      const previous = enterMeter(node.meter);
      let started: void | Promise<void> | undefined;
      try {
        started = node.runtime.start?.();
      } finally {
        enterMeter(previous);
      }
      await started;
    } catch (err) {
      const problem = nodeProblem(
        node.def.type,
        node.id,
        `failed to start: ${reasonOf(err)}`,
        "check the node's settings and that the service it uses is reachable",
      );
      this.setStatus(node, { state: 'error', reason: problem });
      throw new StartupError(problem);
    }
    // A node that said why it is idle (a debug node switched off) stays so; the others are running once started.
    if (node.status.state === 'idle' && node.status.reason === undefined) this.setStatus(node, { state: 'running' });
  }

  /** Calls a node's stopIntake/stop, waiting at most `timeoutMs`; false when it had not finished by then. */
  private async call(node: RunningNode, method: 'stopIntake' | 'stop', timeoutMs: number): Promise<boolean> {
    const work = (async () => {
      try {
        await node.runtime[method]?.();
      } catch (err) {
        node.log.warn({ err: reasonOf(err) }, `${method} failed`);
      }
    })();
    if (await finishedWithin(work, timeoutMs)) return true;
    node.log.warn({ timeoutMs }, `${method} did not finish in time: going on without it`);
    return false;
  }

  private setStatus(node: RunningNode, status: NodeStatus): void {
    const prev = node.status;
    if (prev.state === status.state && prev.reason === status.reason) return;
    node.status = { ...status };
    this.emit('status', { nodeId: node.id, ...status } satisfies StatusEvent);
  }

  // ---- the message path -----------------------------------------------------------------------

  private ingest(node: RunningNode, msg: Message, settle: Settle | undefined, failure: string | undefined) {
    const window = node.window;
    if (!window) throw new Error(`node "${node.id}" is not a source: it cannot ingest`);
    // Sources start last, while the engine is still `starting`: everything downstream is already up.
    // Refused: a stopped flow, a stopping one past its drain, a source of a flow that a redeploy replaced.
    if (this.state === 'stopped' || this.intakeClosed || this.nodes.get(node.id) !== node) {
      node.log.warn('a source ingested after the flow stopped: refused (not acknowledged)');
      this.callSettle(settle, { ok: false, reason: 'the flow is not running' });
      return undefined;
    }
    window.ingested++;
    window.inFlight++;
    const lin = new Lineage(window, settle);
    if (this.observer) lin.at = performance.now();
    this.live.add(lin);
    if (failure === undefined) {
      node.counters.out++;
      this.dispatch(node, node.firstOutput, msg, lin);
    } else {
      node.counters.failed++;
      // Bytes that do not decode never will: deterministic.
      this.routeFailure(node, msg, lin, failure, false, 'deterministic');
    }
    this.release(lin);
    if (window.inFlight >= window.max) return new Promise<void>((resolve) => window.waiters.push(resolve));
    return undefined;
  }

  /** A message derived from held inputs (window, join): its own lineage, whose outcome the inputs take (held.ts). */
  private emitDerived(node: RunningNode, port: string, msg: Message, from: readonly Held[]): void {
    if (this.state === 'stopped' || this.intakeClosed || this.nodes.get(node.id) !== node) {
      node.log.warn({ port }, 'a message derived after the flow stopped: not emitted, its inputs are not acknowledged');
      for (const h of from) h.release({ ok: false, reason: 'the flow stopped before the message was delivered' });
      return;
    }
    node.derived ??= derivedWindow(node.id);
    const lin = derivedLineage(node.derived, from);
    this.live.add(lin);
    node.counters.out++;
    if (this.tracing) this.emit('trace', { nodeId: node.id, port, message: traceCopy(msg) } satisfies TraceEvent);
    this.dispatch(
      node,
      port,
      msg,
      lin,
      from.some((h) => h.routed),
    );
    this.release(lin);
  }

  /** Send `msg` on `port` of `from`: one delivery per edge, each branch with its own copy. */
  private dispatch(from: RunningNode, port: string, msg: Message, lin: Lineage, routed = false): void {
    if (this.tapping) {
      const tap = from.taps?.get(port);
      if (tap) this.sampleTap(tap, from, port, msg);
    }
    const targets = from.routes.get(port);
    if (port === ERROR_PORT && !targets) {
      // An explicit emit on an unwired error port is a failure like a throw.
      const reason = msg.headers[ERROR_HEADER] ?? 'emitted on the error port';
      this.routeFailure(from, msg, lin, reason, routed, from.failureKind);
      return;
    }
    if (!targets) {
      // A declared but unwired output: the message ends here on purpose. An undeclared one is a bug (a typo in a
      // port name) and must not be acknowledged as if delivered.
      if (!from.outputs.has(port)) {
        const declared = [...from.outputs].join(', ') || 'none';
        this.routeFailure(
          from,
          msg,
          lin,
          `emitted on port "${port}", which ${from.def.type} does not declare (outputs: ${declared})`,
          routed,
          'deterministic', // the flow or the node's code is wrong: the same message goes the same way again
        );
      }
      return;
    }
    const last = targets.length - 1;
    for (let i = 0; i <= last; i++) {
      let copy = msg;
      if (i < last) {
        try {
          copy = cloneMessage(msg);
        } catch (err) {
          // A payload structuredClone refuses: this branch cannot get its copy, so the lineage fails (not hangs).
          lin.failure ??= `node "${from.id}": the message cannot be copied for port "${port}": ${reasonOf(err)}`;
          continue;
        }
      }
      lin.pending++;
      this.deliver(targets[i], copy, lin, routed);
    }
  }

  private deliver(target: Target, msg: Message, lin: Lineage, routed: boolean): void {
    const node = target.node;
    const handle = node.runtime.handle;
    node.counters.in++;
    node.counters.inFlight++;
    if (!handle) {
      this.fail(node, msg, lin, new Error(`node type ${node.def.type} takes no input`), routed);
      return;
    }
    const delivery = new Delivery(this.path, node, lin, routed, msg);
    let result: void | PromiseLike<void>;
    const previous = enterMeter(node.meter);
    try {
      result = handle.call(node.runtime, msg, delivery, target.port);
    } catch (err) {
      enterMeter(previous);
      delivery.rejected(err); // what it emitted before throwing still goes on, as it always did
      return;
    }
    enterMeter(previous);
    if (result !== undefined && isSettleable(result)) {
      // No callbacks to allocate: the delivery itself is told (once: it ignores a second call, as below).
      result.settleInto(delivery);
    } else if (result !== undefined && typeof result.then === 'function') {
      // Once only, whatever the thenable does: a second callback would release the lineage twice (an early ack).
      result.then(
        () => delivery.resolved(),
        (err: unknown) => delivery.rejected(err),
      );
    } else {
      delivery.resolved(); // returned nothing to wait for: done now
    }
  }

  /** For Delivery: its handle failed with `err`. */
  private failed(d: Delivery, err: unknown): void {
    this.fail(d.node, d.msg, d.lineage, err, d.routed);
  }

  /** A delivery's handle finished: count it and release its lineage (called by Delivery too). */
  private completed(d: Delivery): void {
    d.done = true;
    const c = d.node.counters;
    c.inFlight--;
    if (d.node.terminal) c.out++;
    else if (d.emitted === 0 && !d.held) c.dropped++;
    this.release(d.lineage);
  }

  private fail(node: RunningNode, msg: Message, lin: Lineage, err: unknown, routed: boolean): void {
    node.counters.inFlight--;
    node.counters.failed++;
    const reason = reasonOf(err);
    const kind = failureKindOf(err) ?? node.failureKind;
    // Try-it mode shows where a message failed and why (the same headers routeFailure sets).
    if (this.tracing) {
      const headers = { ...msg.headers, [ERROR_HEADER]: reason, [ERROR_NODE_HEADER]: node.id };
      this.emit('trace', {
        nodeId: node.id,
        port: ERROR_PORT,
        message: { ...traceCopy(msg), headers },
      } satisfies TraceEvent);
    }
    // A late failure of a message nacked by stop() goes nowhere (not into a stopped node, nor a new flow's route).
    if (!lin.settled) this.routeFailure(node, msg, lin, reason, routed, kind);
    else this.logFailure(node, reason, kind, 'after the flow nacked the message at stop: ignored');
    this.release(lin);
  }

  /**
   * Error port if wired, else the flow's error route, else the lineage fails: a transient failure nacks it (the source
   * redelivers), a deterministic one drops it (acknowledged: redelivery would fail the same way, forever). Every
   * failure is logged at warn with what became of it.
   */
  private routeFailure(
    node: RunningNode,
    msg: Message,
    lin: Lineage,
    reason: string,
    routed: boolean,
    kind: FailureKind,
  ): void {
    node.lastFailure = { reason, time: Date.now() };
    const failed: Message = {
      ...msg,
      headers: { ...msg.headers, [ERROR_HEADER]: reason, [ERROR_NODE_HEADER]: node.id },
    };
    // Redelivery can fix a transient failure: routes take it only when the flow says so, or when nothing redelivers.
    const routable = kind === 'deterministic' || this.routeTransient;
    if (routable && node.routes.get(ERROR_PORT)?.length) {
      this.logFailure(node, reason, kind, 'message failed: sent to the error port');
      this.announceFailure(node, msg, reason, kind, 'error-port');
      this.dispatch(node, ERROR_PORT, failed, lin, routed);
      return;
    }
    const route = this.errorRoute;
    // Once a message has been to the error route, a second failure ends its lineage: no loops. The engine tracks
    // that itself (`routed`), not by the header: a node that builds new headers (a function node) drops it, and a
    // dead letter of another flow (kafka-out copies headers, kafka-in maps them back) arrives with it.
    if (routable && route && route !== node && route.firstInput && !routed) {
      failed.headers[ERROR_ROUTED_HEADER] = '1';
      this.logFailure(node, reason, kind, `message failed: sent to the error route (node "${route.id}")`);
      this.announceFailure(node, msg, reason, kind, 'error-route');
      lin.pending++;
      this.deliver({ node: route, port: route.firstInput }, failed, lin, true);
      return;
    }
    lin.failure ??= `node "${node.id}": ${reason}`;
    if (kind === 'transient') {
      lin.retry = true;
      this.announceFailure(node, msg, reason, kind, this.onErrorAck ? 'acknowledged' : 'redelivered');
      this.logFailure(
        node,
        reason,
        kind,
        this.onErrorAck
          ? 'message failed: acknowledged without delivery (onError "ack")'
          : 'message failed: nacked, the source redelivers it',
      );
    } else {
      this.announceFailure(node, msg, reason, kind, 'dropped');
      this.logFailure(
        node,
        reason,
        kind,
        'message failed and no error port or error route takes it: dropped (acknowledged, not redelivered); add an error route to keep such messages',
      );
    }
  }

  private sampleTap(tap: Tap, from: RunningNode, port: string, msg: Message): void {
    if (tap.tokens < 1) {
      tap.skipped++;
      return;
    }
    tap.tokens--;
    const message = traceCopy(msg);
    if (tap.skipped > 0) message.headers = { ...message.headers, 'sluice-tap-skipped': String(tap.skipped) };
    tap.skipped = 0;
    this.emit('tap', { nodeId: from.id, port, message } satisfies TapEvent);
  }

  /** Tells listeners (the editors' live feed) of a failure; no listener, no cost but the check. */
  private announceFailure(node: RunningNode, message: Message, reason: string, kind: FailureKind, fate: FailureFate) {
    if (this.listenerCount('failure') === 0) return;
    this.emit('failure', { nodeId: node.id, reason, kind, fate, message } satisfies FailureEvent);
  }

  private release(lin: Lineage): void {
    if (--lin.pending === 0 && !lin.settled) this.finish(lin, false);
  }

  private finish(lin: Lineage, forced: boolean): void {
    if (lin.settled) return;
    lin.settled = true;
    this.live.delete(lin);
    const w = lin.window;
    w.inFlight--;
    let outcome: Outcome;
    if (lin.failure === undefined) {
      w.acked++;
      outcome = DELIVERED;
    } else if (!forced && !lin.redeliver && (!lin.retry || this.onErrorAck)) {
      // Only deterministic failures (or the "ack" policy): acknowledged, so the source moves on; logged where it failed.
      w.acked++;
      outcome = { ok: true, dropped: lin.failure };
    } else {
      w.nacked++;
      outcome = { ok: false, reason: lin.failure };
    }
    if (lin.listeners) this.tellListeners(lin.listeners, outcome);
    this.callSettle(lin.settle, outcome);
    if (lin.at !== 0) this.observer?.settled(w.source ?? '', (performance.now() - lin.at) / 1000, outcome.ok);
    // Room again: wake every waiter. Waking one per settle strands waiters when a source ingested more than
    // 2x the window without awaiting (e.g. 2000 concurrent pushes into a window of 1000).
    if (w.waiters.length > 0 && w.inFlight < w.max) for (const wake of w.waiters.splice(0)) wake();
    if (this.live.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private tellListeners(listeners: Array<(outcome: Outcome) => void>, outcome: Outcome): void {
    for (const listener of listeners) {
      try {
        listener(outcome);
      } catch (err) {
        this.log.error({ err: reasonOf(err) }, 'a node settle listener threw');
      }
    }
  }

  private callSettle(settle: Settle | undefined, outcome: Outcome): void {
    try {
      settle?.(outcome);
    } catch (err) {
      this.log.error({ err: reasonOf(err) }, 'a source settle callback threw');
    }
  }

  /**
   * A failed message, at warn: flow, node, kind, reason and what became of it (`what`). At most 10 lines per node per
   * 10 s, so a flood of bad payloads does not flood the log; the next line written says how many were left out.
   */
  private logFailure(node: RunningNode, reason: string, kind: FailureKind, what: string): void {
    const now = Date.now();
    if (now - node.failureLogWindow > 10_000) {
      node.failureLogWindow = now;
      node.failureLogs = 0;
    }
    if (++node.failureLogs > 10) {
      node.failureLogsSkipped++;
      return;
    }
    const skipped = node.failureLogsSkipped;
    node.failureLogsSkipped = 0;
    node.log.warn({ kind, reason, ...(skipped > 0 ? { notLogged: skipped } : {}) }, what);
  }
}
