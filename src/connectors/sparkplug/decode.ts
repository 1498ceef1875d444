/**
 * Sparkplug B bytes -> a JSON-friendly payload:
 * `{timestamp, seq, uuid?, body?, metrics: [{name?, alias?, timestamp?, datatype, value, isNull?, isHistorical?,
 * isTransient?, metadata?, properties?}]}`. Datatypes are names ("Int32"); 64-bit integers are numbers when safe,
 * else decimal strings (long.ts); Bytes, File and `body` are base64 strings; arrays are arrays; DataSet is
 * `{columns, types, rows}`; Template is `{version?, templateRef?, isDefinition?, metrics, parameters}`.
 */
import { decodeArray, isArrayType, shortestFloat } from './arrays.js';
import { DT, datatypeName } from './datatypes.js';
import { type WireLong, wireToJson, wireToNumber } from './long.js';
import { PayloadType } from './schema.js';

/** The protobufjs view of a value-carrying message (Metric, PropertyValue, DataSetValue, Parameter). */
interface WireValue {
  intValue?: number | null;
  longValue?: WireLong | null;
  floatValue?: number | null;
  doubleValue?: number | null;
  booleanValue?: boolean | null;
  stringValue?: string | null;
  bytesValue?: Uint8Array | null;
  datasetValue?: WireDataSet | null;
  templateValue?: WireTemplate | null;
  propertysetValue?: WirePropertySet | null;
  propertysetsValue?: { propertyset?: WirePropertySet[] } | null;
}

export interface WireMetric extends WireValue {
  name?: string | null;
  alias?: WireLong | null;
  timestamp?: WireLong | null;
  datatype?: number | null;
  isHistorical?: boolean | null;
  isTransient?: boolean | null;
  isNull?: boolean | null;
  metadata?: Record<string, unknown> | null;
  properties?: WirePropertySet | null;
}

interface WirePropertySet {
  keys?: string[];
  values?: Array<WireValue & { type?: number | null; isNull?: boolean | null }>;
}
interface WireDataSet {
  columns?: string[];
  types?: number[];
  rows?: Array<{ elements?: WireValue[] }>;
}
interface WireTemplate {
  version?: string | null;
  metrics?: WireMetric[];
  parameters?: Array<WireValue & { name?: string | null; type?: number | null }>;
  templateRef?: string | null;
  isDefinition?: boolean | null;
}
export interface WirePayload {
  timestamp?: WireLong | null;
  seq?: WireLong | null;
  uuid?: string | null;
  body?: Uint8Array | null;
  metrics?: WireMetric[];
}

export interface SparkplugMetric {
  name?: string;
  alias?: number | string;
  timestamp?: number;
  datatype: string;
  value: unknown;
  isNull?: boolean;
  isHistorical?: boolean;
  isTransient?: boolean;
  metadata?: Record<string, unknown>;
  properties?: Record<string, { type: string; value: unknown }>;
}

export interface SparkplugPayload {
  timestamp?: number;
  seq?: number;
  uuid?: string;
  body?: string;
  metrics: SparkplugMetric[];
}

/**
 * A field that is on the wire. protobufjs puts proto2 defaults on the prototype (`name: ""`, `alias: 0`,
 * `intValue: 0`), so presence is an own property; null and undefined count as absent.
 */
function own<T extends object, K extends keyof T>(o: T, k: K): NonNullable<T[K]> | undefined {
  if (!Object.hasOwn(o, k)) return undefined;
  const v = o[k];
  return v === null || v === undefined ? undefined : (v as NonNullable<T[K]>);
}
const has = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Sign-extend a uint32 that holds an Int8/Int16/Int32: both the 32-bit and the n-bit two's complement are met. */
function signed(raw: number, bits: 8 | 16 | 32): number {
  const x = raw | 0;
  const lo = -(2 ** (bits - 1));
  if (x >= lo && x <= -lo - 1) return x;
  const shift = 32 - bits;
  return (x << shift) >> shift;
}

/** The value of one Metric/PropertyValue/DataSetValue by its datatype, or by the field that is set if unknown. */
export function metricValue(w: WireValue, dt: number): unknown {
  switch (dt) {
    case DT.Int8:
      return own(w, 'intValue') !== undefined ? signed(w.intValue!, 8) : fallback(w);
    case DT.Int16:
      return own(w, 'intValue') !== undefined ? signed(w.intValue!, 16) : fallback(w);
    case DT.Int32:
      return own(w, 'intValue') !== undefined ? signed(w.intValue!, 32) : fallback(w);
    case DT.UInt8:
    case DT.UInt16:
    case DT.UInt32:
      return own(w, 'intValue') !== undefined ? w.intValue! >>> 0 : fallback(w);
    case DT.Int64:
      return own(w, 'longValue') !== undefined ? wireToJson(w.longValue!, true) : fallback(w);
    case DT.UInt64:
    case DT.DateTime:
      return own(w, 'longValue') !== undefined ? wireToJson(w.longValue!) : fallback(w);
    case DT.Float:
      return own(w, 'floatValue') !== undefined ? shortestFloat(w.floatValue!) : fallback(w);
    // The common scalars read their own field: what fallback() would return, without the oneof getter's probing.
    case DT.Double:
      return own(w, 'doubleValue') !== undefined ? w.doubleValue : fallback(w);
    case DT.Boolean:
      return own(w, 'booleanValue') !== undefined ? w.booleanValue : fallback(w);
    case DT.String:
    case DT.Text:
    case DT.UUID:
      return own(w, 'stringValue') !== undefined ? w.stringValue : fallback(w);
    case DT.Bytes:
    case DT.File:
      return own(w, 'bytesValue') !== undefined ? base64(w.bytesValue!) : fallback(w);
    default:
      if (isArrayType(dt) && own(w, 'bytesValue')) return decodeArray(dt, w.bytesValue!);
      return fallback(w);
  }
}

