/**
 * The message path of a running flow: ingest, routing, delivery, failure routing and settling. It tracks every
 * ingested message's lineage so its source settles exactly once, bounds in-flight messages per source and routes
 * failures (error port, then error route, then the flow's policy). The Engine (engine.ts) owns the lifecycle and
 * sets this up per flow; Deliveries report back here through the narrow DeliveryPath.
 *
 * Hot path rules: one class, called directly (Delivery sees only this implementation of DeliveryPath, so its calls
 * stay monomorphic); plain fields, no getters; no closures or bound functions made per message.
 */
import type { EventEmitter } from 'node:events';
import { isSettleable } from '../kit/completion.js';
import { enterMeter } from '../kit/meter.js';
import { nodeProblem } from '../kit/problem-text.js';
import { reasonOf } from '../kit/reason.js';
import { type FailureKind, failureKindOf } from '../spec/failure.js';
import { cloneMessage, ERROR_HEADER, ERROR_NODE_HEADER, ERROR_ROUTED_HEADER, type Message } from '../spec/message.js';
import { ERROR_PORT } from '../spec/node-definition.js';
import type { Held, Outcome, Settle } from '../spec/runtime-contract.js';
import { Delivery, type DeliveryPath, type TraceEvent, traceCopy } from './delivery.js';
import { derivedLineage, derivedWindow } from './held.js';
import { Lineage, LiveLineages } from './lineage.js';
import { type SluiceLogger, silentLogger } from './log.js';
import type { RunningNode, Tap, Target } from './running-node.js';

/** Told of what counters cannot say (the ops metrics); optional, and off the hot path when unset. */
export interface EngineObserver {
  /** A source's message settled `seconds` after its ingest: acknowledged (`ok`) or not. */
  settled(sourceId: string, seconds: number, ok: boolean): void;
  /** A node (a sink) wrote a batch of `size` messages. */
  batch(nodeId: string, size: number): void;
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

/** How the flow treats failures no port took (from its settings), set by the engine per flow. */
export interface FailurePolicy {
  /** The flow's error route node, if any. */
  errorRoute: RunningNode | undefined;
  /** onError "ack": a transient failure no route took is acknowledged too (at most once), not redelivered. */
  onErrorAck: boolean;
  /** Error ports and the error route take transient failures too (transientFailures "route", or onError "ack"). */
  routeTransient: boolean;
}

/** What to do about a sink's failed message, by kind, when the sink's own reason does not say (see sinkProblem). */
const SINK_TODO: Record<FailureKind, string> = {
  transient: "check that the service is up and reachable from sluice and the node's settings; the message is retried",
  deterministic:
    'check the message against what the target accepts (types, sizes, constraints) and the node settings; wire the error port to keep such messages',
};

/**
 * A sink's per-message failure as users read it (status, log, failure event, the error header):
 * `<node type> "<node id>": <what happened>; <what to do>`. Only on failure, so off the hot path.
 */
function sinkProblem(node: RunningNode, reason: string, kind: FailureKind): string {
  return nodeProblem(node.def.type, node.id, reason, SINK_TODO[kind]);
}

/** Every successful settle gets the same (frozen) outcome: one object less per message. */
const DELIVERED: Outcome = Object.freeze({ ok: true });

export class MessagePath implements DeliveryPath {
  /** Set in try-it mode: told of every emit (made once, not per message). */
  readonly trace: ((event: TraceEvent) => void) | undefined;
  /** The running flow's nodes (the engine's map): a source of a replaced flow is not in it and is refused. */
  nodes: ReadonlyMap<string, RunningNode> = new Map();
  /** Open lineages. */
  live = new LiveLineages();
  /** Closed until a flow is set up, and again once stop() has drained: nothing would settle a new lineage. */
  intakeClosed = true;
  /** True while some output is watched (the message path's only cost otherwise is this check). */
  tapping = false;
  /** Settle latencies and batch sizes go here when set (the ops metrics). */
  observer: EngineObserver | undefined;
  /** The flow's logger (settle callbacks that throw are logged here). */
  log: SluiceLogger = silentLogger();
  private errorRoute: RunningNode | undefined;
  private onErrorAck = false;
  private routeTransient = false;
  private idleWaiters: Array<() => void> = [];

