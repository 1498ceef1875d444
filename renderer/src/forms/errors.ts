/** Problems from the flow validator, placed on the form fields they point at (rjsf `extraErrors`). */
import type { ErrorSchema } from '@rjsf/utils';
import type { Problem } from '../../../src/flow/index.js';
import { once, wordProblem } from './wording.js';

export interface PlacedProblems {
  /** Problems that point into the config, nested by field. */
  errorSchema: ErrorSchema;
  /** Problems about the node or connection as a whole (an unconnected input, a cycle, ...). */
  general: Problem[];
}

function decode(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `schema`: the node's or connection's config schema, for the labels the form shows. */
export function placeProblems(
  problems: readonly Problem[] | undefined,
  configPath: RegExp,
  schema?: object,
): PlacedProblems {
  const errorSchema: Record<string, unknown> = {};
  const general: Problem[] = [];
  for (const p of once(problems ?? [])) {
    const m = configPath.exec(p.path);
    const rest = m ? p.path.slice(m[0].length) : '';
    if (!m || rest === '') {
      general.push(p);
      continue;
    }
    let cur = errorSchema;
    for (const seg of rest.split('/').slice(1).map(decode)) {
      if (!cur[seg]) cur[seg] = {};
      cur = cur[seg] as Record<string, unknown>;
    }
    if (!cur.__errors) cur.__errors = [];
    // Under its field, in the form's words: "Output is required", not `missing required field "port"`.
    const w = wordProblem(p, schema);
    const text = w.hint ? `${w.message}. Fix: ${w.hint}` : w.message;
    if (!(cur.__errors as string[]).includes(text)) (cur.__errors as string[]).push(text);
  }
  return { errorSchema: errorSchema as ErrorSchema, general };
}

export const NODE_CONFIG_PATH = /^\/nodes\/\d+\/config/;
export const CONNECTION_CONFIG_PATH = /^\/connections\/\d+\/config/;
