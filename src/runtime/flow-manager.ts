/**
 * Many flows in one runtime: one Engine (with its own connections) per deployed flow. Deploy, stop and redeploy
 * are serialised per flow id, never globally, so acting on one flow never pauses, drains or restarts another.
 *
 * A redeploy drains the old revision before the new one starts: both would hold the same MQTT client ids, consumer
 * groups and exclusive queues, and two engines of one flow must never run at once. If the new revision then fails to
 * start (connection refused, missing `${env:...}`), its engine has already closed everything it opened (the engine's
 * start unwinds through stop) and the previous revision is started again from its deployed document. An invalid
 * document is refused before the old revision is touched.
 */
import { EventEmitter } from 'node:events';
import { DEFAULT_SETTINGS, type FlowDocument } from '../flow/document.js';
import { hasErrors } from '../flow/problem.js';
import { createFlowValidator, type FlowValidator } from '../flow/validate.js';
import { finishedWithin } from '../kit/bounded.js';
import { reasonOf } from '../kit/reason.js';
import {
  Engine,
  type EngineOptions,
  type FailureEvent,
  type NodeEvent,
  type StatusEvent,
  type StopReport,
  type TapEvent,
} from './engine.js';
import { StartupError } from './errors.js';
import { type SluiceLogger, silentLogger } from './log.js';

export type ManagedFlowState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface ManagedFlow {
  id: string;
  name?: string;
  revision: number | null;
  state: ManagedFlowState;
  /** Why the last deploy failed (kept while the previous revision runs again after a failed redeploy). */
  error?: string;
  /** The flow's current engine: the running one, or the last one (its final counters and statuses stay readable). */
  engine: Engine;
}

/** `state` events: every transition of one flow. */
export interface FlowStateEvent {
  flowId: string;
  state: ManagedFlowState;
  revision: number | null;
  error?: string;
}

/** `status` events: an engine's node status, with the flow it belongs to. */
export interface FlowStatusEvent extends StatusEvent {
  flowId: string;
}

/** `event` events: a node's published event (e.g. a debug entry), with the flow it belongs to. */
export interface FlowNodeEvent extends NodeEvent {
  flowId: string;
}

/** `tap` events: a sampled message on a watched output of this flow. */
export interface FlowTapEvent extends TapEvent {
  flowId: string;
}

/** `failure` events: a message failed at a node of this flow. */
export interface FlowFailureEvent extends FailureEvent {
  flowId: string;
}

export interface StopAllReport {
  /** Each flow's own report, by flow id (flows that were not running are absent). */
  flows: Record<string, StopReport>;
  /** Messages left unsettled at the drain deadline (nacked so their sources redeliver), over all flows. */
  nackedAtDeadline: number;
  /** `<flow>: node <id>` / `<flow>: connection <id>` that did not stop in time. */
  notStopped: string[];
}

export interface FlowManagerOptions extends Omit<EngineOptions, 'log'> {
  log?: SluiceLogger;
  /** On top of a stop's own bounds, how long stopAll/close wait for a start still in progress (default 10 s). */
  startGraceMs?: number;
}

/** A redeploy whose new revision failed, but whose previous revision runs again. */
export class RolledBackError extends StartupError {
  constructor(
    message: string,
    readonly restoredRevision: number | null,
    problems: StartupError['problems'] = [],
  ) {
    super(message, problems);
    this.name = 'RolledBackError';
  }
}

interface Slot extends ManagedFlow {
  /** The document that runs (or ran last successfully), to start again after a failed redeploy. */
  doc: FlowDocument | undefined;
  chain: Promise<unknown>;
}

const EMPTY_STOP: StopReport = { nackedAtDeadline: 0, durationMs: 0, notStopped: [] };
/** On top of a stop's own bounds, how long a shutdown waits for a start in progress. */
const START_GRACE_MS = 10_000;

export class FlowManager extends EventEmitter {
  readonly log: SluiceLogger;
  private readonly slots = new Map<string, Slot>();
  private readonly validator: FlowValidator;
  private closed = false;

  constructor(private readonly options: FlowManagerOptions) {
    super();
    this.log = options.log ?? silentLogger();
    this.validator = createFlowValidator(options.catalog);
  }

