import { type CompiledExpression, compileExpression } from '../../src/expr/index.js';
import { isThenable } from '../../src/kit/index.js';
import type { Message, Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import type { transform } from './definition.js';

type Config = Static<typeof transform.config>;

function headersFrom(value: unknown, base: Record<string, string>): Record<string, string> {
  if (value === undefined || value === null) return base;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error('the headers expression must give an object');
  const out = { ...base };
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** Per message without topic/key/headers expressions: no array, no closure. */
const NO_EXTRAS: readonly unknown[] = [];

export const create: CreateRuntime<Config> = (ctx) => {
  const opts = { timeoutMs: ctx.config.timeoutMs, maxDepth: ctx.config.maxDepth };
  const payload = compileExpression(ctx.config.expression, opts);
  const extras: Array<[keyof Pick<Message, 'topic' | 'key'> | 'headers', CompiledExpression]> = [];
  if (ctx.config.topic) extras.push(['topic', compileExpression(ctx.config.topic, opts)]);
  if (ctx.config.key) extras.push(['key', compileExpression(ctx.config.key, opts)]);
  if (ctx.config.headers) extras.push(['headers', compileExpression(ctx.config.headers, opts)]);

  function build(msg: Message, value: unknown, extra: readonly unknown[]): Message {
    const out: Message = {
      id: msg.id,
      topic: msg.topic,
      key: msg.key,
      payload: value === undefined ? null : value,
      headers: msg.headers,
      wire: msg.wire,
      timestamp: msg.timestamp,
    };
    for (let i = 0; i < extras.length; i++) {
      const field = extras[i][0];
      const v = extra[i];
      if (field === 'headers') out.headers = headersFrom(v, msg.headers);
      else if (v !== undefined) out[field] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return out;
  }

  async function slow(msg: Message, out: Output, first: unknown): Promise<void> {
    const value = isThenable(first) ? await first : first;
    const extra: unknown[] = [];
    for (const [, expr] of extras) extra.push(await expr.evaluate(msg));
    out.emit('out', build(msg, value, extra));
  }

  return {
    handle(msg, out) {
      const value = payload.evaluate(msg);
      if (isThenable(value) || extras.length > 0) return slowOrFast(msg, out, value);
      out.emit('out', build(msg, value, NO_EXTRAS));
    },
  };

  function slowOrFast(msg: Message, out: Output, value: unknown): void | Promise<void> {
    if (isThenable(value)) return slow(msg, out, value);
    const extra: unknown[] = [];
    for (const [, expr] of extras) {
      const v = expr.evaluate(msg);
      if (isThenable(v)) return slow(msg, out, value);
      extra.push(v);
    }
    out.emit('out', build(msg, value, extra));
  }
};
