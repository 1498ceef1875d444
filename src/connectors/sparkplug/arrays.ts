/**
 * Sparkplug B 3.0 array datatypes (22-34): packed little-endian into `bytes_value` (spec 6.4.17). BooleanArray is a
 * 4-byte little-endian count followed by the bits, most significant first; StringArray is NUL-terminated UTF-8.
 */
import { DT } from './datatypes.js';
import { jsonInteger, toLongBits } from './long.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

interface Fixed {
  size: number;
  get(v: DataView, at: number): number | string;
  set(v: DataView, at: number, x: unknown, what: string): void;
}

function intSetter(
  bits: 8 | 16 | 32,
  signed: boolean,
  put: (v: DataView, at: number, n: number) => void,
): Fixed['set'] {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return (v, at, x, what) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
      throw new RangeError(`${what} must be integers from ${min} to ${max}`);
    }
    put(v, at, x);
  };
}

function numberSetter(put: (v: DataView, at: number, n: number) => void): Fixed['set'] {
  return (v, at, x, what) => {
    if (typeof x !== 'number') throw new RangeError(`${what} must be numbers`);
    put(v, at, x);
  };
}

function longSetter(): Fixed['set'] {
  return (v, at, x, what) => {
    const b = toLongBits(x, what);
    v.setUint32(at, b.low >>> 0, true);
    v.setUint32(at + 4, b.high >>> 0, true);
  };
}

const FIXED: Record<number, Fixed> = {
  [DT.Int8Array]: { size: 1, get: (v, a) => v.getInt8(a), set: intSetter(8, true, (v, a, n) => v.setInt8(a, n)) },
  [DT.Int16Array]: {
    size: 2,
    get: (v, a) => v.getInt16(a, true),
    set: intSetter(16, true, (v, a, n) => v.setInt16(a, n, true)),
  },
  [DT.Int32Array]: {
    size: 4,
    get: (v, a) => v.getInt32(a, true),
    set: intSetter(32, true, (v, a, n) => v.setInt32(a, n, true)),
  },
  [DT.Int64Array]: { size: 8, get: (v, a) => jsonInteger(v.getBigInt64(a, true)), set: longSetter() },
  [DT.UInt8Array]: { size: 1, get: (v, a) => v.getUint8(a), set: intSetter(8, false, (v, a, n) => v.setUint8(a, n)) },
  [DT.UInt16Array]: {
    size: 2,
    get: (v, a) => v.getUint16(a, true),
    set: intSetter(16, false, (v, a, n) => v.setUint16(a, n, true)),
  },
  [DT.UInt32Array]: {
    size: 4,
    get: (v, a) => v.getUint32(a, true),
    set: intSetter(32, false, (v, a, n) => v.setUint32(a, n, true)),
  },
  [DT.UInt64Array]: { size: 8, get: (v, a) => jsonInteger(v.getBigUint64(a, true)), set: longSetter() },
  [DT.FloatArray]: {
    size: 4,
    get: (v, a) => shortestFloat(v.getFloat32(a, true)),
    set: numberSetter((v, a, n) => v.setFloat32(a, n, true)),
  },
  [DT.DoubleArray]: {
    size: 8,
    get: (v, a) => v.getFloat64(a, true),
    set: numberSetter((v, a, n) => v.setFloat64(a, n, true)),
  },
  [DT.DateTimeArray]: { size: 8, get: (v, a) => jsonInteger(v.getBigUint64(a, true)), set: longSetter() },
};

/**
 * A float32 as the shortest decimal that reads back to the same float32: 21.3 stays 21.3 instead of
 * 21.299999237060547 (what widening to a double shows).
 */
export function shortestFloat(f: number): number {
  if (!Number.isFinite(f)) return f;
  // Most readings have few decimals: six, by arithmetic, before trying decimal strings (toPrecision is slow).
  const quick = Math.round(f * 1e6) / 1e6;
  if (Math.abs(f) < 1e9 && Math.fround(quick) === f) return shortestOf(quick);
  for (let p = 6; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

/** `x` (already read back to the same float32) with fewer decimals when fewer still read back the same. */
function shortestOf(x: number): number {
  for (let d = 0; d < 6; d++) {
    const m = 10 ** d;
    const r = Math.round(x * m) / m;
    if (Math.fround(r) === Math.fround(x)) return r;
  }
  return x;
}

export function isArrayType(dt: number): boolean {
  return dt >= DT.Int8Array && dt <= DT.DateTimeArray;
}

export function decodeArray(dt: number, bytes: Uint8Array): unknown[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fixed = FIXED[dt];
  if (fixed) {
    if (bytes.byteLength % fixed.size !== 0) {
      throw new RangeError(`an array of ${fixed.size}-byte values has ${bytes.byteLength} bytes`);
    }
    const out = new Array(bytes.byteLength / fixed.size);
    for (let i = 0; i < out.length; i++) out[i] = fixed.get(view, i * fixed.size);
    return out;
  }
  if (dt === DT.BooleanArray) {
    if (bytes.byteLength < 4) throw new RangeError('a BooleanArray needs its 4-byte count');
    const count = view.getUint32(0, true);
    if (Math.ceil(count / 8) > bytes.byteLength - 4) throw new RangeError(`a BooleanArray of ${count} is truncated`);
    const out = new Array<boolean>(count);
    for (let i = 0; i < count; i++) out[i] = (bytes[4 + (i >> 3)] & (0x80 >> (i & 7))) !== 0;
    return out;
  }
  // StringArray: NUL-terminated strings.
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.byteLength; i++) {
    if (bytes[i] === 0) {
      out.push(utf8.decode(bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  if (start < bytes.byteLength) out.push(utf8.decode(bytes.subarray(start)));
  return out;
}

export function encodeArray(dt: number, value: unknown, what: string): Uint8Array {
  if (!Array.isArray(value)) throw new RangeError(`${what} must be an array`);
  const fixed = FIXED[dt];
  if (fixed) {
    const bytes = new Uint8Array(value.length * fixed.size);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < value.length; i++) fixed.set(view, i * fixed.size, value[i], what);
    return bytes;
  }
  if (dt === DT.BooleanArray) {
    const bytes = new Uint8Array(4 + Math.ceil(value.length / 8));
    new DataView(bytes.buffer).setUint32(0, value.length, true);
    value.forEach((x, i) => {
      if (typeof x !== 'boolean') throw new RangeError(`${what} must be booleans`);
      if (x) bytes[4 + (i >> 3)] |= 0x80 >> (i & 7);
    });
    return bytes;
  }
  const parts = value.map((x) => {
    if (typeof x !== 'string' || x.includes('\u0000')) throw new RangeError(`${what} must be strings without NUL`);
    return encoder.encode(`${x}\u0000`);
  });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return bytes;
}