  /** Every flow the manager knows: running, starting, stopping, failed, and stopped ones (last counters). */
  flows(): ManagedFlow[] {
    return [...this.slots.values()].map(({ id, name, revision, state, error, engine }) => ({
      id,
      ...(name === undefined ? {} : { name }),
      revision,
      state,
      ...(error === undefined ? {} : { error }),
      engine,
    }));
  }

  get(id: string): ManagedFlow | undefined {
    return this.flows().find((f) => f.id === id);
  }

  /** True while flow `id` runs (or is starting or stopping). */
  isActive(id: string): boolean {
    const s = this.slots.get(id)?.state;
    return s === 'running' || s === 'starting' || s === 'stopping';
  }

  /**
   * Start `flow` as flow `id`, replacing the revision that runs under that id (drained first). Throws StartupError
   * (with problems for an invalid document, which leaves whatever runs untouched); RolledBackError when the new
   * revision failed and the previous one runs again.
   */
  deploy(id: string, flow: unknown, revision: number | null): Promise<void> {
    return this.serial(id, async (slot) => {
      if (this.closed) throw new StartupError('the runtime is shutting down');
      const { problems, flow: doc } = this.validator.validate(flow);
      if (!doc || hasErrors(problems)) throw StartupError.fromProblems(problems);
      const previous = slot.state === 'running' ? { doc: slot.doc, revision: slot.revision } : undefined;
      if (previous) {
        this.transition(slot, 'stopping', slot.revision);
        await slot.engine.stop();
      }
      const name = doc.name;
      try {
        await this.startEngine(slot, doc, revision, name);
        slot.error = undefined;
        this.transition(slot, 'running', revision);
        this.log.info({ flow: id, revision }, 'flow deployed');
        return;
      } catch (err) {
        const reason = reasonOf(err);
        this.log.warn({ flow: id, revision, err: reason }, 'flow failed to start; everything it opened is closed');
        const problems = err instanceof StartupError ? err.problems : [];
        if (previous?.doc && (await this.restore(slot, previous.doc, previous.revision, revision, reason))) {
          throw new RolledBackError(
            `${reason} (the previous revision${previous.revision === null ? '' : ` ${previous.revision}`} runs again)`,
            previous.revision,
            problems,
          );
        }
        slot.doc = undefined;
        slot.revision = revision;
        slot.error = reason;
        this.transition(slot, 'failed', revision);
        throw err instanceof StartupError ? err : new StartupError(reason);
      }
    });
  }

  /** After a failed redeploy: start the revision that ran before again; false when that fails too. */
  private async restore(
    slot: Slot,
    doc: FlowDocument,
    revision: number | null,
    failedRevision: number | null,
    reason: string,
  ): Promise<boolean> {
    try {
      await this.startEngine(slot, doc, revision, doc.name);
    } catch (err) {
      this.log.error({ flow: slot.id, err: reasonOf(err) }, 'the previous revision failed to start again');
      return false;
    }
    slot.error = `revision ${failedRevision ?? '(new)'} failed to start: ${reason}`;
    this.transition(slot, 'running', revision);
    this.log.warn({ flow: slot.id, revision }, 'previous revision running again');
    return true;
  }

  /** Drain and stop flow `id`; a no-op report when it does not run. */
  stop(id: string, opts: { deadlineMs?: number } = {}): Promise<StopReport> {
    if (!this.slots.has(id)) return Promise.resolve({ ...EMPTY_STOP });
    return this.serial(id, async (slot) => {
      if (slot.state !== 'running') {
        // A failed flow keeps its error until it is stopped (acknowledged) or deployed again.
        if (slot.state === 'failed') {
          slot.error = undefined;
          this.transition(slot, 'stopped', slot.revision);
        }
        return { ...EMPTY_STOP };
      }
      this.transition(slot, 'stopping', slot.revision);
      const report = await slot.engine.stop(opts);
      this.transition(slot, 'stopped', slot.revision);
      return report;
    });
  }

