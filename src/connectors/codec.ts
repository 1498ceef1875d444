/**
 * Payload codecs shared by the connectors: bytes on the wire to a payload and back, by explicit setting,
 * never guessed. Invalid UTF-8 or JSON is a decode failure (the source sends it to the error route), not a guess.
 */
import { DeterministicError } from '../spec/failure.js';

export type Codec = 'json' | 'text' | 'bytes';

// fatal: invalid UTF-8 is an error, not silently replaced characters.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type Decoded = { ok: true; payload: unknown } | { ok: false; reason: string; payload: unknown };

/** `what` names the thing in reasons: "the payload", "the record value". */
export function decode(body: Uint8Array, codec: Codec, what = 'the payload'): Decoded {
  if (codec === 'bytes') return { ok: true, payload: body };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, reason: `${what} is not valid UTF-8 text`, payload: body };
  }
  if (codec === 'text') return { ok: true, payload: text };
  try {
    return { ok: true, payload: JSON.parse(text) };
  } catch (err) {
    // The error route gets the text as it came, to inspect or repair.
    return { ok: false, reason: `${what} is not valid JSON: ${(err as Error).message}`, payload: text };
  }
}

/** A payload this codec cannot write; retrying will not help. */
export class EncodeError extends DeterministicError {
  override name = 'EncodeError';
}

export function encode(payload: unknown, codec: Codec): Buffer {
  if (codec === 'json') {
    if (payload instanceof Uint8Array)
      throw new EncodeError('the payload is bytes: use the bytes codec to send it as is');
    const text = JSON.stringify(payload);
    // undefined, a function or a symbol has no JSON form.
    if (text === undefined) throw new EncodeError(`a ${typeof payload} payload has no JSON form`);
    return Buffer.from(text, 'utf8');
  }
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (codec === 'bytes' && payload instanceof Uint8Array) {
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  if (
    codec === 'text' &&
    (typeof payload === 'number' || typeof payload === 'boolean' || typeof payload === 'bigint')
  ) {
    return Buffer.from(String(payload), 'utf8');
  }
  const kind = payload === null ? 'null' : payload instanceof Uint8Array ? 'bytes' : typeof payload;
  throw new EncodeError(`the ${codec} codec cannot send a ${kind} payload (use the json codec, or a transform first)`);
}
