import { compileExpression } from '../../src/expr/index.js';
import { Holds, isThenable } from '../../src/kit/index.js';
import { type Message, markFailure, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import type { delay } from './definition.js';

type Config = Static<typeof delay.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  if (c.mode === 'per-message' && !c.delay?.trim()) {
    throw new Error(
      `delay "${ctx.nodeId}": per-message delay needs a delay expression; set "delay" (e.g. payload.delayMs)`,
    );
  }
  const expr = c.mode === 'per-message' ? compileExpression(c.delay as string, { timeoutMs: c.timeoutMs }) : undefined;
  const holds = new Holds();
  let passed = 0;

  function hold(msg: Message, out: Output, ms: number): Promise<void> {
    return holds.hold(ms, () => {
      passed++;
      out.emit('out', msg);
    });
  }

  function msOf(v: unknown): number {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || Number.isNaN(n)) {
      throw markFailure(
        new Error(
          `the delay expression gave ${v === undefined ? 'no value' : JSON.stringify(v)}, not a number of ms; make it give a number`,
        ),
        'deterministic',
      );
    }
    return Math.min(Math.max(n, 0), c.maxDelayMs);
  }

  return {
    handle(msg, out) {
      if (!expr) return hold(msg, out, c.delayMs);
      const v = expr.evaluate(msg);
      if (isThenable(v)) return Promise.resolve(v).then((ms) => hold(msg, out, msOf(ms)));
      return hold(msg, out, msOf(v));
    },
    stop() {
      holds.release();
    },
    snapshot() {
      return { held: holds.size, passed };
    },
  };
};
