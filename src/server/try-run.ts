/**
 * Try it without deploying: run one sample message through a flow in a separate, traced engine whose sources
 * and sinks are recording stand-ins, and report what every node emitted. Bounded in time and steps.
 */
import { hasErrors } from '../flow/problem.js';
import { createFlowValidator } from '../flow/validate.js';
import { Engine, type NodeEvent, type TraceEvent } from '../runtime/engine.js';
import { StartupError } from '../runtime/errors.js';
import { loadNodeRuntime } from '../runtime/loader.js';
import type { SluiceLogger } from '../runtime/log.js';
import type { ResolveEnv } from '../runtime/resolve-config.js';
import { cloneMessage, createMessage, type Message } from '../spec/message.js';
import { type Catalog, ERROR_PORT, findNodeType, outputPorts } from '../spec/node-definition.js';
import { ApiError } from './errors.js';
import type { TryResult, TryStep } from './protocol.js';
import type { FlowObject } from './store.js';
import { buildTrialFlow } from './try-flow.js';
import { needsStandIn, StandIns, tryCatalog } from './try-standins.js';

export interface TryInput {
  flow: FlowObject;
  nodeId: string;
  message: { payload: unknown; topic?: string; key?: string; headers?: Record<string, string> };
}

export interface TryLimits {
  timeMs: number;
  maxSteps: number;
}

export const DEFAULT_TRY_LIMITS: TryLimits = { timeMs: 5000, maxSteps: 1000 };

/**
 * A trial reads no secrets: `${env:X}` and `${file:/p}` stay as their own text. The request carries its own
 * flow, so resolving them would let any editor read the server's environment and files through `steps`.
 */
const PLACEHOLDERS: ResolveEnv = {
  env: new Proxy<Record<string, string | undefined>>(
    {},
    { get: (_t, name) => (typeof name === 'string' ? `\${env:${name}}` : undefined) },
  ),
  readFile: (path) => `\${file:${path}}`,
};

function debugStep(e: NodeEvent): TryStep | undefined {
  const d = e.data;
  if (typeof d !== 'object' || d === null) return undefined;
  const entry = d as {
    id?: unknown;
    topic?: unknown;
    key?: unknown;
    payload?: unknown;
    headers?: unknown;
    time?: unknown;
  };
  const message: Message = {
    id: String(entry.id ?? ''),
    topic: typeof entry.topic === 'string' ? entry.topic : undefined,
    key: typeof entry.key === 'string' ? entry.key : undefined,
    payload: entry.payload,
    headers: (entry.headers ?? {}) as Record<string, string>,
    timestamp: typeof entry.time === 'number' ? entry.time : Date.now(),
  };
  return { nodeId: e.nodeId, port: 'in', message };
}

export async function runTry(
  input: TryInput,
  catalog: Catalog,
  log: SluiceLogger,
  limits = DEFAULT_TRY_LIMITS,
): Promise<TryResult> {
  const trial = buildTrialFlow(input.flow, input.nodeId, catalog);
  const cat = tryCatalog(catalog);
  const { problems } = createFlowValidator(cat).validate(trial.flow);
  if (hasErrors(problems)) {
    throw new ApiError(
      400,
      'invalid-flow',
      'the part of the flow this message would run through has problems',
      trial.mapProblems(problems),
    );
  }

  const standIns = new StandIns();
  const engine = new Engine({
    catalog: cat,
    log: log.child({ trial: input.nodeId }),
    trace: true,
    resolve: PLACEHOLDERS,
    loadRuntime: async (type) => {
      const def = findNodeType(cat, type);
      if (def && needsStandIn(def)) return def.inputs.length === 0 ? standIns.source : standIns.sink;
      return loadNodeRuntime(type, { trial: true });
    },
  });

  const steps: TryStep[] = [];
  let truncated = false;
  let finish: (error: string | undefined) => void = () => undefined;
  const done = new Promise<string | undefined>((resolve) => {
    finish = resolve;
  });
  const record = (list: TryStep[], step: TryStep) => {
    if (list.length < limits.maxSteps) {
      list.push(step);
      return;
    }
    truncated = true;
    finish(`stopped after ${limits.maxSteps} steps`);
  };
  engine.on('trace', (t: TraceEvent) => record(steps, t));
  engine.on('event', (e: NodeEvent) => {
    const step = e.event === 'debug' ? debugStep(e) : undefined;
    if (step) record(standIns.delivered, step);
  });

  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`stopped at the time limit of ${limits.timeMs / 1000} s`), limits.timeMs);
  });
  const starting = engine.start(trial.flow);
  let started = false;
  const result = (error: string | undefined): TryResult => ({
    // Copies: a message still in flight may add steps while the engine stops.
    steps: steps.slice(),
    delivered: standIns.delivered.slice(),
    ...(error === undefined ? {} : { error }),
    ...(truncated ? { truncated } : {}),
  });
  try {
    started = await Promise.race([starting.then(() => true), timeUp.then(() => false)]);
    if (!started) return result('the flow did not start within the time limit');

    const ctx = standIns.sources.get(trial.entryId);
    if (!ctx) throw new Error(`no stand-in for entry node ${trial.entryId}`);
    const msg = createMessage({ ...input.message, headers: { ...input.message.headers } });
    if (!trial.injectId) {
      // The chosen node is a source: its own emission is the first step.
      const spec = (trial.flow.nodes as Array<{ id: string; type: string; config: unknown }>).find(
        (n) => n.id === trial.entryId,
      )!;
      const def = findNodeType(cat, spec.type)!;
      const port = outputPorts(def, spec.config).find((p) => p.name !== ERROR_PORT)?.name ?? 'out';
      steps.push({ nodeId: trial.entryId, port, message: cloneMessage(msg) });
    }
    // A dropped message (a deterministic failure no route took) failed as much as a nacked one: show why.
    void ctx.ingest(msg, (outcome) => finish(outcome.ok ? outcome.dropped : outcome.reason));
    return result(await Promise.race([done, timeUp]));
  } catch (err) {
    if (err instanceof StartupError) {
      throw new ApiError(
        400,
        'startup-failed',
        err.message,
        err.problems.length ? trial.mapProblems(err.problems) : undefined,
      );
    }
    throw err;
  } finally {
    clearTimeout(timer);
    if (started) await engine.stop({ deadlineMs: 0 });
    else {
      // A start that outlived the limit is stopped once it finishes (a failed start has unwound itself).
      void starting.then(
        () => engine.stop({ deadlineMs: 0 }),
        () => undefined,
      );
    }
  }
}
