/**
 * The engine: runs one validated flow. Its lifecycle: validate, resolve and instantiate the nodes, start them
 * (sinks first), drain and stop them (sources first), deploy one flow over another; and what the server and the
 * editor ask of a running flow (counters, statuses, last failures, taps, inject). The message path itself (routing,
 * delivery, failure routing, settling) is message-path.ts, which the engine sets up per flow.
 */
import { EventEmitter } from 'node:events';
import { DEFAULT_SETTINGS, type FlowDocument } from '../flow/document.js';
import { topologicalOrder } from '../flow/graph.js';
import { hasErrors } from '../flow/problem.js';
import { expandSubflows } from '../flow/subflow.js';
import { createFlowValidator } from '../flow/validate.js';
import { finishedWithin } from '../kit/bounded.js';
import { enterMeter } from '../kit/meter.js';
import { nodeProblem } from '../kit/problem-text.js';
import { reasonOf } from '../kit/reason.js';
import type { Message } from '../spec/message.js';
import { type Catalog, ERROR_PORT, findNodeType } from '../spec/node-definition.js';
import type { Held, NodeStatus, Outcome, Settle } from '../spec/runtime-contract.js';
import { ConnectionPool } from './connections.js';
import type { NodeCounters } from './counters.js';
import type { TraceEvent } from './delivery.js';
import { StartupError } from './errors.js';
import { loadConnectionRuntime, loadNodeRuntime } from './loader.js';
import { type SluiceLogger, silentLogger } from './log.js';
import { type EngineObserver, MessagePath } from './message-path.js';
import { applyDefaults, processEnv, type ResolveEnv, resolveReferences } from './resolve-config.js';
import { countersOf, type LastFailure, RunningNode } from './running-node.js';

export type { EngineObserver, FailureEvent, FailureFate, TapEvent } from './message-path.js';
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

export type { TraceEvent };

export interface StatusEvent extends NodeStatus {
  nodeId: string;
}

export interface NodeEvent {
  nodeId: string;
  event: string;
  data: unknown;
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

export class Engine extends EventEmitter {
  /** Bound to the running flow's id once it starts (every engine and node log line carries `flow`). */
  log: SluiceLogger;
  readonly tracing: boolean;
  private state: EngineState = 'stopped';
  private nodes = new Map<string, RunningNode>();
  private order: string[] = [];
  /** Settles when a start() in progress has finished (started, or failed and unwound). */
  private startup: Promise<void> | undefined;
  private connections: ConnectionPool | undefined;
  private current: FlowDocument | undefined;
  /** Routing, delivery and settling; each Delivery reports to it, not to the engine. */
  private readonly path: MessagePath;
  private tapTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EngineOptions) {
    super();
    this.log = options.log ?? silentLogger();
    this.tracing = options.trace ?? false;
    this.path = new MessagePath(this, this.tracing);
  }

  /** Settle latencies and batch sizes go here when set (the ops metrics). Kept by the message path. */
  get observer(): EngineObserver | undefined {
    return this.path.observer;
  }

  set observer(observer: EngineObserver | undefined) {
    this.path.observer = observer;
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
    await this.path.whenIdle(deadlineMs);
    const nacked = this.path.closeAndNack();
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
    this.log.info({ nackedAtDeadline: nacked, notStopped }, 'flow stopped');
    return { nackedAtDeadline: nacked, durationMs: Date.now() - started, notStopped };
  }

  /** Resolves when nothing is in flight (or after `timeoutMs`). */
  whenIdle(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    return this.path.whenIdle(timeoutMs);
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
      this.path.ingest(node, msg, resolve, undefined);
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
      this.path.tapping = true;
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
    this.path.tapping = false;
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
    return this.path.live.size;
  }

  // ---- start-up -------------------------------------------------------------------------------

  private validate(input: unknown): FlowDocument {
    const { problems, flow } = createFlowValidator(this.options.catalog).validate(input);
    if (!flow || hasErrors(problems)) throw StartupError.fromProblems(problems);
    return expandSubflows(flow).flow;
  }

  private async instantiate(flow: FlowDocument): Promise<void> {
    const resolve = this.options.resolve ?? processEnv;
    const path = this.path;
    this.current = flow;
    const flowId = this.options.flowId ?? flow.id ?? flow.name;
    const base = this.options.log ?? silentLogger();
    this.log = flowId === undefined ? base : base.child({ flow: flowId });
    this.nodes = new Map();
    // Cleared with the nodes: a start that fails before the order is computed must not unwind the previous flow's.
    this.order = [];
    const settings = { ...DEFAULT_SETTINGS, ...flow.settings };
    this.connections = new ConnectionPool(
      flow,
      this.options.catalog,
      resolve,
      this.log,
      this.options.loadConnection ?? loadConnectionRuntime,
    );
    for (const spec of flow.nodes) {
      const def = findNodeType(this.options.catalog, spec.type)!;
      const where = `${spec.type} "${spec.id}"`; // errors read `<node type> "<node id>": ...` (problem-text.ts)
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
        batch: (size) => path.observer?.batch(node.id, size),
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
    const onErrorAck = settings.onError === 'ack';
    this.path.reset(
      this.nodes,
      {
        errorRoute: flow.settings?.errorRoute ? this.nodes.get(flow.settings.errorRoute) : undefined,
        onErrorAck,
        routeTransient: onErrorAck || settings.transientFailures === 'route',
      },
      this.log,
    );
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
    const path = this.path;
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
      ingest: (msg: Message, settle?: Settle) => path.ingest(node, msg, settle, undefined),
      ingestFailed: (msg: Message, reason: string, settle?: Settle) => path.ingest(node, msg, settle, reason),
      emitDerived: (port: string, msg: Message, from: readonly Held[]) => path.emitDerived(node, port, msg, from),
      connection: <T>(id: string) => {
        const pool = this.connectionsFor(node);
        try {
          return pool.acquire<T>(id, node.id);
        } catch (err) {
          throw new Error(connectionProblem(node, err));
        }
      },
      connectionConfig: <T>(id: string) => {
        const pool = this.connectionsFor(node);
        try {
          return pool.config(id).config as T;
        } catch (err) {
          throw new Error(connectionProblem(node, err));
        }
      },
    };
  }

  private connectionsFor(node: RunningNode): ConnectionPool {
    if (!this.connections)
      throw new Error(nodeProblem(node.def.type, node.id, 'the flow is not running', 'deploy the flow first'));
    return this.connections;
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
      const reason = reasonOf(err);
      // A reason in the one pattern already (a connection that cannot be resolved) is not wrapped twice.
      const problem = reason.startsWith(`${node.def.type} "${node.id}": `)
        ? reason
        : nodeProblem(
            node.def.type,
            node.id,
            `failed to start: ${reason}`,
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
}

/** A connection a node asked for that cannot be had (missing, unknown kind, a reference that does not resolve). */
function connectionProblem(node: RunningNode, err: unknown): string {
  return nodeProblem(
    node.def.type,
    node.id,
    reasonOf(err),
    "check the connection in the flow's connections and the node's connection setting",
  );
}
