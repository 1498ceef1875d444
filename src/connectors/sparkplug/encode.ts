/**
 * A JSON payload -> Sparkplug B bytes: the shape decode.ts produces (`{timestamp?, seq?, uuid?, body?, metrics}`),
 * so a decoded payload encodes back to the same metrics. A metric's `datatype` (or Eclipse Tahu's `type`) is a name
 * or a number; without one it is inferred from the value: boolean -> Boolean, string -> String, number -> Double,
 * bigint -> Int64, bytes -> Bytes, an array of numbers/strings/booleans -> DoubleArray/StringArray/BooleanArray.
 * Anything that does not fit its datatype throws a RangeError saying which metric and why.
 */
import { encodeArray, isArrayType } from './arrays.js';
import { DT, datatypeName, datatypeNumber } from './datatypes.js';
import { show, toLongBits } from './long.js';
import { PayloadType } from './schema.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

export function inferDatatype(value: unknown): number | undefined {
  if (typeof value === 'boolean') return DT.Boolean;
  if (typeof value === 'string') return DT.String;
  if (typeof value === 'number') return DT.Double;
  if (typeof value === 'bigint') return DT.Int64;
  if (value instanceof Uint8Array) return DT.Bytes;
  if (Array.isArray(value) && value.length > 0) {
    if (value.every((x) => typeof x === 'number')) return DT.DoubleArray;
    if (value.every((x) => typeof x === 'string')) return DT.StringArray;
    if (value.every((x) => typeof x === 'boolean')) return DT.BooleanArray;
  }
  return undefined;
}

