/**
 * Topic templates: literal text with `{{ }}` parts, each a JSONata expression evaluated on the message:
 * `readings`, `{{topic}}`, `sensors.{{payload.site}}`, `{{$replace(topic, "/", ".")}}`. Compiled once per node;
 * a template without parts costs nothing per message. The result must be a valid Kafka topic name.
 */
import { compileCheckedTemplate } from '../../expr/template.js';
import { DeterministicError } from '../../spec/failure.js';
import type { Message } from '../../spec/message.js';

/** A topic that cannot be made for this message; retrying will not help. */
export class TopicError extends DeterministicError {
  override name = 'TopicError';
}

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Kafka's own rule: 1 to 249 of `[a-zA-Z0-9._-]`, and not `.` or `..`. */
export function topicNameProblem(name: string): string | undefined {
  if (name === '') return 'the topic is empty';
  if (name === '.' || name === '..') return `"${name}" is not a valid topic name`;
  if (!TOPIC.test(name)) {
    return `"${name.length > 60 ? `${name.slice(0, 60)}...` : name}" is not a valid topic name (1 to 249 of a-z A-Z 0-9 . _ -)`;
  }
  return undefined;
}

export interface TopicTemplate {
  /** The topic, synchronously when every part ran on the expression fast path. Throws/rejects with TopicError. */
  render(msg: Message): string | Promise<string>;
}

/** The shared `{{ }}` JSONata template, plus Kafka's topic name rule. */
export function compileTopicTemplate(template: string): TopicTemplate {
  return compileCheckedTemplate(template, 'topic', topicNameProblem, (m) => new TopicError(m));
}
