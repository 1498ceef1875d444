import { type CompiledExpression, compileExpression } from '../../src/expr/index.js';
import { Hold, isThenable, reasonOf } from '../../src/kit/index.js';
import { DeterministicError, ERROR_HEADER, type Message, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Held, Outcome } from '../../src/spec/runtime-contract.js';
import type { windowNode } from './definition.js';

type Config = Static<typeof windowNode.config>;

/** A held input: the message, its value and time, and how many open windows it is in. */
interface Item {
  hold: Hold;
  msg: Message;
  value: unknown;
  at: number;
  windows: number;
}

interface Win {
  start: number;
  end: number;
  items: Item[];
  /** Wall-clock time (Date.now()) at which a timer closes it; Infinity for count windows. */
  closeAt: number;
}

interface KeyState {
  key: unknown;
  keyText: string;
  /** Time windows by start. */
  windows: Map<number, Win>;
  /** Count windows: the messages of the open window (sliding: the last `count`). */
  buffer: Item[];
  sinceEmit: number;
  /** Event time: the end of the latest window that closed (a message for it or earlier is late). */
  closedUpTo: number;
}

const keyTextOf = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const iso = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

/** Evaluate `expr` over `input` (no expression: `fallback`), then `next` with the result; a Promise only if needed. */
function then<T>(
  expr: CompiledExpression | undefined,
  input: unknown,
  fallback: unknown,
  next: (v: unknown) => T,
): T | Promise<T> {
  if (!expr) return next(fallback);
  const v = expr.evaluate(input);
  return isThenable(v) ? Promise.resolve(v).then(next) : next(v);
}

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const where = `window "${ctx.nodeId}"`;
  const opts = { timeoutMs: c.timeoutMs };
  const keyExpr = c.key ? compileExpression(c.key, opts) : undefined;
  const numeric = c.aggregate === 'sum' || c.aggregate === 'avg' || c.aggregate === 'min' || c.aggregate === 'max';
  const valueExpr =
    c.aggregate === 'count' || c.aggregate === 'expression' ? undefined : compileExpression(c.value, opts);
  const reducer = c.aggregate === 'expression' ? compileExpression(c.expression, opts) : undefined;
  const byTime = c.by === 'time';
  const eventTime = byTime && c.time === 'event';
  const timeExpr = eventTime ? compileExpression(c.eventTime, opts) : undefined;
  const step = c.kind === 'sliding' ? c.slideMs : c.windowMs;
  const countStep = c.kind === 'sliding' ? c.slideCount : c.count;
  const lateness = eventTime ? c.allowedLatenessMs : 0;

  const keys = new Map<string, KeyState>();
  let held = 0;
  let maxEventTime = Number.NEGATIVE_INFINITY;
  /** The earliest event time (end + lateness) at which an open window closes. */
  let nextEventClose = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  let stopping = false;

  const stateOf = (key: unknown): KeyState => {
    const text = keyTextOf(key);
    let ks = keys.get(text);
    if (!ks) {
      ks = { key, keyText: text, windows: new Map(), buffer: [], sinceEmit: 0, closedUpTo: Number.NEGATIVE_INFINITY };
      keys.set(text, ks);
    }
    return ks;
  };

  const arm = (at: number) => {
    if (stopping || at >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(onTimer, Math.max(0, at - Date.now()));
  };

  function aggregateOf(ks: KeyState, start: number, end: number, items: Item[]): unknown | Promise<unknown> {
    const n = items.length;
    switch (c.aggregate) {
      case 'count':
        return n;
      case 'first':
        return items[0].value ?? null;
      case 'last':
        return items[n - 1].value ?? null;
      case 'expression':
        return reducer!.evaluate({
          key: ks.key,
          start: iso(start),
          end: iso(end),
          count: n,
          messages: items.map((i) => i.msg),
        });
    }
    let acc = c.aggregate === 'min' ? Number.POSITIVE_INFINITY : c.aggregate === 'max' ? Number.NEGATIVE_INFINITY : 0;
    for (const i of items) {
      const v = i.value as number;
      if (c.aggregate === 'min') acc = Math.min(acc, v);
      else if (c.aggregate === 'max') acc = Math.max(acc, v);
      else acc += v;
    }
    return c.aggregate === 'avg' ? acc / n : acc;
  }

  /** Emit the window's aggregate from its held inputs, then let go of the node's claim on each. */
  function emitWindow(ks: KeyState, start: number, end: number, items: Item[], id: string, watch?: Held): void {
    const holds: Held[] = items.map((i) => i.hold);
    if (watch) holds.push(watch);
    const last = items[items.length - 1].msg;
    const done = (result: unknown) => {
      const payload: Record<string, unknown> = {};
      if (keyExpr) payload.key = ks.key ?? null;
      payload.start = iso(start);
      payload.end = iso(end);
      payload.count = items.length;
      payload[c.aggregate === 'expression' ? 'value' : c.aggregate] = result ?? null;
      const msg: Message = { id, topic: last.topic, payload, headers: {}, timestamp: Date.now() };
      if (keyExpr) msg.key = ks.keyText;
      ctx.emitDerived('out', msg, holds);
      letGo(items);
    };
    const failed = (err: unknown) => {
      // The aggregate cannot be built (its expression failed): the window's messages go the way of a failure.
      const reason = `${where}: the aggregate expression failed: ${reasonOf(err)}`;
      const msg: Message = {
        id,
        topic: last.topic,
        payload: { key: ks.key ?? null, start: iso(start), end: iso(end), count: items.length },
        headers: { [ERROR_HEADER]: reason },
        timestamp: Date.now(),
      };
      ctx.emitDerived('error', msg, holds);
      letGo(items);
    };
    let result: unknown;
    try {
      result = aggregateOf(ks, start, end, items);
    } catch (err) {
      failed(err);
      return;
    }
    if (isThenable(result)) Promise.resolve(result).then(done, failed);
    else done(result);
  }

  function letGo(items: Item[]): void {
    for (const i of items) {
      if (--i.windows === 0) {
        held--;
        i.hold.release();
      }
    }
  }

  /**
   * Event time: an aggregate the source must redeliver (a sink down) reopens its window, so the redelivered messages
   * are taken into it again instead of being dropped as late (the aggregate keeps its id: an idempotent sink writes
   * it once). Told through a claim that rides along with the inputs' holds (see Held).
   */
  const reopened = new Set<string>();
  const windowName = (keyText: string, start: number) => `${keyText}\u0000${start}`;
  function reopenOnNack(keyText: string, start: number): Held {
    return {
      routed: false,
      retain() {},
      release(outcome) {
        if (outcome && !outcome.ok && !stopping) reopened.add(windowName(keyText, start));
      },
    };
  }

  function closeTimeWindow(ks: KeyState, w: Win): void {
    ks.windows.delete(w.start);
    if (w.end > ks.closedUpTo) ks.closedUpTo = w.end;
    reopened.delete(windowName(ks.keyText, w.start));
    const watch = eventTime ? reopenOnNack(ks.keyText, w.start) : undefined;
    emitWindow(ks, w.start, w.end, w.items, `${ctx.nodeId}:${ks.keyText}:${w.start}`, watch);
  }

  /** Close every time window due by the clock (`now`) or by event time; forget keys with nothing left to track. */
  function sweep(now: number): void {
    let nextAt = Number.POSITIVE_INFINITY;
    nextEventClose = Number.POSITIVE_INFINITY;
    for (const ks of keys.values()) {
      for (const w of ks.windows.values()) {
        // A reopened window closes by the clock only (the events passed it long ago).
        const byEvents =
          eventTime && w.end + lateness <= maxEventTime && !reopened.has(windowName(ks.keyText, w.start));
        if (w.closeAt <= now || byEvents) closeTimeWindow(ks, w);
        else {
          nextAt = Math.min(nextAt, w.closeAt);
          if (eventTime && !reopened.has(windowName(ks.keyText, w.start)))
            nextEventClose = Math.min(nextEventClose, w.end + lateness);
        }
      }
      forgetIfIdle(ks);
    }
    if (Number.isFinite(nextAt)) arm(nextAt);
  }

  /**
   * Forget a key with no open window, unless it must still remember which windows closed: with event time, until the
   * watermark alone says a message for them is late.
   */
  function forgetIfIdle(ks: KeyState): void {
    if (ks.windows.size > 0 || ks.buffer.length > 0) return;
    if (!eventTime || ks.closedUpTo + lateness <= maxEventTime) keys.delete(ks.keyText);
  }

  function onTimer(): void {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    sweep(Date.now());
  }

  /** Put a message into its windows; false when it is late (every window it belongs to has closed). */
  function addTimed(ks: KeyState, item: Item, t: number, now: number): boolean {
    const last = Math.floor(t / step) * step;
    let added = 0;
    for (let start = last; start + c.windowMs > t; start -= step) {
      const end = start + c.windowMs;
      const closed = eventTime && (end <= ks.closedUpTo || end + lateness <= maxEventTime);
      if (closed && !reopened.has(windowName(ks.keyText, start))) continue;
      let w = ks.windows.get(start);
      if (!w) {
        // Arrival time: the window closes when its end passes. Event time: by the events, or on a quiet stream
        // when its length and the lateness have passed since it opened.
        const closeAt = eventTime ? now + c.windowMs + lateness : end;
        w = { start, end, items: [], closeAt };
        ks.windows.set(start, w);
        arm(closeAt);
        if (eventTime && !closed) nextEventClose = Math.min(nextEventClose, end + lateness);
      }
      w.items.push(item);
      added++;
    }
    item.windows = added;
    return added > 0;
  }

  function addCounted(ks: KeyState, item: Item): void {
    item.windows = 1; // membership of the buffer
    ks.buffer.push(item);
    if (ks.buffer.length > c.count) letGo(ks.buffer.splice(0, ks.buffer.length - c.count));
    if (++ks.sinceEmit < countStep) return;
    ks.sinceEmit = 0;
    // Sliding: the buffer changes while an async aggregate runs, so the window gets its own list.
    const items = c.kind === 'tumbling' ? ks.buffer : ks.buffer.slice();
    const first = items[0];
    const last = items[items.length - 1];
    if (c.kind === 'tumbling') ks.buffer = [];
    else for (const i of items) i.windows++; // the emitted window's own claim, let go below
    emitWindow(ks, first.at, last.at, items, `${last.msg.id}:window`);
    if (ks.buffer.length === 0) keys.delete(ks.keyText);
  }

  /** Take a message whose key, value and time are known. Throws when it fails (bad value or time, late `error`). */
  function take(hold: Hold, msg: Message, key: unknown, value: unknown, time: unknown): void {
    if (numeric && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new DeterministicError(
        `${where}: the value is ${value === undefined ? 'missing' : JSON.stringify(value)}, not a number; ${c.aggregate} needs numbers (check "value": ${c.value})`,
      );
    }
    const now = Date.now();
    let t = now;
    if (eventTime) {
      t = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : Number.NaN;
      if (!Number.isFinite(t)) {
        throw new DeterministicError(
          `${where}: the event time is ${time === undefined ? 'missing' : JSON.stringify(time)}; "eventTime" (${c.eventTime}) must give epoch milliseconds or ISO 8601 text`,
        );
      }
    }
    const item: Item = { hold, msg, value: c.aggregate === 'count' ? undefined : value, at: t, windows: 0 };
    const ks = stateOf(key);
    if (!byTime) {
      held++;
      addCounted(ks, item);
      return;
    }
    if (!addTimed(ks, item, t, now)) {
      forgetIfIdle(ks);
      if (c.late === 'error') {
        throw new DeterministicError(
          `${where}: late message (event time ${iso(t)}, its windows closed); raise allowedLatenessMs to accept it`,
        );
      }
      hold.release(); // dropped on purpose: acknowledged, counted as dropped
      return;
    }
    held++;
    if (eventTime && t > maxEventTime) {
      maxEventTime = t;
      if (maxEventTime >= nextEventClose) sweep(now);
    }
  }

  const stopOutcome: Outcome = {
    ok: false,
    reason: `${where}: the flow stopped before the window closed; redelivered to the next deployment`,
  };

  function flushAll(): void {
    for (const ks of [...keys.values()]) {
      for (const w of [...ks.windows.values()]) closeTimeWindow(ks, w);
      if (ks.buffer.length > 0) {
        const items = ks.buffer;
        ks.buffer = [];
        // A sliding window with nothing new since its last aggregate is not emitted again: its messages just leave.
        if (c.kind === 'sliding' && ks.sinceEmit === 0) letGo(items);
        else emitWindow(ks, items[0].at, items[items.length - 1].at, items, `${items[items.length - 1].msg.id}:window`);
      }
    }
    keys.clear();
  }

  function giveBack(): void {
    const items = new Set<Item>();
    for (const ks of keys.values()) {
      for (const w of ks.windows.values()) for (const i of w.items) items.add(i);
      for (const i of ks.buffer) items.add(i);
    }
    keys.clear();
    for (const i of items) {
      i.windows = 0;
      held--;
      i.hold.release(stopOutcome);
    }
  }

  return {
    handle(msg) {
      const hold = new Hold();
      if (stopping && c.onStop === 'redeliver') {
        hold.release(stopOutcome);
        return hold;
      }
      const r = then(keyExpr, msg, undefined, (key) =>
        then(valueExpr, msg, undefined, (value) =>
          then(timeExpr, msg, undefined, (time) => {
            take(hold, msg, key, value, time);
            if (stopping) flushAll(); // a straggler after a flush-on-stop: emitted at once
          }),
        ),
      );
      if (isThenable(r)) Promise.resolve(r).catch((err: unknown) => hold.fail(err));
      return hold;
    },
    stopIntake() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (c.onStop === 'flush') flushAll();
      else giveBack();
    },
    stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      giveBack(); // anything still held (stop without stopIntake): not acknowledged
    },
    snapshot() {
      let windows = 0;
      for (const ks of keys.values()) windows += byTime ? ks.windows.size : ks.buffer.length > 0 ? 1 : 0;
      return { held, keys: keys.size, windows };
    },
  };
};
