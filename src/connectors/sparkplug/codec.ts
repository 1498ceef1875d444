/**
 * The `sparkplug` payload codec of mqtt-in and mqtt-out: Sparkplug B protobuf <-> the JSON payload of decode.ts.
 * Loaded only by nodes that use it (protobufjs stays out of flows that do not).
 */
import { type Decoded, EncodeError } from '../codec.js';
import { decodeSparkplug } from './decode.js';
import { encodeSparkplug } from './encode.js';

export function decodeSparkplugPayload(body: Uint8Array, what = 'the payload'): Decoded {
  try {
    return { ok: true, payload: decodeSparkplug(body) };
  } catch (err) {
    return { ok: false, reason: `${what} is not a Sparkplug B payload: ${(err as Error).message}`, payload: body };
  }
}

export function encodeSparkplugPayload(payload: unknown): Buffer {
  try {
    const bytes = encodeSparkplug(payload);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    throw new EncodeError(`the sparkplug codec cannot send this payload: ${(err as Error).message}`);
  }
}
