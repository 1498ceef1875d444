/**
 * Routing key templates (`{{topic}}`, `orders.{{payload.region}}`): the shared `{{ }}` JSONata templates, plus
 * AMQP's limit of 255 bytes for a routing key.
 */

import { compileTemplate, TemplateError } from '../../expr/template.js';
import { isThenableValue } from '../../expr/thenable.js';
import type { Message } from '../../spec/message.js';

/** A routing key that cannot be made for this message; retrying will not help. */
export class RoutingKeyError extends Error {
  override name = 'RoutingKeyError';
}

export interface RoutingKeyTemplate {
  /** The key, synchronously when every part ran on the expression fast path. */
  render(msg: Message): string | Promise<string>;
}

function check(key: string): string {
  // AMQP short string: at most 255 bytes.
  if (Buffer.byteLength(key) > 255) throw new RoutingKeyError('routing key longer than 255 bytes');
  return key;
}

function asRoutingKeyError(err: unknown): never {
  if (err instanceof TemplateError) throw new RoutingKeyError(`routing key: ${err.message}`);
  throw err;
}

export function compileRoutingKey(template: string): RoutingKeyTemplate {
  let compiled: ReturnType<typeof compileTemplate>;
  try {
    compiled = compileTemplate(template);
  } catch (err) {
    throw new Error(`routing key template: ${(err as Error).message}`);
  }
  if (compiled.constant !== undefined) {
    const key = check(compiled.constant);
    return { render: () => key };
  }
  return {
    render(msg) {
      try {
        const key = compiled.render(msg);
        return isThenableValue(key) ? (key as Promise<string>).then(check, asRoutingKeyError) : check(key);
      } catch (err) {
        return asRoutingKeyError(err);
      }
    },
  };
}
