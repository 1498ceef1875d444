/**
 * A hand-built NodeContext for driving one node runtime without the engine: records what the node emits
 * (per port), its status changes, published events, log lines and ingested messages.
 *
 *   const node = await startNode(create, configFor(myNode, { code: 'return msg' }));
 *   const sent = await node.send(testMessage({ payload: 1 }));   // emissions of this one handle() call
 *   expect(node.output.on('out')).toHaveLength(1);                 // everything emitted on `out` so far
 *   await node.stop();
 */
import { applyDefaults } from '../../src/runtime/resolve-config.js';
import { createMessage, type Message, type NodeDefinition, type Static, type TSchema } from '../../src/spec/index.js';
import type {
  CreateRuntime,
  Held,
  Logger,
  NodeContext,
  NodeRuntime,
  NodeStatus,
  Output,
  Settle,
} from '../../src/spec/runtime-contract.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: LogLevel;
  obj: object | string;
  msg?: string;
}

export interface Ingested {
  msg: Message;
  settle?: Settle;
  /** Set for `ingestFailed`. */
  failedReason?: string;
}

export interface Emitted {
  port: string;
  msg: Message;
}

/** Records every emit, in order; `on(port)` gives one port's messages. */
export class RecordingOutput implements Output {
  readonly emitted: Emitted[] = [];

  emit(port: string, msg: Message): void {
    this.emitted.push({ port, msg });
  }

  on(port: string): Message[] {
    return this.emitted.filter((e) => e.port === port).map((e) => e.msg);
  }

  /** Messages per port, for a whole-picture assertion. */
  byPort(): Record<string, Message[]> {
    const out: Record<string, Message[]> = {};
    for (const e of this.emitted) {
      out[e.port] ??= [];
      out[e.port].push(e.msg);
    }
    return out;
  }

  clear(): void {
    this.emitted.length = 0;
  }
}

export interface Derived {
  port: string;
  msg: Message;
  from: readonly Held[];
}

export interface TestNodeContext<C> extends NodeContext<C> {
  /** What the node emitted with `emitDerived` (each hold retained, as the engine does; the test releases them). */
  readonly derived: Derived[];
  readonly statuses: NodeStatus[];
  readonly events: Array<{ event: string; data: unknown }>;
  readonly logs: LogRecord[];
  readonly ingested: Ingested[];
  /** The last status set, if any. */
  readonly lastStatus: NodeStatus | undefined;
  /** Abort `signal` as the engine does when the node stops. */
  abort(): void;
  /** Log lines at `level` as text (the `msg` argument, else the object as JSON). */
  logText(level?: LogLevel): string[];
}

export interface TestContextOptions {
  nodeId?: string;
  name?: string;
  flowId?: string;
  /** Clients returned by `connection(id)`; an unknown id rejects. */
  connections?: Record<string, unknown>;
  /** Settings returned by `connectionConfig(id)`; an unknown id throws. */
  connectionConfigs?: Record<string, Record<string, unknown>>;
  /** Returned by `ingest`: e.g. a pending promise to simulate a full in-flight window. */
  ingestResult?: () => undefined | Promise<void>;
}

export function createTestContext<C>(config: C, options: TestContextOptions = {}): TestNodeContext<C> {
  const statuses: NodeStatus[] = [];
  const events: Array<{ event: string; data: unknown }> = [];
  const logs: LogRecord[] = [];
  const ingested: Ingested[] = [];
  const derived: Derived[] = [];
  const controller = new AbortController();
  const record =
    (level: LogLevel) =>
    (obj: object | string, msg?: string): void => {
      logs.push({ level, obj, msg });
    };
  const log: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };

  return {
    nodeId: options.nodeId ?? 'node-1',
    flowId: options.flowId,
    name: options.name ?? options.nodeId ?? 'node-1',
    config,
    log,
    signal: controller.signal,
    statuses,
    events,
    logs,
    ingested,
    derived,
    get lastStatus() {
      return statuses.at(-1);
    },
    status(status) {
      statuses.push({ ...status });
    },
    publish(event, data) {
      events.push({ event, data });
    },
    ingest(msg, settle) {
      ingested.push({ msg, settle });
      return options.ingestResult?.();
    },
    ingestFailed(msg, reason, settle) {
      ingested.push({ msg, settle, failedReason: reason });
      return options.ingestResult?.();
    },
    emitDerived(port, msg, from) {
      for (const h of from) h.retain();
      derived.push({ port, msg, from });
    },
    async connection<T>(connectionId: string): Promise<T> {
      if (!options.connections || !(connectionId in options.connections)) {
        throw new Error(`no connection "${connectionId}" in this test context`);
      }
      return options.connections[connectionId] as T;
    },
    connectionConfig<T = Record<string, unknown>>(connectionId: string): T {
      const found = options.connectionConfigs?.[connectionId];
      if (!found) throw new Error(`no connection "${connectionId}" in this test context`);
      return found as T;
    },
    abort() {
      controller.abort();
    },
    logText(level) {
      return logs
        .filter((l) => level === undefined || l.level === level)
        .map((l) => l.msg ?? (typeof l.obj === 'string' ? l.obj : JSON.stringify(l.obj)));
    },
  };
}

/** A node's config with its schema defaults filled in, as the engine gives it. */
export function configFor<S extends TSchema>(def: NodeDefinition<S>, partial: Partial<Static<S>>): Static<S> {
  return applyDefaults(def.config, partial) as Static<S>;
}

/** A message with test defaults (`id` "m1", topic "test/topic"); override any field. */
export function testMessage(init: Partial<Message> = {}): Message {
  return createMessage({ id: 'm1', topic: 'test/topic', timestamp: 1_700_000_000_000, ...init, payload: init.payload });
}

export interface TestNode<C> {
  readonly ctx: TestNodeContext<C>;
  readonly runtime: NodeRuntime;
  /** Everything emitted by every `send` so far. */
  readonly output: RecordingOutput;
  /** Calls `handle` and returns what this call emitted (also appended to `output`). Rejects as `handle` does. */
  send(msg: Message, port?: string): Promise<Emitted[]>;
  /** stopIntake, abort the signal, then stop: the engine's order. */
  stop(): Promise<void>;
}

/** create(ctx) then start(), as the engine does. */
export async function startNode<C>(
  create: CreateRuntime<C>,
  config: C,
  options: TestContextOptions = {},
): Promise<TestNode<C>> {
  const ctx = createTestContext(config, options);
  const runtime = await create(ctx);
  await runtime.start?.();
  const output = new RecordingOutput();
  return {
    ctx,
    runtime,
    output,
    async send(msg, port = 'in') {
      if (!runtime.handle) throw new Error('this node has no handle()');
      const mine = new RecordingOutput();
      const both: Output = {
        emit(p, m) {
          mine.emit(p, m);
          output.emit(p, m);
        },
      };
      await runtime.handle(msg, both, port);
      return mine.emitted;
    },
    async stop() {
      await runtime.stopIntake?.();
      ctx.abort();
      await runtime.stop?.();
    },
  };
}
