import { compileExpression } from '../../src/expr/index.js';
import { Holds, isThenable, Lru } from '../../src/kit/index.js';
import type { Message, Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import type { rateLimit } from './definition.js';

type Config = Static<typeof rateLimit.config>;

/**
 * The times of the last `limit` messages of one key (a ring): a message may pass at `now` when the oldest of them is
 * at least an interval old. Waiting messages reserve their future time here, so later ones queue behind them.
 */
class Window {
  readonly times: Float64Array;
  head = 0;

  constructor(limit: number) {
    this.times = new Float64Array(limit).fill(Number.NEGATIVE_INFINITY);
  }

  /** When the next message may pass (now or later). */
  next(now: number, intervalMs: number): number {
    const free = this.times[this.head] + intervalMs;
    return Math.max(free, now);
  }

  take(at: number): void {
    this.times[this.head] = at;
    this.head = (this.head + 1) % this.times.length;
  }
}

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const keyOf = c.key ? compileExpression(c.key, { timeoutMs: c.timeoutMs }) : undefined;
  const overall = new Window(c.limit);
  /** Per key, bounded by maxKeys (least recently used forgotten first). */
  const windows = new Lru<Window>(c.maxKeys);
  const holds = new Holds();
  const stats = { passed: 0, waited: 0, dropped: 0 };

  function windowOf(rawKey: unknown): Window {
    const key = rawKey === undefined ? '' : typeof rawKey === 'string' ? rawKey : JSON.stringify(rawKey);
    let w = windows.get(key, true);
    if (!w) {
      w = new Window(c.limit);
      windows.set(key, w); // past maxKeys the least recently used key's window is forgotten
    }
    return w;
  }

  function decide(msg: Message, out: Output, w: Window): void | Promise<void> {
    const now = performance.now();
    const at = w.next(now, c.intervalMs);
    if (at === now) {
      w.take(now);
      stats.passed++;
      out.emit('out', msg);
      return;
    }
    if (c.mode === 'drop') {
      stats.dropped++;
      return; // not emitting: dropped on purpose, counted by the engine, acknowledged
    }
    w.take(at);
    stats.waited++;
    // Held: the lineage stays open (and counts against the source's window) until the message is passed on.
    return holds.hold(at - now, () => {
      stats.passed++;
      out.emit('out', msg);
    });
  }

  return {
    handle(msg, out) {
      if (!keyOf) return decide(msg, out, overall);
      const k = keyOf.evaluate(msg);
      if (isThenable(k)) return Promise.resolve(k).then((key) => decide(msg, out, windowOf(key)));
      return decide(msg, out, windowOf(k));
    },
    stop() {
      holds.release();
    },
    snapshot() {
      return { ...stats, evicted: windows.evicted, waiting: holds.size, keys: keyOf ? windows.size : 1 };
    },
  };
};
