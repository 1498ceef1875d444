import { compileExpression } from '../../src/expr/index.js';
import { isThenable, Lru } from '../../src/kit/index.js';
import { type Message, markFailure, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import type { deadband } from './definition.js';

type Config = Static<typeof deadband.config>;

/** What passed last for one key. A new object per pass, so a late settle can tell whether it is still current. */
interface Last {
  value: unknown;
  /** JSON of the value (mode `change`). */
  json?: string;
  at: number;
}

function numberOf(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw markFailure(
    new Error(
      `the value is not a number (${v === undefined ? 'no value' : JSON.stringify(v)}); make "value" give a number, or use mode "change"`,
    ),
    'deterministic',
  );
}

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const opts = { timeoutMs: c.timeoutMs };
  const keyOf = compileExpression(c.key, opts);
  const valueExpr = compileExpression(c.value, opts);
  /** key -> last passed, bounded by maxKeys (least recently updated forgotten first). */
  const state = new Lru<Last>(c.maxKeys);
  const stats = { passed: 0, suppressed: 0, heartbeats: 0, forgotten: 0 };
  const pct = c.threshold / 100;

  function moved(last: Last, value: unknown, json: string | undefined): boolean {
    switch (c.mode) {
      case 'change':
        return json !== last.json;
      case 'percent': {
        const from = last.value as number;
        const delta = Math.abs((value as number) - from);
        return from === 0 ? delta > 0 : delta > Math.abs(from) * pct;
      }
      default:
        return Math.abs((value as number) - (last.value as number)) > c.threshold;
    }
  }

  function decide(msg: Message, out: Output, rawKey: unknown, raw: unknown): void {
    const key = rawKey === undefined ? '' : typeof rawKey === 'string' ? rawKey : JSON.stringify(rawKey);
    const value = c.mode === 'change' ? raw : numberOf(raw);
    const json = c.mode === 'change' ? (JSON.stringify(raw) ?? 'undefined') : undefined;
    const now = Date.now();
    const last = state.get(key);
    if (last !== undefined && !moved(last, value, json)) {
      if (c.maxSilenceMs === 0 || now - last.at < c.maxSilenceMs) {
        stats.suppressed++;
        return; // not emitting: dropped on purpose, counted by the engine, acknowledged
      }
      stats.heartbeats++;
    }
    const next: Last = { value, json, at: now };
    state.set(key, next); // the most recently updated; past the bound the least recently updated key goes
    stats.passed++;
    // Not delivered after all (the source redelivers it): forget the key, so the value is not taken as reported.
    out.onSettled?.((outcome) => {
      if (!outcome.ok && state.get(key) === next) {
        state.delete(key);
        stats.forgotten++;
      }
    });
    out.emit('out', msg);
  }

  return {
    handle(msg, out) {
      const k = keyOf.evaluate(msg);
      const v = valueExpr.evaluate(msg);
      if (isThenable(k) || isThenable(v)) {
        return Promise.all([k, v]).then(([key, value]) => decide(msg, out, key, value));
      }
      decide(msg, out, k, v);
    },
    snapshot() {
      return { keys: state.size, maxKeys: c.maxKeys, ...stats, evicted: state.evicted };
    },
  };
};
