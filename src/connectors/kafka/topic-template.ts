/**
 * Topic templates: literal text with `{{ }}` parts, each a JSONata expression evaluated on the message:
 * `readings`, `{{topic}}`, `sensors.{{payload.site}}`, `{{$replace(topic, "/", ".")}}`. Compiled once per node;
 * a template without parts costs nothing per message. The result must be a valid Kafka topic name.
 */
import { type CompiledExpression, compileExpression } from '../../expr/index.js';
import { isThenable } from '../../runtime/promise.js';
import type { Message } from '../../spec/message.js';

/** A topic that cannot be made for this message; retrying will not help. */
export class TopicError extends Error {
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
    if (close < 0) throw new Error(`topic template: "{{" at ${template.length - rest.length + open} is not closed`);
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const expr = rest.slice(open + 2, close).trim();
    if (!expr) throw new Error('topic template: empty {{ }}');
    parts.push({ expr });
    rest = rest.slice(close + 2);
  }
  return parts;
}

function piece(value: unknown, source: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) throw new TopicError(`topic: {{${source}}} has no value for this message`);
  throw new TopicError(`topic: {{${source}}} gave ${Array.isArray(value) ? 'an array' : typeof value}, not text`);
}

function checked(topic: string): string {
  const problem = topicNameProblem(topic);
  if (problem) throw new TopicError(`topic: ${problem}`);
  return topic;
}

export interface TopicTemplate {
  /** The topic, synchronously when every part ran on the expression fast path. Throws/rejects with TopicError. */
  render(msg: Message): string | Promise<string>;
}

export function compileTopicTemplate(template: string): TopicTemplate {
  const parts: Array<string | CompiledExpression> = parseTemplate(template).map((p) =>
    'text' in p ? p.text : compileExpression(p.expr),
  );
  if (parts.every((p) => typeof p === 'string')) {
    const topic = parts.join('');
    const problem = topicNameProblem(topic);
    if (problem) throw new Error(`topic: ${problem}`);
    return { render: () => topic };
  }
  const slow = async (msg: Message, from: number, done: string): Promise<string> => {
    let topic = done;
    for (let i = from; i < parts.length; i++) {
      const p = parts[i];
      topic += typeof p === 'string' ? p : piece(await p.evaluate(msg), p.source);
    }
    return checked(topic);
  };
  return {
    render(msg) {
      let topic = '';
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i];
        if (typeof p === 'string') {
          topic += p;
          continue;
        }
        const v = p.evaluate(msg);
        if (isThenable(v))
          return (v as Promise<unknown>).then((first) => slow(msg, i + 1, topic + piece(first, p.source)));
        topic += piece(v, p.source);
      }
      return checked(topic);
    },
  };
}
