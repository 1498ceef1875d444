/**
 * Schema authoring for node configs: TypeBox builders (JSON Schema out, TypeScript type inferred)
 * plus the editor annotations Sluice understands. Isomorphic.
 */
import { type Static, type TEnum, type TSchema, Type } from 'typebox';

export type { Static, TSchema };
export { Type };

/** Editor/validator annotations carried in the JSON Schema. */
export interface SluiceAnnotations {
  /** The value is secret: only `${env:NAME}` / `${file:/path}` references are allowed; export strips literals. */
  'x-secret'?: boolean;
  /**
   * `${env:}` / `${file:}` references resolve in this field when the flow starts (on an object: in every string
   * inside it). Elsewhere (payloads, expressions, code) a reference stays text. Secret fields always resolve.
   */
  'x-reference'?: boolean;
  /** Shown under "Advanced" in the property form. */
  'x-advanced'?: boolean;
  /** Widget hint for the property form: expression, code, textarea, connection, ... */
  'x-widget'?: 'expression' | 'code' | 'textarea' | 'connection' | 'template';
  /** For `x-widget: expression`: the language. */
  'x-language'?: 'jsonata' | 'javascript' | 'sql';
  /** The field holds the id of a flow connection of this kind. */
  'x-connection'?: string;
  /** Show the field only when another field has one of these values. */
  'x-showWhen'?: Record<string, unknown[]>;
}

/** Where the property form shows a field: under Advanced, or only when another field has some values. */
export type FieldPlacement = Pick<SluiceAnnotations, 'x-advanced' | 'x-showWhen'>;

/** A string holding a JSONata expression. */
export function Expression(
  options: { title?: string; description?: string; default?: string; examples?: string[] } & FieldPlacement = {},
) {
  return Type.String({ ...options, 'x-widget': 'expression', 'x-language': 'jsonata' });
}

/** A string that must be a reference, never a literal, in a saved flow. */
export function Secret(
  options: { title?: string; description?: string; 'x-showWhen'?: Record<string, readonly unknown[]> } = {},
) {
  return Type.String({ ...options, 'x-secret': true });
}

/** The id of a connection of `kind` in the flow's `connections`. */
export function ConnectionRef(kind: string, options: { title?: string; description?: string } = {}) {
  return Type.String({ title: 'Connection', ...options, 'x-widget': 'connection', 'x-connection': kind, minLength: 1 });
}

/** One of a fixed set of string values (rendered as a select): `{ "enum": [...] }`; typed as the union of the values. */
export function StringEnum<const Values extends string[]>(
  values: readonly [...Values],
  options: { title?: string; description?: string; default?: Values[number] } & FieldPlacement = {},
): TEnum<Values> {
  return Type.Enum(values, options);
}
