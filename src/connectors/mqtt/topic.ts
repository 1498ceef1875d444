/**
 * mqtt-out topics: the shared `{{ }}` template (each part a JSONata expression on the message, src/expr/template.ts)
 * plus MQTT's rule for a topic name to publish to: not empty, no `+`, `#` or NUL.
 */
import { compileTemplate, TemplateError } from '../../expr/template.js';
import { isThenableValue } from '../../expr/thenable.js';
import type { Message } from '../../spec/message.js';

/** A topic that cannot be made for this message; retrying will not help. */
export class TopicError extends Error {
  override name = 'TopicError';
}

export function topicNameProblem(name: string): string | undefined {
  if (name === '') return 'the topic is empty';
  if (name.includes('+') || name.includes('#') || name.includes('\u0000')) {
    return `"${name.length > 60 ? `${name.slice(0, 60)}...` : name}" contains +, # or NUL, which a published topic cannot`;
  }
  return undefined;
}

function checked(topic: string): string {
  const problem = topicNameProblem(topic);
  if (problem) throw new TopicError(`topic: ${problem}`);
  return topic;
}

function asTopicError(err: unknown): never {
  if (err instanceof TemplateError) throw new TopicError(`topic: ${err.message}`);
  throw err;
}

export interface TopicTemplate {
  /** The topic, synchronously when every part ran on the expression fast path. Throws/rejects with TopicError. */
  render(msg: Message): string | Promise<string>;
}

export function compileTopicTemplate(template: string): TopicTemplate {
  let compiled: ReturnType<typeof compileTemplate>;
  try {
    compiled = compileTemplate(template);
  } catch (err) {
    throw new Error(`topic template: ${(err as Error).message}`);
  }
  if (compiled.constant !== undefined) {
    const topic = compiled.constant;
    const problem = topicNameProblem(topic);
    if (problem) throw new Error(`topic: ${problem}`);
    return { render: () => topic };
  }
  return {
    render(msg) {
      try {
        const topic = compiled.render(msg);
        return isThenableValue(topic) ? (topic as Promise<string>).then(checked, asTopicError) : checked(topic);
      } catch (err) {
        return asTopicError(err);
      }
    },
  };
}