/** Whatever field is set, read in the natural way (a datatype we do not know, or a value in an unexpected field). */
function fallback(w: WireValue): unknown {
  // protobufjs names the oneof member that is set (`value`), which is cheaper than probing each field.
  const field = (w as { value?: string }).value;
  switch (field) {
    case 'intValue':
      return w.intValue! >>> 0;
    case 'longValue':
      return wireToJson(w.longValue);
    case 'floatValue':
      return shortestFloat(w.floatValue!);
    case 'doubleValue':
      return w.doubleValue;
    case 'booleanValue':
      return w.booleanValue;
    case 'stringValue':
      return w.stringValue;
    case 'bytesValue':
      return base64(w.bytesValue!);
    case 'datasetValue':
      return dataSetOf(w.datasetValue!);
    case 'templateValue':
      return templateOf(w.templateValue!);
    case 'propertysetValue':
      return propertiesOf(w.propertysetValue!);
    case 'propertysetsValue':
      return (w.propertysetsValue!.propertyset ?? []).map(propertiesOf);
    default:
      return null;
  }
}

function dataSetOf(d: WireDataSet) {
  const types = d.types ?? [];
  return {
    columns: d.columns ?? [],
    types: types.map(datatypeName),
    rows: (d.rows ?? []).map((r) => (r.elements ?? []).map((e, i) => metricValue(e, types[i] ?? 0))),
  };
}

function templateOf(t: WireTemplate) {
  return {
    ...(own(t, 'version') !== undefined ? { version: t.version } : {}),
    ...(own(t, 'templateRef') !== undefined ? { templateRef: t.templateRef } : {}),
    ...(own(t, 'isDefinition') !== undefined ? { isDefinition: t.isDefinition } : {}),
    metrics: (t.metrics ?? []).map((m) => metricOf(m)),
    parameters: (t.parameters ?? []).map((p) => ({
      name: own(p, 'name') ?? '',
      type: datatypeName(own(p, 'type') ?? 0),
      value: metricValue(p, own(p, 'type') ?? 0),
    })),
  };
}

export function propertiesOf(set: WirePropertySet): Record<string, { type: string; value: unknown }> {
  const out: Record<string, { type: string; value: unknown }> = {};
  const values = set.values ?? [];
  (set.keys ?? []).forEach((key, i) => {
    const v = values[i] ?? {};
    const type = own(v, 'type') ?? 0;
    out[key] = { type: datatypeName(type), value: own(v, 'isNull') ? null : metricValue(v, type) };
  });
  return out;
}

function metadataOf(m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Object.entries sees own properties only: the fields on the wire.
  for (const [k, v] of Object.entries(m)) {
    if (!has(v)) continue;
    out[k] = k === 'size' || k === 'seq' ? wireToJson(v as WireLong) : v;
  }
  return out;
}

/**
 * One metric. `knownType` is the datatype from the birth certificate, for DATA metrics that leave it out (they may:
 * spec 6.4.8); a datatype on the metric itself wins.
 */
export function metricOf(m: WireMetric, knownType?: number): SparkplugMetric {
  const dt = own(m, 'datatype') ?? knownType ?? DT.Unknown;
  const out: SparkplugMetric = { datatype: datatypeName(dt), value: null };
  const name = own(m, 'name');
  if (name !== undefined) out.name = name;
  const alias = own(m, 'alias');
  if (alias !== undefined) out.alias = wireToJson(alias);
  const timestamp = own(m, 'timestamp');
  if (timestamp !== undefined) out.timestamp = wireToNumber(timestamp);
  const isNull = own(m, 'isNull') === true;
  out.value = isNull ? null : metricValue(m, dt);
  if (isNull) out.isNull = true;
  if (own(m, 'isHistorical')) out.isHistorical = true;
  if (own(m, 'isTransient')) out.isTransient = true;
  const metadata = own(m, 'metadata');
  if (metadata !== undefined) out.metadata = metadataOf(metadata);
  const properties = own(m, 'properties');
  if (properties !== undefined) out.properties = propertiesOf(properties);
  return out;
}

/** protobufjs's view of the bytes; throws on bytes that are not a protobuf `Payload`. */
export function decodeWire(bytes: Uint8Array): WirePayload {
  return PayloadType.decode(bytes) as unknown as WirePayload;
}

/** The payload's header fields as JSON (without metrics). */
export function headerOf(w: WirePayload): Omit<SparkplugPayload, 'metrics'> {
  const out: Omit<SparkplugPayload, 'metrics'> = {};
  const timestamp = own(w, 'timestamp');
  if (timestamp !== undefined) out.timestamp = wireToNumber(timestamp);
  const seq = own(w, 'seq');
  if (seq !== undefined) out.seq = wireToNumber(seq);
  const uuid = own(w, 'uuid');
  if (uuid !== undefined) out.uuid = uuid;
  const body = own(w, 'body');
  if (body !== undefined && body.byteLength > 0) out.body = base64(body);
  return out;
}

/** Bytes -> JSON payload. Throws (a protobufjs or RangeError) on bytes that are not Sparkplug B. */
export function decodeSparkplug(bytes: Uint8Array): SparkplugPayload {
  const w = decodeWire(bytes);
  const out = headerOf(w) as SparkplugPayload;
  const wire = w.metrics ?? [];
  const metrics = new Array<SparkplugMetric>(wire.length);
  for (let i = 0; i < wire.length; i++) metrics[i] = metricOf(wire[i]);
  out.metrics = metrics;
  return out;
}
