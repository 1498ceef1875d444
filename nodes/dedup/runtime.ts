import { compileExpression } from '../../src/expr/index.js';
import { isThenable, Lru } from '../../src/kit/index.js';
import { type Message, markFailure, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import type { dedup } from './definition.js';
import { DurableKeys } from './store.js';

type Config = Static<typeof dedup.config>;

function keyText(value: unknown): string {
  if (value === undefined) {
    throw markFailure(
      new Error('the key expression gave no value for this message; make it give one for every message'),
      'deterministic',
    );
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function openDurable(c: Config, scope: string, nodeId: string): DurableKeys {
  try {
    return new DurableKeys(c.stateFile, scope, c.maxKeys, c.windowMs);
  } catch (err) {
    throw new Error(`dedup "${nodeId}": cannot open the state file: ${(err as Error).message}`);
  }
}

/** A key in the state file; a file that cannot be read now is the world's problem: the source redelivers later. */
function lookUp(durable: DurableKeys, key: string): number | undefined {
  try {
    return durable.seenAt(key);
  } catch (err) {
    throw markFailure(new Error(`cannot read the state file: ${(err as Error).message}`), 'transient');
  }
}

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const keyOf = compileExpression(c.key, { timeoutMs: c.timeoutMs });
  const durable = c.durable ? openDurable(c, `${ctx.flowId ?? ''}/${ctx.nodeId}`, ctx.nodeId) : undefined;
  /** key -> when it passed; bounded: past maxKeys the least recently seen key goes (a later copy of it passes again). */
  const seen = new Lru<number>(c.maxKeys);
  const stats = { passed: 0, duplicates: 0, forgotten: 0 };

  const fresh = (at: number, now: number) => c.windowMs === 0 || now - at < c.windowMs;

  function decide(msg: Message, out: Output, value: unknown): void {
    const key = keyText(value);
    const now = Date.now();
    const at = seen.get(key);
    if (at !== undefined) {
      if (fresh(at, now)) {
        seen.get(key, true); // a duplicate makes its key recent
        stats.duplicates++;
        return; // not emitting: a deliberate drop, counted by the engine; the source acknowledges it
      }
      seen.delete(key);
    } else if (durable) {
      const stored = lookUp(durable, key);
      if (stored !== undefined && fresh(stored, now)) {
        seen.set(key, stored);
        stats.duplicates++;
        return;
      }
    }
    seen.set(key, now);
    stats.passed++;
    // Forget the key if this message is not delivered after all (its source redelivers it: that copy must pass);
    // durable: write it before the source acknowledges, so a redelivery after a crash is recognised.
    out.onSettled?.((outcome) => {
      if (!outcome.ok) {
        if (seen.get(key) === now) {
          seen.delete(key);
          stats.forgotten++;
        }
      } else if (durable) {
        try {
          durable.record(key, now);
        } catch (err) {
          // Not recorded: a redelivery of this message after a crash would pass again (at least once still holds).
          ctx.log.warn({ err: (err as Error).message }, 'dedup could not write a key to its state file');
        }
      }
    });
    out.emit('out', msg);
  }

  return {
    handle(msg, out) {
      const value = keyOf.evaluate(msg);
      if (isThenable(value)) return Promise.resolve(value).then((v) => decide(msg, out, v));
      decide(msg, out, value);
    },
    stop() {
      durable?.close();
    },
    snapshot() {
      return { keys: seen.size, maxKeys: c.maxKeys, ...stats, evicted: seen.evicted };
    },
  };
};
