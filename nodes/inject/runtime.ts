import { setTimeout as sleep } from 'node:timers/promises';
import { createMessage, type Message, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Outcome } from '../../src/spec/runtime-contract.js';
import type { inject } from './definition.js';

type Config = Static<typeof inject.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const { config } = ctx;
  // Parsed once: lint refuses a JSON payload that does not parse, so this only throws for an unvalidated flow.
  const json: unknown = config.payloadType === 'json' ? JSON.parse(config.payload) : undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  const stopper = new AbortController();
  let sent = 0;
  let delivered = 0;
  let failed = 0;

  function message(): Message {
    const payload =
      config.payloadType === 'timestamp'
        ? Date.now()
        : config.payloadType === 'text'
          ? config.payload
          : // A copy each time: a node downstream that changes the payload must not change the next message.
            structuredClone(json);
    return createMessage({ topic: config.topic, key: config.key, payload: payload ?? null });
  }

  /** Sends one message; `told` hears how it ended. Resolves when the flow has room for the next (back pressure). */
  function send(told?: (outcome: Outcome) => void): undefined | Promise<void> {
    sent++;
    return ctx.ingest(message(), (outcome) => {
      if (outcome.ok && outcome.dropped === undefined) delivered++;
      else failed++;
      told?.(outcome);
    });
  }

  async function wait(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: stopper.signal }).catch(() => undefined);
  }

  async function run(): Promise<void> {
    if (config.onceAtStart) {
      await wait(config.onceDelayMs);
      if (!running) return;
      await send();
    }
    if (config.intervalMs <= 0) return;
    const startedAt = performance.now();
    let n = 0;
    while (running) {
      n++;
      // Drift-free pacing: the n-th repeat is due at start + n * interval.
      const due = startedAt + n * config.intervalMs - performance.now();
      if (due > 0) await wait(due);
      if (!running) return;
      await send();
    }
  }

  return {
    start() {
      running = true;
      loop = run().catch((err) => {
        ctx.status({ state: 'error', reason: err instanceof Error ? err.message : String(err) });
      });
    },
    trigger() {
      if (!running) return Promise.reject(new Error(`inject "${ctx.nodeId}": the flow is stopping; deploy it again`));
      return new Promise<Outcome>((resolve) => {
        void send(resolve);
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
    snapshot: () => ({ sent, delivered, failed }),
  };
};
