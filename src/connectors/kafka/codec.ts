/**
 * Record values use the shared codecs. Kafka adds one rule: a null value (a tombstone, which deletes a key in a
 * compacted topic) is a null payload either way, except that the json codec writes a null payload as `null`.
 */
import { type Codec, type Decoded, decode as decodeShared, encode as encodeShared } from '../codec.js';

export { type Codec, type Decoded, EncodeError } from '../codec.js';

export function decode(value: Buffer | null, codec: Codec): Decoded {
  return value === null ? { ok: true, payload: null } : decodeShared(value, codec, 'the record value');
}

export function encode(payload: unknown, codec: Codec): Buffer | null {
  return payload === null && codec !== 'json' ? null : encodeShared(payload, codec);
}
