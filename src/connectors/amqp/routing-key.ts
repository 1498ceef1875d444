/**
 * Routing key templates (`{{topic}}`, `orders.{{payload.region}}`): the shared `{{ }}` JSONata templates, plus
 * AMQP's limit of 255 bytes for a routing key.
 */
import { compileCheckedTemplate } from '../../expr/template.js';
import { DeterministicError } from '../../spec/failure.js';
import type { Message } from '../../spec/message.js';

/** A routing key that cannot be made for this message; retrying will not help. */
export class RoutingKeyError extends DeterministicError {
  override name = 'RoutingKeyError';
}

export interface RoutingKeyTemplate {
  /** The key, synchronously when every part ran on the expression fast path. */
  render(msg: Message): string | Promise<string>;
}

/** AMQP short string: at most 255 bytes. */
function keyProblem(key: string): string | undefined {
  return Buffer.byteLength(key) > 255 ? 'longer than 255 bytes' : undefined;
}

export function compileRoutingKey(template: string): RoutingKeyTemplate {
  return compileCheckedTemplate(template, 'routing key', keyProblem, (m) => new RoutingKeyError(m));
}
