/**
 * Payload codecs shared by the connectors: bytes on the wire to a payload and back, by explicit setting,
 * never guessed. Invalid UTF-8 or JSON is a decode failure (the source sends it to the error route), not a guess.
 */
import { excessiveNestingAt } from '../flow/json-depth.js';
import { DeterministicError } from '../spec/failure.js';
import { parseCsv, stringifyCsv } from './csv.js';

export type Codec = 'json' | 'text' | 'bytes' | 'csv';

// fatal: invalid UTF-8 is an error, not silently replaced characters.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON nested deeper than this is a decode failure: the parser copes, but every recursive walk after it (the copy
 * for a fan-out, JSONata, a sink's JSON.stringify) would overflow the stack, and a megabyte of brackets takes
 * seconds to parse. Jackson's default limit is the same.
 */
export const MAX_PAYLOAD_JSON_DEPTH = 1000;

/** V8 quotes the input in JSON errors: control characters escaped keep a reason on one log line. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

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
  if (codec === 'csv') {
    try {
      return { ok: true, payload: parseCsv(text) };
    } catch (err) {
      return { ok: false, reason: `${what} is not valid CSV: ${oneLine((err as Error).message)}`, payload: text };
    }
  }
  // Shorter text cannot nest that deep: the common case skips the scan.
  if (text.length > MAX_PAYLOAD_JSON_DEPTH && excessiveNestingAt(text, MAX_PAYLOAD_JSON_DEPTH) >= 0) {
    return { ok: false, reason: `${what} is JSON nested deeper than ${MAX_PAYLOAD_JSON_DEPTH} levels`, payload: text };
  }
  try {
    return { ok: true, payload: JSON.parse(text) };
  } catch (err) {
    // The error route gets the text as it came, to inspect or repair.
    return { ok: false, reason: `${what} is not valid JSON: ${oneLine((err as Error).message)}`, payload: text };
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
  if (codec === 'csv') {
    try {
      return Buffer.from(stringifyCsv(payload), 'utf8');
    } catch (err) {
      throw new EncodeError((err as Error).message);
    }
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
