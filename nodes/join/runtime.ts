import { compileExpression } from '../../src/expr/index.js';
import { Hold, isThenable } from '../../src/kit/index.js';
import { DeterministicError, type Message, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Outcome } from '../../src/spec/runtime-contract.js';
import {
  SPLIT_COUNT,
  SPLIT_HEADERS,
  SPLIT_ID,
  SPLIT_INDEX,
  SPLIT_SEPARATOR,
  SPLIT_TYPE,
} from '../../src/spec/split-headers.js';
import type { join } from './definition.js';

type Config = Static<typeof join.config>;

interface Part {
  hold: Hold;
  msg: Message;
  value: unknown;
  property: string | undefined;
  index: number;
}

interface Group {
  name: string;
  key: unknown;
  keyText: string;
  parts: Part[];
  /** Split mode: the distinct indexes seen (a duplicate part is held too, but counted once). */
  indexes: Set<number>;
  expected: number;
  timer: NodeJS.Timeout | undefined;
}

const keyTextOf = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const textOf = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : v === undefined || v === null
      ? ''
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const where = `join "${ctx.nodeId}"`;
  const opts = { timeoutMs: c.timeoutMs };
  const keyExpr = c.mode !== 'split' && c.key ? compileExpression(c.key, opts) : undefined;
  const valueExpr = compileExpression(c.value, opts);
  const propertyExpr = c.output === 'object' || c.output === 'auto' ? compileExpression(c.property, opts) : undefined;
  const groups = new Map<string, Group>();
  let held = 0;
  let stopping = false;
  const stopOutcome: Outcome = {
    ok: false,
    reason: `${where}: the flow stopped before the group was complete; redelivered to the next deployment`,
  };

  const kindOf = (first: Message): 'array' | 'object' | 'string' => {
    if (c.output !== 'auto') return c.output;
    const t = first.headers[SPLIT_TYPE];
    return t === 'object' || t === 'string' ? t : 'array';
  };

  function emit(g: Group, complete: boolean): void {
    groups.delete(g.name);
    if (g.timer) clearTimeout(g.timer);
    let parts = g.parts;
    if (c.mode === 'split') {
      // In split order, each index once (a duplicate part is acknowledged with the group, not joined twice).
      const seen = new Set<number>();
      parts = [...parts].sort((a, b) => a.index - b.index).filter((p) => !seen.has(p.index) && seen.add(p.index));
    }
    const first = g.parts[0].msg;
    const last = g.parts[g.parts.length - 1].msg;
    const kind = kindOf(first);
    let payload: unknown;
    if (kind === 'array') payload = parts.map((p) => p.value ?? null);
    else if (kind === 'object') {
      const obj: Record<string, unknown> = {};
      for (const p of parts) obj[p.property ?? ''] = p.value ?? null;
      payload = obj;
    } else {
      const sep = c.output === 'auto' ? (first.headers[SPLIT_SEPARATOR] ?? c.separator) : c.separator;
      payload = parts.map((p) => textOf(p.value)).join(sep);
    }
    let msg: Message;
    if (c.mode === 'split') {
      const headers = { ...first.headers };
      for (const h of SPLIT_HEADERS) delete headers[h];
      msg = {
        id: first.headers[SPLIT_ID],
        topic: first.topic,
        key: first.key,
        payload,
        headers,
        timestamp: first.timestamp,
      };
    } else {
      const id = `${(c.mode === 'count' ? last : first).id}:join`;
      msg = { id, topic: first.topic, payload, headers: {}, timestamp: Date.now() };
      if (keyExpr) msg.key = g.keyText;
    }
    if (!complete) msg.headers['join-complete'] = 'false';
    ctx.emitDerived(
      'out',
      msg,
      g.parts.map((p) => p.hold),
    );
    held -= g.parts.length;
    for (const p of g.parts) p.hold.release();
  }

  function take(hold: Hold, msg: Message, key: unknown, value: unknown, property: unknown): void {
    let name: string;
    let expected: number;
    let index = 0;
    if (c.mode === 'split') {
      const id = msg.headers[SPLIT_ID];
      index = Number(msg.headers[SPLIT_INDEX]);
      expected = Number(msg.headers[SPLIT_COUNT]);
      if (id === undefined || !Number.isInteger(index) || !Number.isInteger(expected) || expected < 1) {
        throw new DeterministicError(
          `${where}: the message is not a part of a split (no valid split-id, split-index and split-count headers); put a split before this join, or use mode count or time`,
        );
      }
      name = `s:${id}`;
    } else {
      name = `k:${keyTextOf(key)}`;
      expected = c.mode === 'count' ? c.count : Number.POSITIVE_INFINITY;
    }
    let g = groups.get(name);
    if (!g) {
      g = { name, key, keyText: keyTextOf(key), parts: [], indexes: new Set(), expected, timer: undefined };
      groups.set(name, g);
      const group = g;
      const waitMs = c.mode === 'time' ? c.spanMs : c.maxWaitMs;
      if (waitMs > 0) g.timer = setTimeout(() => emit(group, c.mode === 'time'), waitMs);
    }
    const prop = property === undefined ? undefined : textOf(property);
    g.parts.push({ hold, msg, value, property: prop, index });
    held++;
    if (c.mode === 'split') g.indexes.add(index);
    const size = c.mode === 'split' ? g.indexes.size : g.parts.length;
    if (size >= g.expected) emit(g, true);
  }

  const evaluate = (expr: typeof valueExpr | undefined, msg: Message, next: (v: unknown) => void): unknown =>
    expr ? then(expr.evaluate(msg), next) : next(undefined);
  const then = (v: unknown, next: (v: unknown) => void): unknown =>
    isThenable(v) ? Promise.resolve(v).then(next) : next(v);

  return {
    handle(msg) {
      const hold = new Hold();
      if (stopping && c.onStop === 'redeliver') {
        hold.release(stopOutcome);
        return hold;
      }
      const wantsProperty = propertyExpr && (c.output === 'object' || msg.headers[SPLIT_TYPE] === 'object');
      const r = evaluate(keyExpr, msg, (key) =>
        evaluate(valueExpr, msg, (value) =>
          evaluate(wantsProperty ? propertyExpr : undefined, msg, (property) => {
            take(hold, msg, key, value, property);
            if (stopping) for (const g of [...groups.values()]) emit(g, false);
          }),
        ),
      );
      if (isThenable(r)) Promise.resolve(r).catch((err: unknown) => hold.fail(err));
      return hold;
    },
    stopIntake() {
      stopping = true;
      const open = [...groups.values()];
      if (c.onStop === 'flush') {
        for (const g of open) emit(g, c.mode === 'time');
        return;
      }
      groups.clear();
      for (const g of open) {
        if (g.timer) clearTimeout(g.timer);
        held -= g.parts.length;
        for (const p of g.parts) p.hold.release(stopOutcome);
      }
    },
    stop() {
      stopping = true;
      for (const g of groups.values()) {
        if (g.timer) clearTimeout(g.timer);
        for (const p of g.parts) p.hold.release(stopOutcome);
      }
      groups.clear();
      held = 0;
    },
    snapshot() {
      return { held, groups: groups.size };
    },
  };
};
