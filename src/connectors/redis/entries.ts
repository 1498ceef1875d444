/**
 * Stream entries to messages (redis-in) and messages to entry fields (redis-out). An entry is a list of field/value
 * pairs: one field (`bodyField`) holds the payload, encoded by the codec; every other field is an application header
 * (`wire`). With no body field, the payload is the whole entry as an object of text values, for streams that other
 * programs write field by field (`XADD s * temp 21.5 site berlin`).
 */
import type { Message, WireHeaders } from '../../spec/message.js';
import { type Codec, decode, encode } from '../codec.js';
import { isEnvelopeHeader } from '../envelope.js';
import { addWire, exposeWire, newWire, outgoingHeaders } from '../wire-headers.js';

export type { Codec } from '../codec.js';

/** One entry as XREADGROUP/XCLAIM/XAUTOCLAIM give it (Buffer replies); `fields` null: the entry was deleted. */
export interface StreamEntry {
  id: string;
  fields: Buffer[] | null;
}

/** Parses a list of `[id, [field, value, ...]]` replies. */
export function parseEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || item.length < 2) continue;
    const fields = item[1];
    out.push({ id: String(item[0]), fields: Array.isArray(fields) ? (fields as Buffer[]) : null });
  }
  return out;
}

/** XREADGROUP's reply for one stream: `[[stream, entries]]`, or null when the block timed out. */
export function parseReadReply(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const first = raw[0];
  return Array.isArray(first) ? parseEntries(first[1]) : [];
}

/** Stable across redeliveries of the same entry, so sinks can write idempotently. */
export function entryMessageId(stream: string, id: string): string {
  return `${stream}/${id}`;
}

export interface Inbound {
  message: Message;
  /** Set when the body does not decode: the message goes to the error route with this reason. */
  failure?: string;
}

export interface InboundOptions {
  codec: Codec;
  /** The field that holds the payload; empty: the whole entry is the payload. */
  bodyField: string;
}

let lastField = '';
let lastFieldBytes = Buffer.alloc(0);

/** The UTF-8 bytes of a field name (the last one kept: a reader asks for the same name every time). */
function fieldBytes(name: string): Buffer {
  if (name !== lastField) {
    lastFieldBytes = Buffer.from(name, 'utf8');
    lastField = name;
  }
  return lastFieldBytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function inboundMessage(stream: string, entry: StreamEntry, o: InboundOptions, deliveries?: number): Inbound {
  const fields = entry.fields ?? [];
  const headers: Record<string, string> = {};
  let wire: WireHeaders | undefined;
  let body: Buffer | undefined;
  let whole: Record<string, string> | undefined;
  const bodyName = o.bodyField === '' ? undefined : fieldBytes(o.bodyField);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // The body field is found by its bytes: no name string is made for it (the common entry has no other field).
    if (bodyName !== undefined && body === undefined && sameBytes(fields[i], bodyName)) {
      body = fields[i + 1];
      continue;
    }
    const name = fields[i].toString('utf8');
    if (bodyName === undefined) {
      whole = whole ?? {};
      whole[name] = fields[i + 1].toString('utf8');
    } else {
      wire = wire ?? newWire();
      addWire(wire, name, fields[i + 1].toString('utf8'));
    }
  }
  if (wire) exposeWire(wire, headers);
  headers['redis-stream'] = stream;
  headers['redis-id'] = entry.id;
  if (deliveries !== undefined) headers['redis-deliveries'] = String(deliveries);
  let payload: unknown;
  let failure: string | undefined;
  if (o.bodyField === '') payload = whole ?? {};
  else if (body === undefined) {
    payload = null;
    failure = `the entry has no "${o.bodyField}" field (set the body field, or leave it empty to take the whole entry)`;
  } else {
    const decoded = decode(body, o.codec);
    payload = decoded.payload;
    if (!decoded.ok) failure = decoded.reason;
  }
  const message: Message = {
    id: entryMessageId(stream, entry.id),
    topic: stream,
    key: undefined,
    payload,
    headers,
    timestamp: Date.now(),
  };
  if (wire) message.wire = wire;
  return failure === undefined ? { message } : { message, failure };
}

export interface OutboundOptions {
  codec: Codec;
  bodyField: string;
  copyHeaders: boolean;
  /** A field that carries the message id (for consumers that de-duplicate); empty: none. */
  idField: string;
}

const sendAsField = (name: string) => !isEnvelopeHeader(name);

/**
 * The encoded payload as a string where the codec makes text: ioredis writes a command of strings in one piece, but
 * one with any Buffer argument as a list of buffers (slower). Bytes, and every payload the codec refuses, go through
 * the shared encoder (same bytes, same errors).
 */
export function encodeValue(payload: unknown, codec: Codec): string | Buffer {
  if (codec === 'json' && !(payload instanceof Uint8Array)) {
    const text = JSON.stringify(payload);
    if (text !== undefined) return text;
  } else if (codec === 'text' && typeof payload === 'string') {
    return payload;
  }
  return encode(payload, codec);
}

/** XADD's field/value list for `msg`. Throws EncodeError when the payload does not fit the codec. */
export function entryFields(msg: Message, o: OutboundOptions): Array<string | Buffer> {
  const out: Array<string | Buffer> = [o.bodyField, encodeValue(msg.payload, o.codec)];
  if (o.idField) out.push(o.idField, msg.id);
  if (!o.copyHeaders) return out;
  const headers = outgoingHeaders(msg, sendAsField);
  if (!headers) return out;
  for (const name of Object.keys(headers)) {
    if (name === o.bodyField || name === o.idField) continue;
    const v = headers[name];
    if (Array.isArray(v)) for (const item of v) out.push(name, item);
    else out.push(name, v);
  }
  return out;
}
