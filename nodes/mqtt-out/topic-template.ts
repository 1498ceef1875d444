/**
 * Topic templates: `sensors/{{payload.device}}/{{headers.kind}}`. A placeholder is a dotted path into the message:
 * `topic`, `key`, `id`, `payload.<path>` (array indexes as numbers: `payload.items.0.id`) or `headers.<name>`.
 * Pure and isomorphic: the editor lints templates with `templateProblem`.
 */
export interface TopicSource {
  id: string;
  topic?: string;
  key?: string;
  payload: unknown;
  headers: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^(topic|key|id|payload(\.[^.\s]+)*|headers\.[^\s]+)$/;

type Part = string | { path: string[]; text: string };

/** Characters a topic name to publish to cannot hold: the wildcards and NUL. */
const forbidden = (s: string) => s.includes('+') || s.includes('#') || s.includes('\u0000');

export interface TopicTemplate {
  /** The topic for `msg`; throws with the reason when a placeholder has no usable value. */
  render(msg: TopicSource): string;
}

export function templateProblem(template: string): string | undefined {
  if (template.trim() === '') return 'the topic cannot be empty';
  const stripped = template.replace(PLACEHOLDER, '');
  if (stripped.includes('{{') || stripped.includes('}}')) return 'unbalanced {{ }} in the topic';
  if (forbidden(stripped)) return 'a topic to publish to cannot contain +, # or NUL';
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!PATH.test(m[1])) {
      return `{{${m[1]}}} is not a message field: use topic, key, id, payload.<path> or headers.<name>`;
    }
  }
  return undefined;
}

export function compileTopicTemplate(template: string): TopicTemplate {
  const problem = templateProblem(template);
  if (problem) throw new Error(`topic template: ${problem}`);
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    const [head, ...rest] = m[1].split('.');
    // A header name may itself contain dots: `headers.a.b` reads the header "a.b".
    parts.push({ path: head === 'headers' ? [head, rest.join('.')] : [head, ...rest], text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  if (parts.every((p) => typeof p === 'string')) {
    const fixed = template;
    return { render: () => fixed };
  }
  return {
    render(msg) {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : value(msg, p);
      return out;
    },
  };
}

function value(msg: TopicSource, part: { path: string[]; text: string }): string {
  let v: unknown = msg;
  for (const key of part.path) {
    if (v === null || typeof v !== 'object') {
      v = undefined;
      break;
    }
    v = (v as Record<string, unknown>)[key];
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') v = String(v);
  if (typeof v !== 'string') {
    throw new Error(
      `topic template: ${part.text} is ${v === undefined ? 'missing' : 'not a string or number'} in this message`,
    );
  }
  if (v === '') throw new Error(`topic template: ${part.text} is empty in this message`);
  if (forbidden(v)) throw new Error(`topic template: ${part.text} contains +, # or NUL ("${v}")`);
  return v;
}