  /** Drain and stop every flow, all at once (each on its own deadline). */
  async stopAll(opts: { deadlineMs?: number } = {}): Promise<StopAllReport> {
    const out: StopAllReport = { flows: {}, nackedAtDeadline: 0, notStopped: [] };
    await Promise.all(
      [...this.slots.keys()].map(async (id) => {
        const stopping = this.stop(id, opts);
        // A start still in progress (a node whose start hangs) must not keep a shutdown waiting for ever.
        const bound = this.stopBoundMs(id, opts);
        if (!(await finishedWithin(stopping, bound))) {
          out.notStopped.push(`${id}: flow (still ${this.slots.get(id)?.state} after ${bound} ms)`);
          this.log.warn({ flow: id, ms: bound }, 'flow did not stop in time: going on without it');
          return;
        }
        const r = await stopping;
        out.flows[id] = r;
        out.nackedAtDeadline += r.nackedAtDeadline;
        out.notStopped.push(...r.notStopped.map((what) => `${id}: ${what}`));
      }),
    );
    return out;
  }

  /** Refuse further deploys, then stop everything (the process is shutting down). */
  close(opts: { deadlineMs?: number } = {}): Promise<StopAllReport> {
    this.closed = true;
    return this.stopAll(opts);
  }

  /** Forget a stopped flow (e.g. deleted from the store). Does nothing while it runs. */
  forget(id: string): void {
    const slot = this.slots.get(id);
    if (slot && !this.isActive(id)) this.slots.delete(id);
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** The longest a stop can legitimately take (the engine's own bounds: drain, then each node and the connections), plus a start's grace. */
  private stopBoundMs(id: string, opts: { deadlineMs?: number }): number {
    const flow = this.slots.get(id)?.engine.flow;
    const settings = { ...DEFAULT_SETTINGS, ...flow?.settings };
    const nodes = flow?.nodes.length ?? 0;
    return (
      (opts.deadlineMs ?? settings.drainTimeoutMs) +
      settings.stopTimeoutMs * (nodes + 2) +
      (this.options.startGraceMs ?? START_GRACE_MS)
    );
  }

  /** Runs `fn` after every earlier deploy/stop of the same flow, never waiting for other flows. */
  private serial<T>(id: string, fn: (slot: Slot) => Promise<T>): Promise<T> {
    let slot = this.slots.get(id);
    if (!slot) {
      slot = {
        id,
        revision: null,
        state: 'stopped',
        engine: this.newEngine(id),
        doc: undefined,
        chain: Promise.resolve(),
      };
      this.slots.set(id, slot);
    }
    const s = slot;
    const run = s.chain.then(
      () => fn(s),
      () => fn(s),
    );
    s.chain = run.catch(() => undefined);
    return run;
  }

  private async startEngine(slot: Slot, doc: FlowDocument, revision: number | null, name: string | undefined) {
    const engine = this.newEngine(slot.id);
    this.detach(slot.engine);
    slot.engine = engine;
    slot.name = name;
    this.transition(slot, 'starting', revision);
    await engine.start(doc);
    slot.doc = doc;
    slot.revision = revision;
  }

  private newEngine(id: string): Engine {
    const { log: _log, startGraceMs: _grace, ...engineOptions } = this.options;
    // The engine binds the flow id into its own logger (one `flow` key per line).
    const engine = new Engine({ ...engineOptions, log: this.log, flowId: id });
    engine.on('status', (s: StatusEvent) => this.emit('status', { ...s, flowId: id } satisfies FlowStatusEvent));
    engine.on('event', (e: NodeEvent) => this.emit('event', { ...e, flowId: id } satisfies FlowNodeEvent));
    engine.on('failure', (e: FailureEvent) => this.emit('failure', { ...e, flowId: id } satisfies FlowFailureEvent));
    engine.on('tap', (e: TapEvent) => this.emit('tap', { ...e, flowId: id } satisfies FlowTapEvent));
    return engine;
  }

  /** An old engine's late events (a status from its last stop) must not show on the flow's new engine. */
  private detach(engine: Engine): void {
    if (engine.running) return;
    engine.removeAllListeners('status');
    engine.removeAllListeners('event');
    engine.removeAllListeners('failure');
    engine.removeAllListeners('tap');
  }

  private transition(slot: Slot, state: ManagedFlowState, revision: number | null): void {
    slot.state = state;
    const ev: FlowStateEvent = {
      flowId: slot.id,
      state,
      revision,
      ...(slot.error === undefined ? {} : { error: slot.error }),
    };
    this.emit('state', ev);
  }
}
