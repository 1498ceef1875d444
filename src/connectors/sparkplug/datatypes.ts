/** Sparkplug B data types (specification 3.0, 6.4.16): the numbers on the wire and the names Sluice shows. Isomorphic. */

export const DATATYPES = [
  'Unknown',
  'Int8',
  'Int16',
  'Int32',
  'Int64',
  'UInt8',
  'UInt16',
  'UInt32',
  'UInt64',
  'Float',
  'Double',
  'Boolean',
  'String',
  'DateTime',
  'Text',
  'UUID',
  'DataSet',
  'Bytes',
  'File',
  'Template',
  'PropertySet',
  'PropertySetList',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Int64Array',
  'UInt8Array',
  'UInt16Array',
  'UInt32Array',
  'UInt64Array',
  'FloatArray',
  'DoubleArray',
  'BooleanArray',
  'StringArray',
  'DateTimeArray',
] as const;

export type DatatypeName = (typeof DATATYPES)[number];

export const DT = Object.fromEntries(DATATYPES.map((name, i) => [name, i])) as Record<DatatypeName, number>;

/** The name of a datatype number ("Unknown(99)" for a number this version does not know). */
export function datatypeName(n: number | undefined): string {
  if (n === undefined) return 'Unknown';
  return DATATYPES[n] ?? `Unknown(${n})`;
}

/** A datatype given by name or number -> its number, or undefined when it is neither. */
export function datatypeNumber(t: unknown): number | undefined {
  if (typeof t === 'number' && Number.isInteger(t) && t >= 0 && t < DATATYPES.length) return t;
  if (typeof t === 'string') {
    const i = (DATATYPES as readonly string[]).indexOf(t);
    return i >= 0 ? i : undefined;
  }
  return undefined;
}
