/**
 * Problems in the editor's words: the labels and positions the form shows ("Rule 2: Output is required") instead of
 * schema names and JSON pointers (`missing required field "port"`, `/nodes/2/config/rules/1/port`). The pointer
 * stays on the problem (the CLI and the API print it); the editor keeps it for a tooltip only. Isomorphic and pure.
 */
import type { Problem } from '../../../src/flow/index.js';

interface SchemaLike {
  title?: string;
  type?: string | string[];
  properties?: Record<string, SchemaLike>;
  items?: SchemaLike;
}

const CONFIG = /^\/(nodes|connections)\/\d+\/config(?=\/|$)/;

function decode(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** "Rules" -> "Rule"; a title that is not a plural stays. */
function singular(title: string): string {
  if (/ies$/.test(title)) return title.replace(/ies$/, 'y');
  if (/[^s]s$/.test(title)) return title.slice(0, -1);
  return title;
}

function humanise(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The form labels along a pointer inside a config: ["Rule 2", "Output"]. */
export function labelsAt(schema: SchemaLike | undefined, pointer: string): string[] {
  const labels: string[] = [];
  let cur = schema;
  let parentTitle: string | undefined;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = decode(raw);
    if (/^\d+$/.test(seg) && (cur?.items || cur?.type === 'array')) {
      labels.push(`${singular(parentTitle ?? cur?.title ?? 'Item')} ${Number(seg) + 1}`);
      cur = cur?.items;
      continue;
    }
    const next = cur?.properties?.[seg];
    const title = next?.title ?? humanise(seg);
    labels.push(title);
    parentTitle = title;
    cur = next;
  }
  // An array item's label already names its list: "Rules › Rule 2" says the same thing twice.
  return labels.filter((l, i) => !(labels[i + 1] && labels[i + 1].startsWith(`${singular(l)} `)));
}

export interface Worded {
  /** The message with the field's label, e.g. "Output is required". */
  message: string;
  hint?: string;
  /** Where in the form, e.g. "Rule 2" (empty for a top-level field). */
  position: string;
  /** The last label, e.g. "Output" (undefined when the problem is about the node as a whole). */
  field?: string;
}

const REQUIRED = /^missing required field "([^"]+)"$/;
const UNKNOWN = /^unknown field "([^"]+)"$/;
/** How schema-errors.ts names a field: `"name"`, `item 3`, or `the document`. */
const SCHEMA_FIELD = /("[^"]+"|item \d+)/;

export function wordProblem(p: Problem, schema: SchemaLike | undefined): Worded {
  const m = CONFIG.exec(p.path);
  const rest = m ? p.path.slice(m[0].length) : '';
  const labels = m && rest ? labelsAt(schema, rest) : [];
  const field = labels.at(-1);
  const position = labels.slice(0, -1).join(' › ');
  if (!field) return { message: p.message, ...(p.hint ? { hint: p.hint } : {}), position: '' };
  if (REQUIRED.test(p.message)) return { message: `${field} is required`, position, field };
  if (UNKNOWN.test(p.message)) {
    return {
      message: `${field} is not a setting of this node`,
      hint: 'remove it (a newer version may have renamed it)',
      position,
      field,
    };
  }
  if (p.code === 'expression-syntax' || p.code === 'template-syntax') {
    // The message says it all (and where); the hint would only say it again.
    return { message: p.message.charAt(0).toUpperCase() + p.message.slice(1), position, field };
  }
  const message = p.message.replace(SCHEMA_FIELD, field);
  const hint = p.hint?.replace(SCHEMA_FIELD, field);
  return { message: message.charAt(0).toUpperCase() + message.slice(1), ...(hint ? { hint } : {}), position, field };
}

/** The same problem reported twice (by the schema and by a lint, or twice by one) is shown once. */
export function once<T extends Pick<Problem, 'path' | 'message'>>(problems: readonly T[]): T[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