  /** `events`: where trace, tap and failure events go (the engine). */
  constructor(
    private readonly events: EventEmitter,
    tracing: boolean,
  ) {
    this.trace = tracing ? (event) => events.emit('trace', event) : undefined;
  }

  /** A new flow's nodes and policy: a fresh set of lineages, intake open. */
  reset(nodes: ReadonlyMap<string, RunningNode>, policy: FailurePolicy, log: SluiceLogger): void {
    this.nodes = nodes;
    this.live = new LiveLineages();
    this.intakeClosed = false;
    this.errorRoute = policy.errorRoute;
    this.onErrorAck = policy.onErrorAck;
    this.routeTransient = policy.routeTransient;
    this.log = log;
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

  /** Close intake and nack every lineage still open (stop's deadline). Returns how many there were. */
  closeAndNack(): number {
    this.intakeClosed = true;
    const leftovers = this.live.toArray();
    for (const lin of leftovers) {
      lin.failure ??= 'flow stopped before the message was delivered';
      this.finish(lin, true);
    }
    return leftovers.length;
  }

  /** A source's message (or one that failed to decode: `failure`) enters the flow. */
  ingest(node: RunningNode, msg: Message, settle: Settle | undefined, failure: string | undefined) {
    const window = node.window;
    if (!window) throw new Error(`node "${node.id}" is not a source: it cannot ingest`);
    // Sources start last, while the engine is still `starting`: everything downstream is already up.
    // Refused: a stopped flow, a stopping one past its drain, a source of a flow that a redeploy replaced.
    if (this.intakeClosed || this.nodes.get(node.id) !== node) {
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
      this.dispatch(node, node.firstOutput, msg, lin, false);
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
  emitDerived(node: RunningNode, port: string, msg: Message, from: readonly Held[]): void {
    if (this.intakeClosed || this.nodes.get(node.id) !== node) {
      node.log.warn({ port }, 'a message derived after the flow stopped: not emitted, its inputs are not acknowledged');
      for (const h of from) h.release({ ok: false, reason: 'the flow stopped before the message was delivered' });
      return;
    }
    node.derived ??= derivedWindow(node.id);
    const lin = derivedLineage(node.derived, from);
    this.live.add(lin);
    node.counters.out++;
    if (this.trace) this.trace({ nodeId: node.id, port, message: traceCopy(msg) });
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
  dispatch(from: RunningNode, port: string, msg: Message, lin: Lineage, routed: boolean): void {
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
    const delivery = new Delivery(this, node, lin, routed, msg);
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
  failed(d: Delivery, err: unknown): void {
    this.fail(d.node, d.msg, d.lineage, err, d.routed);
  }

  /** For Delivery: its handle finished: count it and release its lineage. */
  completed(d: Delivery): void {
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
    const kind = failureKindOf(err) ?? node.failureKind;
    const reason = node.sink ? sinkProblem(node, reasonOf(err), kind) : reasonOf(err);
    // Try-it mode shows where a message failed and why (the same headers routeFailure sets).
    if (this.trace) {
      const headers = { ...msg.headers, [ERROR_HEADER]: reason, [ERROR_NODE_HEADER]: node.id };
      this.trace({ nodeId: node.id, port: ERROR_PORT, message: { ...traceCopy(msg), headers } });
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
    // Once a message has been to the error route, a second failure ends its lineage: no loops. The path tracks
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
    lin.failure ??= reason.startsWith(`${node.def.type} "${node.id}": `) ? reason : `node "${node.id}": ${reason}`;
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
    this.events.emit('tap', { nodeId: from.id, port, message } satisfies TapEvent);
  }

  /** Tells listeners (the editors' live feed) of a failure; no listener, no cost but the check. */
  private announceFailure(node: RunningNode, message: Message, reason: string, kind: FailureKind, fate: FailureFate) {
    if (this.events.listenerCount('failure') === 0) return;
    this.events.emit('failure', { nodeId: node.id, reason, kind, fate, message } satisfies FailureEvent);
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
