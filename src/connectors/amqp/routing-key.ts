/**
 * Routing key templates: literal text with `{{ ... }}` parts, each a JSONata expression evaluated on the message
 * (`{{topic}}`, `orders.{{payload.region}}`, `{{$replace(topic, "/", ".")}}`). Compiled once per node; a template
 * without parts costs nothing per message.
 */
import { type CompiledExpression, compileExpression } from '../../expr/index.js';
import { isThenable } from '../../runtime/promise.js';
import type { Message } from '../../spec/message.js';

/** A routing key that cannot be made for this message; retrying will not help. */
export class RoutingKeyError extends Error {
  override name = 'RoutingKeyError';
}

type Part = string | CompiledExpression;

export interface RoutingKeyTemplate {
  /** The key, synchronously when every part ran on the expression fast path. */
  render(msg: Message): string | Promise<string>;
}

export function parseTemplate(template: string): Array<{ text: string } | { expr: string }> {
  const parts: Array<{ text: string } | { expr: string }> = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      parts.push({ text: rest });
      break;
    }
    const close = rest.indexOf('}}', open + 2);
    if (close < 0)
      throw new Error(`routing key template: "{{" at ${template.length - rest.length + open} is not closed`);
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const expr = rest.slice(open + 2, close).trim();
    if (!expr) throw new Error('routing key template: empty {{ }}');
    parts.push({ expr });
    rest = rest.slice(close + 2);
  }
  return parts;
}

function piece(value: unknown, source: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) throw new RoutingKeyError(`routing key: {{${source}}} has no value for this message`);
  throw new RoutingKeyError(
    `routing key: {{${source}}} gave ${Array.isArray(value) ? 'an array' : typeof value}, not text`,
  );
}

function check(key: string): string {
  // AMQP short string: at most 255 bytes.
  if (Buffer.byteLength(key) > 255) throw new RoutingKeyError('routing key longer than 255 bytes');
  return key;
}

export function compileRoutingKey(template: string): RoutingKeyTemplate {
  const parts: Part[] = parseTemplate(template).map((p) => ('text' in p ? p.text : compileExpression(p.expr)));
  if (parts.every((p) => typeof p === 'string')) {
    const key = check(parts.join(''));
    return { render: () => key };
  }
  const slow = async (msg: Message, from: number, done: string): Promise<string> => {
    let key = done;
    for (let i = from; i < parts.length; i++) {
      const p = parts[i];
      key += typeof p === 'string' ? p : piece(await p.evaluate(msg), p.source);
    }
    return check(key);
  };
  return {
    render(msg) {
      let key = '';
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i];
        if (typeof p === 'string') {
          key += p;
          continue;
        }
        const v = p.evaluate(msg);
        if (isThenable(v))
          return (v as Promise<unknown>).then((first) => slow(msg, i + 1, key + piece(first, p.source)));
        key += piece(v, p.source);
      }
      return check(key);
    },
  };
}
