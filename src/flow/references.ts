/** `${env:NAME}` and `${file:/path}` references in config values. Isomorphic: detection only; resolution is Node-side. */
import { escapePointer, findAnnotated } from './schema-walk.js';

export type ReferenceKind = 'env' | 'file';

export interface Reference {
  kind: ReferenceKind;
  name: string;
  /** The full `${...}` text. */
  text: string;
}

const REFERENCE = /\$\{(env|file):([^}]+)\}/g;
const WHOLE_REFERENCE = /^\$\{(env|file):([^}]+)\}$/;

export function findReferences(value: string): Reference[] {
  const out: Reference[] = [];
  for (const m of value.matchAll(REFERENCE)) out.push({ kind: m[1] as ReferenceKind, name: m[2], text: m[0] });
  return out;
}

/** True when the whole string is one reference (what a secret field must be). */
export function isWholeReference(value: unknown): boolean {
  return typeof value === 'string' && WHOLE_REFERENCE.test(value);
}

export function hasReference(value: string): boolean {
  return value.includes('${env:') || value.includes('${file:');
}

/** Replace every reference in `value` using `lookup`; `lookup` throws for a missing one. */
export function substituteReferences(value: string, lookup: (ref: Reference) => string): string {
  return value.replace(REFERENCE, (text, kind: ReferenceKind, name: string) => lookup({ kind, name, text }));
}

/**
 * JSON pointers (in `config`) under which references resolve: values whose schema says `x-secret` or
 * `x-reference` (an object so marked covers every string inside it).
 */
export function referenceRoots(schema: unknown, config: unknown): string[] {
  return [...findAnnotated(schema, config, 'x-secret'), ...findAnnotated(schema, config, 'x-reference')].map(
    (a) => a.pointer,
  );
}

export function isUnder(pointer: string, roots: readonly string[]): boolean {
  return roots.some((r) => pointer === r || pointer.startsWith(`${r}/`));
}

/** Pointers of strings in `config` that hold a reference where none resolves (they stay text at run time). */
export function strayReferences(schema: unknown, config: unknown): string[] {
  const roots = referenceRoots(schema, config);
  const out: string[] = [];
  const walk = (value: unknown, pointer: string, depth: number): void => {
    if (depth > 64) return; // configs are shallow; parsed input is depth-bounded anyway
    if (typeof value === 'string') {
      if (hasReference(value) && !isUnder(pointer, roots)) out.push(pointer);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        walk(v, `${pointer}/${i}`, depth + 1);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, `${pointer}/${escapePointer(k)}`, depth + 1);
    }
  };
  walk(config, '', 0);
  return out;
}
