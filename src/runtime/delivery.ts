/**
 * The message path's unit of work: one `handle` call of one node on one message. It is the Output the node emits on
 * and the SettleTarget its Completion settles into; it reports back through a narrow DeliveryPath, not the engine.
 */
import type { HoldTarget } from '../kit/hold.js';
import { reasonOf } from '../kit/reason.js';
import { cloneMessage, type Message } from '../spec/message.js';
import type { Outcome, Output } from '../spec/runtime-contract.js';
import type { Lineage } from './lineage.js';
import type { RunningNode } from './running-node.js';

/** What a node emitted, for the editor's try-it trace. */
export interface TraceEvent {
  nodeId: string;
  port: string;
  message: Message;
}

/** What a Delivery needs of the message path (the engine provides it). */
export interface DeliveryPath {
  /** Set in try-it mode: told of every emit. */
  readonly trace: ((event: TraceEvent) => void) | undefined;
  /** Send `msg` on `port` of `from`, on the same lineage. */
  dispatch(from: RunningNode, port: string, msg: Message, lin: Lineage, routed: boolean): void;
  /** The handle finished: count it and release its lineage. */
  completed(d: Delivery): void;
  /** The handle failed with `err`: route the failure. */
  failed(d: Delivery, err: unknown): void;
}

/** A copy for the trace. Tracing must never fail a message: a payload structuredClone refuses shows as text. */
export function traceCopy(msg: Message): Message {
  try {
    return cloneMessage(msg);
  } catch (err) {
    return { ...msg, headers: { ...msg.headers }, payload: `[payload not copyable: ${reasonOf(err)}]` };
  }
}

/**
 * Output handed to one `handle` call: emits derived messages on the same lineage, and is told (once) how the call
 * ended.
 */
export class Delivery implements Output, HoldTarget {
  emitted = 0;
  done = false;
  /** Held by a stateful node and merged into a derived message (not a drop: see src/kit/hold.ts). */
  held = false;

  constructor(
    private readonly path: DeliveryPath,
    readonly node: RunningNode,
    readonly lineage: Lineage,
    /** The input descends from a trip to the error route: a failure must not go there again. */
    readonly routed: boolean,
    /** The input: a failure routes it. */
    readonly msg: Message,
  ) {}

  /** The handle's Completion resolved (see completion.ts): as when its promise resolves. */
  resolved(): void {
    if (this.done) return;
    this.done = true;
    this.flush();
    this.path.completed(this);
  }

  /** Told once how the lineage of the message being handled ended, just before its source hears it (dedup, deadband). */
  onSettled(listener: (outcome: Outcome) => void): void {
    const lin = this.lineage;
    if (lin.settled) listener({ ok: false, reason: 'the message was nacked at stop' });
    else if (lin.listeners) lin.listeners.push(listener);
    else lin.listeners = [listener];
  }

  /** The message derived from this held input settled: a failure there is this lineage's failure. */
  merged(outcome: Outcome): void {
    this.held = true;
    if (!outcome.ok) {
      // A nack here is never a policy question: onError "ack" already turned the derived message's own failures
      // into drops, so what is left is a stop (a window given back, or nacked at the deadline): redeliver.
      this.lineage.failure ??= outcome.reason;
      this.lineage.retry = true;
      this.lineage.redeliver = true;
    } else if (outcome.dropped !== undefined) this.lineage.failure ??= outcome.dropped;
  }

  rejected(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.flush();
    this.path.failed(this, err);
  }

  emit(port: string, msg: Message): void {
    if (this.done) {
      this.node.log.warn({ port }, 'emit after handle finished: ignored');
      return;
    }
    if (this.lineage.settled) {
      // Nacked by stop() at its deadline: the flow is stopping or stopped, nothing more goes downstream.
      this.node.log.warn({ port }, 'emit after the message was nacked at stop: ignored');
      return;
    }
    this.emitted++;
    this.node.counters.out++;
    const trace = this.path.trace;
    if (trace) trace({ nodeId: this.node.id, port, message: traceCopy(msg) });
    // Held until the handle finishes (see flush): a node may emit one object on several ports.
    if (this.port0 === undefined) {
      this.port0 = port;
      this.msg0 = msg;
    } else if (this.more) this.more.push([port, msg]);
    else this.more = [[port, msg]];
  }

  // The first held emit in fields, the rest in an array: the common single emit allocates nothing.
  private port0: string | undefined;
  private msg0: Message | undefined;
  private more: Array<[string, Message]> | undefined;

  /**
   * Dispatch what the handle emitted, in order, once it has finished. Holding them until then lets every later
   * emit of an object already emitted get its own copy before any branch runs, so no branch sees another's changes.
   */
  flush(): void {
    const port0 = this.port0;
    if (port0 === undefined) return;
    const msg0 = this.msg0 as Message;
    const more = this.more;
    this.port0 = undefined;
    this.msg0 = undefined;
    this.more = undefined;
    if (this.lineage.settled) {
      this.node.log.warn('emits after the message was nacked at stop: ignored');
      return;
    }
    if (!more) {
      this.path.dispatch(this.node, port0, msg0, this.lineage, this.routed);
      return;
    }
    const emitted: Array<[string, Message]> = [[port0, msg0], ...more];
    const sent: Array<[string, Message | undefined]> = emitted.map(([port, m], i) => {
      if (!emitted.slice(0, i).some(([, earlier]) => earlier === m)) return [port, m];
      try {
        return [port, cloneMessage(m)];
      } catch (err) {
        this.lineage.failure ??= `node "${this.node.id}": the message cannot be copied for port "${port}": ${reasonOf(err)}`;
        return [port, undefined];
      }
    });
    for (const [port, m] of sent) if (m) this.path.dispatch(this.node, port, m, this.lineage, this.routed);
  }
}
