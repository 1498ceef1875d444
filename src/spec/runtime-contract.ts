/**
 * The contract between the engine and a node's runtime.ts. Types only, so it is safe to import anywhere,
 * but only Node-side code implements it.
 */
import type { Message } from './message.js';

export type NodeState = 'idle' | 'connecting' | 'connected' | 'running' | 'stopped' | 'error';

export interface NodeStatus {
  state: NodeState;
  /** Human text: for `error`, the reason. */
  reason?: string;
}

/**
 * What became of an ingested message and everything derived from it. `ok` with `dropped`: it failed in a way that
 * redelivery cannot fix and nothing took the failure, so it was dropped (the reason); the source acknowledges it
 * anyway, or hands it to its own dead-letter mechanism (amqp-in's `onFailure: dead-letter`). Not ok: redeliver it.
 */
export type Outcome = { ok: true; dropped?: string } | { ok: false; reason: string };

/** Called exactly once per ingested message: `ok` means every derived message was delivered, dropped on purpose or taken by an error route. */
export type Settle = (outcome: Outcome) => void;

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/**
 * An input a stateful node (window, join) holds: its `handle` returned a `Hold` (from the kit),
 * so the input's lineage stays open. The engine retains it once per message emitted from it with `emitDerived` and
 * releases it with that message's outcome; the node releases its own claim with `release()` when the input leaves
 * its state (emitted from, or let go: a late message dropped, a stop). The input's source settles when every claim
 * has ended: delivered, or with the worst outcome seen (a nack outranks a drop).
 */
export interface Held {
  readonly routed: boolean;
  retain(): void;
  release(outcome?: Outcome): void;
}

/** Given to `handle`: emits messages derived from the one being handled. */
export interface Output {
  /** Send on a named output port. Fan-out copies are made by the engine. */
  emit(port: string, msg: Message): void;
  /**
   * For stateful nodes (dedup, deadband): `listener` is told once how the lineage of the message being handled ended
   * (the outcome its source gets), just before the source hears it. A node that remembered the message (a dedup key)
   * forgets it when the outcome is not ok, so the redelivery is not mistaken for a duplicate; a durable node writes
   * its state here, before the source acknowledges. Keep it short and synchronous; it must not throw.
   */
  onSettled?(listener: (outcome: Outcome) => void): void;
}

export interface NodeContext<C> {
  readonly nodeId: string;
  /** The flow document's `id` (else its `name`), when it has one: for names that must stay stable across runs. */
  readonly flowId?: string;
  readonly name: string;
  /** The node's config with defaults applied and `${env:}`/`${file:}` references resolved. */
  readonly config: C;
  readonly log: Logger;
  /**
   * Sources: the flow's in-flight limit (settings.maxInFlight), so a source can size what its broker sends ahead
   * (nats-in's max-ack-pending). Undefined for nodes with inputs.
   */
  readonly maxInFlight?: number;
  /** Aborted when the node is stopping; sources and retry loops should give up waiting. */
  readonly signal: AbortSignal;
  status(status: NodeStatus): void;
  /** An event for the server/editor (e.g. the debug node's captured messages). */
  publish(event: string, data: unknown): void;
  /**
   * Sources: hand a new message to the flow. Returns a promise only when the source's in-flight window is full:
   * await it before ingesting more (back pressure). `settle` fires once when the message's lineage completes.
   */
  ingest(msg: Message, settle?: Settle): undefined | Promise<void>;
  /** Sources: a message that could not be read (e.g. a payload that does not parse) goes to the error route. */
  ingestFailed(msg: Message, reason: string, settle?: Settle): undefined | Promise<void>;
  /**
   * Stateful nodes (window, join): emit `msg` derived from held inputs, at any time (in a handle or from a timer).
   * It travels on a lineage of its own; each of `from` is retained until it settles and then takes its outcome
   * (see `Held`). After the flow stopped, nothing is emitted and the holds are released as not delivered.
   */
  emitDerived(port: string, msg: Message, from: readonly Held[]): void;
  /** The shared client of a flow connection (opened once, shared by the nodes that reference it). */
  connection<T>(connectionId: string): Promise<T>;
  /** A connection's settings (defaults applied, references resolved), for a node that must own its client. */
  connectionConfig<T = Record<string, unknown>>(connectionId: string): T;
}

export interface NodeRuntime {
  /** Connect / begin. Sinks start before sources. */
  start?(): void | Promise<void>;
  /**
   * Handle one input message. Resolve (or return) when done: for sinks, when delivery is confirmed.
   * Throw or reject to fail the message; the engine routes it to the error port or error route.
   * Many handles may be in flight at once; a sink may batch them and settle them together. A sink returns a
   * PromiseLike; use the kit for the hot path (src/kit: Completion, RetriedDelivery, Batcher), which is settled
   * without a promise or callbacks per message.
   */
  handle?(msg: Message, out: Output, port: string): void | PromiseLike<void>;
  /**
   * Sources: stop taking new input but keep the ack path open while the engine drains. Stateful nodes (window,
   * join) get it too, after every source's, upstream first: flush what they hold or release it for redelivery.
   */
  stopIntake?(): void | Promise<void>;
  /** Drain what the node holds, then disconnect. Sources stop first, sinks last. */
  stop?(): void | Promise<void>;
  /**
   * A source with a button (the inject node): send its configured message now, in the running flow. Resolves with
   * how that message ended; rejects when the node cannot send (stopping).
   */
  trigger?(): Promise<Outcome>;
  /**
   * A node the editor switches on and off in the running flow without a redeploy (the debug node's button). The
   * saved flow records the choice in the node's config, so the next deploy starts it that way.
   */
  setActive?(active: boolean): void;
  /** State for the editor and API (e.g. the debug node's kept messages). Must be cheap and JSON-safe. */
  snapshot?(): unknown;
}

/** A node's runtime.ts exports `create`. */
export type CreateRuntime<C> = (ctx: NodeContext<C>) => NodeRuntime | Promise<NodeRuntime>;

/** What a connection kind's runtime.ts exports: open a shared client and close it. */
export interface ConnectionRuntime<C, T> {
  open(config: C, ctx: { log: Logger; connectionId: string }): Promise<T>;
  close(client: T): Promise<void>;
  /** `sluice check`: try the connection and say why it fails. */
  check?(config: C, ctx: { log: Logger; connectionId: string }): Promise<void>;
}
