import { setTimeout as sleep } from 'node:timers/promises';
import { compileExpression } from '../../src/expr/index.js';
import { isThenable } from '../../src/kit/index.js';
import { createMessage, type Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { generate } from './definition.js';

type Config = Static<typeof generate.config>;

/** Yield to the event loop this often when sending flat out, so timers and sockets keep running. */
const YIELD_EVERY = 512;

export const create: CreateRuntime<Config> = (ctx) => {
  const { config } = ctx;
  const payload = compileExpression(config.payload);
  const key = config.key ? compileExpression(config.key) : undefined;
  const intervalMs = config.rate ? 1000 / config.rate : config.intervalMs;
  let running = false;
  let loop: Promise<void> | undefined;
  let seq = 0;
  const stopper = new AbortController();

  async function evaluate(expr: ReturnType<typeof compileExpression>, bindings: Record<string, unknown>) {
    const r = expr.evaluate({}, bindings);
    return isThenable(r) ? await r : r;
  }

  async function run(): Promise<void> {
    const startedAt = performance.now();
    while (running && (config.count === 0 || seq < config.count)) {
      seq++;
      const bindings = { seq };
      let wait: Promise<void> | undefined;
      try {
        const value = await evaluate(payload, bindings);
        const k = key ? await evaluate(key, bindings) : undefined;
        wait = ctx.ingest(
          createMessage({ topic: config.topic, key: k === undefined ? undefined : String(k), payload: value ?? null }),
        );
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        wait = ctx.ingestFailed(createMessage({ topic: config.topic, payload: null }), `payload template: ${reason}`);
      }
      if (wait) await wait;
      if (intervalMs > 0) {
        // Drift-free pacing: the n-th message is due at start + n * interval.
        const due = startedAt + seq * intervalMs - performance.now();
        if (due > 0) await sleep(due, undefined, { signal: stopper.signal }).catch(() => undefined);
      } else if (seq % YIELD_EVERY === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
    if (running) ctx.status({ state: 'idle', reason: `done: sent ${seq} messages` });
  }

  return {
    start() {
      running = true;
      loop = run().catch((err) => {
        ctx.status({ state: 'error', reason: err instanceof Error ? err.message : String(err) });
      });
    },
    stopIntake() {
      running = false;
      stopper.abort();
    },
    async stop() {
      running = false;
      stopper.abort();
      await loop;
    },
    snapshot: () => ({ sent: seq }),
  };
};
