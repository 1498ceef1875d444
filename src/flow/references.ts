/** `${env:NAME}` and `${file:/path}` references in config values. Isomorphic: detection only; resolution is Node-side. */

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
