/**
 * Text templates with `{{ }}` parts, each a JSONata expression over the message: `{{topic}}`,
 * `sensors/{{payload.device}}`, `orders.{{$lowercase(payload.region)}}`. Used for topics, routing keys and the
 * like; compiled once per node, and a template without parts costs nothing per message. Isomorphic.
 */

import { type CompiledExpression, checkExpression, compileExpression } from './index.js';
import { isThenableValue } from './thenable.js';

/** This message cannot fill the template (a part has no value, or not text); retrying will not help. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Segment = { text: string } | { expr: string; at: number };

/** Split into literal text and expression parts; throws with the position of a `{{` that is not closed. */
function segments(template: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{{', at);
    if (open < 0) {
      out.push({ text: template.slice(at) });
      break;
    }
    const close = template.indexOf('}}', open + 2);
    if (close < 0) throw new Error(`"{{" at character ${open + 1} is not closed by "}}"`);
    if (open > at) out.push({ text: template.slice(at, open) });
    const expr = template.slice(open + 2, close).trim();
    if (!expr) throw new Error(`empty "{{ }}" at character ${open + 1}`);
    out.push({ expr, at: open + 1 });
    at = close + 2;
  }
  return out;
}

/** For validation and the editor: why the template cannot compile, or undefined. */
export function templateProblem(template: string): string | undefined {
  let parts: Segment[];
  try {
    parts = segments(template);
  } catch (err) {
    return (err as Error).message;
  }
  for (const p of parts) {
    if (!('expr' in p)) continue;
    const bad = checkExpression(p.expr);
    if (bad) return `{{${p.expr}}} at character ${p.at} is not a valid JSONata expression: ${bad.message}`;
  }
  return undefined;
}

export interface CompiledTemplate {
  /** The text when the template has no parts. */
  readonly constant: string | undefined;
  /** The text for this message: synchronous when every part ran on the expression fast path. */
  render(input: unknown): string | Promise<string>;
}

function piece(value: unknown, source: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) throw new TemplateError(`{{${source}}} has no value for this message`);
  throw new TemplateError(`{{${source}}} gave ${Array.isArray(value) ? 'an array' : typeof value}, not text`);
}

/** Compile once; throws (with the reason) when the template is malformed. */
export function compileTemplate(template: string): CompiledTemplate {
  const parts: Array<string | CompiledExpression> = segments(template).map((p) =>
    'text' in p ? p.text : compileExpression(p.expr),
  );
  if (parts.every((p) => typeof p === 'string')) {
    const text = parts.join('');
    return { constant: text, render: () => text };
  }
  const slow = async (input: unknown, from: number, done: string): Promise<string> => {
    let text = done;
    for (let i = from; i < parts.length; i++) {
      const p = parts[i];
      text += typeof p === 'string' ? p : piece(await p.evaluate(input), p.source);
    }
    return text;
  };
  return {
    constant: undefined,
    render(input) {
      let text = '';
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i];
        if (typeof p === 'string') {
          text += p;
          continue;
        }
        const v = p.evaluate(input);
        if (isThenableValue(v))
          return (v as Promise<unknown>).then((first) => slow(input, i + 1, text + piece(first, p.source)));
        text += piece(v, p.source);
      }
      return text;
    },
  };
}

/**
 * A template whose text must also pass a rule of the target (a topic name, a length limit). Failures for a message
 * are `makeError("<what>: <reason>")`, so callers can tell them from transient errors; a malformed template, or a
 * constant one that breaks the rule, throws at compile time.
 */
export function compileCheckedTemplate(
  template: string,
  what: string,
  problemOf: (text: string) => string | undefined,
  makeError: (message: string) => Error,
): { render(input: unknown): string | Promise<string> } {
  let compiled: CompiledTemplate;
  try {
    compiled = compileTemplate(template);
  } catch (err) {
    throw new Error(`${what} template: ${(err as Error).message}`);
  }
  if (compiled.constant !== undefined) {
    const text = compiled.constant;
    const problem = problemOf(text);
    if (problem) throw new Error(`${what}: ${problem}`);
    return { render: () => text };
  }
  // The same rendered text as last time passed already: a URL template over a few hosts is not parsed per message.
  let lastGood: string | undefined;
  const checked = (text: string): string => {
    if (text === lastGood) return text;
    const problem = problemOf(text);
    if (problem) throw makeError(`${what}: ${problem}`);
    lastGood = text;
    return text;
  };
  const wrapped = (err: unknown): never => {
    if (err instanceof TemplateError) throw makeError(`${what}: ${err.message}`);
    throw err;
  };
  return {
    render(input) {
      try {
        const text = compiled.render(input);
        return isThenableValue(text) ? (text as Promise<string>).then(checked, wrapped) : checked(text);
      } catch (err) {
        return wrapped(err);
      }
    },
  };
}
