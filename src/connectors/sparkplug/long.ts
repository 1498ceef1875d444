/**
 * 64-bit integers on the Sparkplug wire. protobufjs decodes `uint64` to a Long (`{low, high}`) when the `long`
 * package is present, else to a number; Sluice turns them into JSON-friendly values: a number when it is a safe
 * integer (|n| <= 2^53 - 1), else a decimal string, so no digit is ever lost silently.
 */

/** What protobufjs hands back for a 64-bit field. */
export type WireLong = number | { low: number; high: number; unsigned?: boolean };

/** The protobufjs writer takes this for a 64-bit field (see protobufjs LongBits.from). */
export interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function wireToBigInt(v: WireLong, signed: boolean): bigint {
  const raw =
    typeof v === 'number'
      ? BigInt.asUintN(64, BigInt(Math.trunc(v)))
      : (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return signed ? BigInt.asIntN(64, raw) : raw;
}

/** A number when safe, else the decimal string. */
export function jsonInteger(n: bigint): number | string {
  return n <= MAX_SAFE && n >= -MAX_SAFE ? Number(n) : n.toString();
}

/** |high| below 2^21: high * 2^32 + low is a safe integer, computed without BigInt (the common case, and fast). */
const SAFE_HIGH = 0x200000;

export function wireToJson(v: WireLong | null | undefined, signed = false): number | string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') {
    const high = signed ? v.high | 0 : v.high >>> 0;
    if (high < SAFE_HIGH && high > -SAFE_HIGH) return high * 0x100000000 + (v.low >>> 0);
  }
  return jsonInteger(wireToBigInt(v, signed));
}

/** A timestamp or seq as a number (a value beyond 2^53 loses precision: no real timestamp is one). */
export function wireToNumber(v: WireLong | null | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  return (v.high >>> 0) * 0x100000000 + (v.low >>> 0);
}

/** A map key for an alias: the number when it is a safe integer, else its decimal text. */
export function aliasKey(v: WireLong): number | string {
  return wireToJson(v) as number | string;
}

/**
 * A JSON integer (number, bigint or decimal string) -> 64 bits for the writer. `what` names the value in errors.
 * Range: [-2^63, 2^64 - 1]; negatives are written as two's complement (Int64).
 */
export function toLongBits(value: unknown, what: string): LongBits {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) n = BigInt(value.trim());
  else
    throw new RangeError(`${what} must be an integer (a number, or a decimal string beyond 2^53), not ${show(value)}`);
  if (n < -(1n << 63n) || n >= 1n << 64n) throw new RangeError(`${what} ${n} does not fit in 64 bits`);
  const bits = BigInt.asUintN(64, n);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned: true };
}

export function show(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