function int32(value: unknown, dt: number, what: string): number {
  const ranges: Record<number, [number, number]> = {
    [DT.Int8]: [-128, 127],
    [DT.Int16]: [-32768, 32767],
    [DT.Int32]: [-2147483648, 2147483647],
    [DT.UInt8]: [0, 255],
    [DT.UInt16]: [0, 65535],
    [DT.UInt32]: [0, 4294967295],
  };
  const [min, max] = ranges[dt];
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${what} is a ${datatypeName(dt)}: an integer from ${min} to ${max}, not ${show(value)}`);
  }
  // Signed values as their 32-bit two's complement in the uint32 field, as Eclipse Tahu writes them.
  return n >>> 0;
}

function bytesOf(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  throw new RangeError(`${what} must be bytes or a base64 string, not ${show(value)}`);
}

/** The value fields of one Metric/PropertyValue/DataSetValue/Parameter for datatype `dt`. */
export function wireValue(value: unknown, dt: number, what: string): Obj {
  switch (dt) {
    case DT.Int8:
    case DT.Int16:
    case DT.Int32:
    case DT.UInt8:
    case DT.UInt16:
    case DT.UInt32:
      return { intValue: int32(value, dt, what) };
    case DT.Int64:
    case DT.UInt64:
    case DT.DateTime: {
      const v = dt === DT.DateTime && value instanceof Date ? value.getTime() : value;
      const bits = toLongBits(v, `${what} (${datatypeName(dt)})`);
      if (
        dt !== DT.Int64 &&
        (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') &&
        BigInt(v) < 0n
      ) {
        throw new RangeError(`${what} is a ${datatypeName(dt)} and cannot be negative`);
      }
      return { longValue: bits };
    }
    case DT.Float:
    case DT.Double: {
      if (typeof value !== 'number')
        throw new RangeError(`${what} is a ${datatypeName(dt)}: a number, not ${show(value)}`);
      return dt === DT.Float ? { floatValue: value } : { doubleValue: value };
    }
    case DT.Boolean:
      if (typeof value !== 'boolean') throw new RangeError(`${what} is a Boolean, not ${show(value)}`);
      return { booleanValue: value };
    case DT.String:
    case DT.Text:
    case DT.UUID:
      if (typeof value !== 'string') throw new RangeError(`${what} is a ${datatypeName(dt)}, not ${show(value)}`);
      return { stringValue: value };
    case DT.Bytes:
    case DT.File:
      return { bytesValue: bytesOf(value, what) };
    case DT.DataSet:
      return { datasetValue: dataSet(value, what) };
    case DT.Template:
      return { templateValue: template(value, what) };
    default:
      if (isArrayType(dt)) return { bytesValue: encodeArray(dt, value, what) };
      throw new RangeError(`${what}: datatype ${datatypeName(dt)} cannot carry a metric value`);
  }
}

function dataSet(value: unknown, what: string): Obj {
  if (!isObj(value) || !Array.isArray(value.columns) || !Array.isArray(value.types) || !Array.isArray(value.rows)) {
    throw new RangeError(`${what} is a DataSet: {columns: [...], types: [...], rows: [[...]]}`);
  }
  const types = value.types.map((t, i) => {
    const n = datatypeNumber(t);
    if (n === undefined) throw new RangeError(`${what}: column ${i} has no known datatype (${show(t)})`);
    return n;
  });
  if (types.length !== value.columns.length) throw new RangeError(`${what}: as many types as columns are needed`);
  return {
    numOfColumns: toLongBits(value.columns.length, 'numOfColumns'),
    columns: value.columns.map(String),
    types,
    rows: value.rows.map((row, r) => {
      if (!Array.isArray(row) || row.length !== types.length) {
        throw new RangeError(`${what}: row ${r} must be an array of ${types.length} values`);
      }
      return { elements: row.map((x, i) => wireValue(x, types[i], `${what} row ${r} column ${i}`)) };
    }),
  };
}

function template(value: unknown, what: string): Obj {
  if (!isObj(value)) throw new RangeError(`${what} is a Template: {metrics: [...], parameters?: [...]}`);
  const out: Obj = {
    metrics: Array.isArray(value.metrics) ? value.metrics.map((m, i) => wireMetric(m, `${what} metric ${i}`)) : [],
  };
  if (typeof value.version === 'string') out.version = value.version;
  if (typeof value.templateRef === 'string') out.templateRef = value.templateRef;
  if (typeof value.isDefinition === 'boolean') out.isDefinition = value.isDefinition;
  if (Array.isArray(value.parameters)) {
    out.parameters = value.parameters.map((p, i) => {
      if (!isObj(p)) throw new RangeError(`${what} parameter ${i} must be {name, type, value}`);
      const dt = datatypeNumber(p.type) ?? inferDatatype(p.value);
      if (dt === undefined) throw new RangeError(`${what} parameter ${i} needs a type`);
      return { name: String(p.name ?? ''), type: dt, ...wireValue(p.value, dt, `${what} parameter ${i}`) };
    });
  }
  return out;
}

function propertySet(value: unknown, what: string): Obj {
  if (!isObj(value)) throw new RangeError(`${what}: properties must be an object`);
  const keys: string[] = [];
  const values: Obj[] = [];
  for (const [key, raw] of Object.entries(value)) {
    // {type, value} as decode.ts writes it, or a plain value with its type inferred.
    const typed = isObj(raw) && 'value' in raw && 'type' in raw;
    const v = typed ? raw.value : raw;
    const dt = (typed ? datatypeNumber(raw.type) : undefined) ?? inferDatatype(v);
    if (dt === undefined && v !== null) throw new RangeError(`${what}: property "${key}" needs a type`);
    keys.push(key);
    values.push(
      v === null || v === undefined
        ? { type: dt ?? DT.String, isNull: true }
        : { type: dt, ...wireValue(v, dt as number, `${what} property "${key}"`) },
    );
  }
  return { keys, values };
}

/** One JSON metric -> protobufjs's Metric object. */
export function wireMetric(m: unknown, what: string): Obj {
  if (!isObj(m)) throw new RangeError(`${what} must be an object {name, datatype?, value}`);
  const label = typeof m.name === 'string' ? `metric "${m.name}"` : what;
  const out: Obj = {};
  if (m.name !== undefined) {
    if (typeof m.name !== 'string') throw new RangeError(`${what}: name must be a string`);
    out.name = m.name;
  }
  if (m.alias !== undefined) out.alias = toLongBits(m.alias, `${label} alias`);
  if (m.timestamp !== undefined) out.timestamp = toLongBits(m.timestamp, `${label} timestamp`);
  const given = m.datatype ?? m.type;
  const dt = given === undefined ? inferDatatype(m.value) : datatypeNumber(given);
  if (given !== undefined && dt === undefined) throw new RangeError(`${label}: unknown datatype ${show(given)}`);
  if (dt === undefined && m.value !== null && m.value !== undefined) {
    throw new RangeError(`${label}: give a datatype (the value ${show(m.value)} does not say which)`);
  }
  if (dt !== undefined) out.datatype = dt;
  if (m.isHistorical === true) out.isHistorical = true;
  if (m.isTransient === true) out.isTransient = true;
  if (m.value === null || m.value === undefined || m.isNull === true) {
    out.isNull = true;
  } else {
    Object.assign(out, wireValue(m.value, dt as number, label));
  }
  if (isObj(m.metadata)) {
    const md: Obj = { ...m.metadata };
    for (const k of ['size', 'seq']) if (md[k] !== undefined) md[k] = toLongBits(md[k], `${label} metadata ${k}`);
    out.metadata = md;
  }
  if (m.properties !== undefined) out.properties = propertySet(m.properties, label);
  return out;
}

/** protobufjs's Payload object (already checked) -> bytes. */
export function encodeWire(payload: Obj): Uint8Array {
  return PayloadType.encode(payload).finish();
}

/** A JSON payload -> bytes. Throws a RangeError that names the metric and the problem. */
export function encodeSparkplug(payload: unknown): Uint8Array {
  if (!isObj(payload))
    throw new RangeError(`a Sparkplug payload is an object {timestamp?, seq?, metrics: [...]}, not ${show(payload)}`);
  const metrics = payload.metrics ?? [];
  if (!Array.isArray(metrics)) throw new RangeError('metrics must be an array');
  const out: Obj = { metrics: metrics.map((m, i) => wireMetric(m, `metric ${i}`)) };
  if (payload.timestamp !== undefined) out.timestamp = toLongBits(payload.timestamp, 'timestamp');
  if (payload.seq !== undefined) {
    const seq = payload.seq;
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq > 255) {
      throw new RangeError(`seq must be an integer from 0 to 255, not ${show(seq)}`);
    }
    out.seq = toLongBits(seq, 'seq');
  }
  if (payload.uuid !== undefined) out.uuid = String(payload.uuid);
  if (payload.body !== undefined) out.body = bytesOf(payload.body, 'body');
  return encodeWire(out);
}
