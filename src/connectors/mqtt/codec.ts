/** MQTT payload codecs: bytes on the wire <-> a message payload, chosen explicitly by config, never guessed. */
export type Codec = 'json' | 'text' | 'bytes';

export type Decoded = { ok: true; payload: unknown } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function sample(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

export function decodePayload(bytes: Buffer, codec: Codec): Decoded {
  if (codec === 'bytes') return { ok: true, payload: bytes };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: `payload is not valid UTF-8 (codec ${codec}, ${bytes.length} bytes)` };
  }
  if (codec === 'text') return { ok: true, payload: text };
  try {
    return { ok: true, payload: JSON.parse(text) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `payload is not valid JSON: ${why} (payload: ${sample(text)})` };
  }
}

/** The bytes to publish for a payload. Throws when the payload does not fit the codec. */
export function encodePayload(payload: unknown, codec: Codec): Buffer | string {
  if (codec === 'json') {
    if (payload instanceof Uint8Array) throw new Error('payload is bytes; use codec bytes to publish it as is');
    return JSON.stringify(payload) ?? 'null';
  }
  if (codec === 'text') {
    if (typeof payload !== 'string')
      throw new Error(`payload is not text (it is ${describe(payload)}); use codec json`);
    return payload;
  }
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  throw new Error(`payload is not bytes (it is ${describe(payload)}); use codec json or text`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
