/** Messages to Kafka records (kafka-out) and records to messages (kafka-in). */
import type { Message, WireHeaders } from '../../spec/message.js';
import { isEnvelopeHeader } from '../envelope.js';
import { addWire, exposeWire, newWire, outgoingHeaders } from '../wire-headers.js';
import { type Codec, decode, encode } from './codec.js';
import type { InRecord, OutRecord } from './driver.js';

/** Stable across redeliveries of the same record, so sinks can write idempotently. Topic names hold no `/`. */
export function recordId(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

export interface OutboundOptions {
  codec: Codec;
  copyHeaders: boolean;
  /** Header that carries the message id (for consumers that de-duplicate); empty: none. */
  idHeader: string;
}

const sendAsHeader = (name: string) => !isEnvelopeHeader(name);

/** Throws EncodeError when the payload does not fit the codec. */
export function outboundRecord(msg: Message, topic: string, o: OutboundOptions): OutRecord {
  // Received headers and the flow's (with the engine's `sluice-*`, for dead letters), not the envelope.
  const headers: WireHeaders = (o.copyHeaders && outgoingHeaders(msg, sendAsHeader)) || newWire();
  if (o.idHeader) headers[o.idHeader] = msg.id;
  return {
    topic,
    key: msg.key ?? null,
    value: encode(msg.payload, o.codec),
    headers,
    timestamp: String(msg.timestamp),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Undefined for what is neither text nor bytes (kafkajs's decoder puts Object.prototype in a `__proto__` header). */
function headerText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
}

function addValue(wire: WireHeaders, name: string, v: unknown): void {
  const text = headerText(v);
  if (text !== undefined) addWire(wire, name, text);
}

export interface Inbound {
  message: Message;
  /** Set when the value does not decode: the message goes to the error route with this reason. */
  failure?: string;
}

export function inboundMessage(topic: string, partition: number, r: InRecord, codec: Codec): Inbound {
  const headers: Record<string, string> = {};
  let wire: WireHeaders | undefined;
  if (r.headers) {
    // Kafka allows a header name more than once: all values are kept, in order (kafkajs gives them as an array).
    for (const name of Object.keys(r.headers)) {
      const v = r.headers[name];
      if (v === undefined) continue;
      wire = wire ?? newWire();
      if (Array.isArray(v)) for (const item of v) addValue(wire, name, item);
      else addValue(wire, name, v);
    }
    if (wire) exposeWire(wire, headers);
  }
  headers['kafka-topic'] = topic;
  headers['kafka-partition'] = String(partition);
  headers['kafka-offset'] = r.offset;
  headers['kafka-timestamp'] = r.timestamp;
  let key: string | undefined;
  if (r.key !== null && r.key !== undefined) {
    try {
      key = utf8.decode(r.key);
    } catch {
      // A binary key keeps its bytes: base64, and a header says so.
      key = r.key.toString('base64');
      headers['kafka-key-encoding'] = 'base64';
    }
  }
  const decoded = decode(r.value, codec);
  const message: Message = {
    id: recordId(topic, partition, r.offset),
    topic,
    key,
    payload: decoded.payload,
    headers,
    wire,
    timestamp: Date.now(),
  };
  return decoded.ok ? { message } : { message, failure: decoded.reason };
}
