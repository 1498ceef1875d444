import { type CompiledExpression, compileExpression } from '../../src/expr/index.js';
import { isThenable } from '../../src/kit/index.js';
import { clonePayload, type Message, markFailure, type Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { change } from './definition.js';
import { type FieldPath, type Fields, getField, parseFieldPath, setField } from './paths.js';

type Config = Static<typeof change.config>;

/** A rule compiled once: where it writes and how it gets its value. */
interface Step {
  label: string;
  action: 'set' | 'move' | 'copy' | 'delete';
  field: FieldPath;
  to?: FieldPath;
  /** set: a literal (copied per message when it is an object), another field, or an expression. */
  literal?: unknown;
  from?: FieldPath;
  expr?: CompiledExpression;
}

function pathOf(text: string | undefined, where: string): FieldPath {
  const p = parseFieldPath(text ?? '');
  if (p instanceof Error) throw new Error(`${where}: ${p.message}`);
  return p;
}

function compile(rules: Config['rules'], timeoutMs: number, nodeId: string): Step[] {
  return rules.map((r, i) => {
    const where = `change "${nodeId}": rule ${i + 1}`;
    const step: Step = {
      label: `rule ${i + 1} (${r.action} ${r.field})`,
      action: r.action,
      field: pathOf(r.field, where),
    };
    if (r.action === 'move' || r.action === 'copy') step.to = pathOf(r.to, `${where}, "to"`);
    if (r.action !== 'set') return step;
    const value = r.value ?? '';
    switch (r.valueType ?? 'string') {
      case 'string':
        step.literal = value;
        break;
      case 'json':
        try {
          step.literal = JSON.parse(value);
        } catch (err) {
          throw new Error(`${where}: the value is not JSON (${(err as Error).message}); write JSON or choose "string"`);
        }
        break;
      case 'field':
        step.from = pathOf(value, `${where}, value`);
        break;
      case 'jsonata':
        try {
          step.expr = compileExpression(value, { timeoutMs });
        } catch (err) {
          throw new Error(`${where}: ${(err as Error).message}; fix the expression`);
        }
        break;
    }
    return step;
  });
}

/** The message being changed: a new object sharing the input's parts until a rule replaces one. */
interface Work extends Fields {
  msg: Message;
}

function fail(step: Step, err: unknown): never {
  // The message itself is the problem: the same rule fails the same way on a redelivery.
  throw markFailure(new Error(`${step.label}: ${err instanceof Error ? err.message : String(err)}`), 'deterministic');
}

function apply(w: Work, step: Step, value: unknown): void {
  try {
    switch (step.action) {
      case 'set':
        setField(w, step.field, value);
        return;
      case 'delete':
        setField(w, step.field, undefined);
        return;
      default: {
        const v = getField(w, step.field);
        if (v === undefined) return; // nothing to move or copy
        const to = step.to as FieldPath;
        if (step.action === 'move') {
          setField(w, step.field, undefined);
          setField(w, to, v);
        } else setField(w, to, clonePayload(v));
      }
    }
  } catch (err) {
    fail(step, err);
  }
}

/** A step's value for `set`: synchronous unless an expression needs jsonata's interpreter. */
function setValue(w: Work, step: Step): unknown {
  if (step.expr) {
    let v: unknown;
    try {
      // The expression sees the message as the rules so far left it.
      v = step.expr.evaluate(current(w));
    } catch (err) {
      fail(step, err);
    }
    return isThenable(v) ? Promise.resolve(v).catch((err: unknown) => fail(step, err)) : v;
  }
  if (step.from) return getField(w, step.from);
  const lit = step.literal;
  return typeof lit === 'object' && lit !== null ? clonePayload(lit) : lit;
}

function current(w: Work): Message {
  const m = w.msg;
  return {
    id: m.id,
    topic: w.topic,
    key: w.key,
    payload: w.payload,
    headers: w.headers,
    wire: m.wire,
    timestamp: m.timestamp,
  };
}

export const create: CreateRuntime<Config> = (ctx) => {
  const steps = compile(ctx.config.rules, ctx.config.timeoutMs, ctx.nodeId);

  /** Applies steps from `i` on; returns a promise only when an expression went to the interpreter. */
  function run(w: Work, i: number): void | Promise<void> {
    for (; i < steps.length; i++) {
      const step = steps[i];
      if (step.action !== 'set') {
        apply(w, step, undefined);
        continue;
      }
      const v = setValue(w, step);
      if (isThenable(v)) {
        const next = i + 1;
        return (v as Promise<unknown>).then((resolved) => {
          apply(w, step, resolved);
          return run(w, next);
        });
      }
      apply(w, step, v);
    }
  }

  return {
    handle(msg, out) {
      const w: Work = {
        msg,
        payload: msg.payload,
        topic: msg.topic,
        key: msg.key,
        headers: msg.headers,
        headersOwned: false,
        payloadOwned: false,
      };
      const r = run(w, 0);
      if (r) return r.then(() => out.emit('out', current(w)));
      out.emit('out', current(w));
    },
  };
};
