/**
 * mqtt-out topics: the shared `{{ }}` template (each part a JSONata expression on the message, src/expr/template.ts)
 * plus MQTT's rule for a topic name to publish to: not empty, no `+`, `#` or NUL.
 */
import { compileCheckedTemplate } from '../../expr/template.js';
import { DeterministicError } from '../../spec/failure.js';
import type { Message } from '../../spec/message.js';

/** A topic that cannot be made for this message; retrying will not help. */
export class TopicError extends DeterministicError {
  override name = 'TopicError';
}

export function topicNameProblem(name: string): string | undefined {
  if (name === '') return 'the topic is empty';
  if (name.includes('+') || name.includes('#') || name.includes('\u0000')) {
    return `"${name.length > 60 ? `${name.slice(0, 60)}...` : name}" contains +, # or NUL, which a published topic cannot`;
  }
  return undefined;
}

export interface TopicTemplate {
  /** The topic, synchronously when every part ran on the expression fast path. Throws/rejects with TopicError. */
  render(msg: Message): string | Promise<string>;
}

/** The shared `{{ }}` JSONata template, plus MQTT's rule for a topic to publish to. */
export function compileTopicTemplate(template: string): TopicTemplate {
  return compileCheckedTemplate(template, 'topic', topicNameProblem, (m) => new TopicError(m));
}
