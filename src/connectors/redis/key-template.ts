/**
 * Stream and channel templates for redis-out: literal text with `{{ }}` parts, each a JSONata expression on the
 * message (`readings`, `orders:{{payload.region}}`). Compiled once per node.
 */
import { compileCheckedTemplate } from '../../expr/template.js';
import { DeterministicError } from '../../spec/failure.js';
import type { Message } from '../../spec/message.js';

/** A key that cannot be made for this message; retrying will not help. */
export class KeyError extends DeterministicError {
  override name = 'KeyError';
}

export function keyProblem(text: string): string | undefined {
  return text === '' ? 'it is empty' : undefined;
}

export interface KeyTemplate {
  render(msg: Message): string | Promise<string>;
}

export function compileKeyTemplate(template: string, what: 'stream' | 'channel'): KeyTemplate {
  return compileCheckedTemplate(template, what, keyProblem, (m) => new KeyError(m));
}
