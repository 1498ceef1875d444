/** Messages to Kafka records (kafka-out) and records to messages (kafka-in). */
import type { Message } from '../../spec/message.js';
import { isEnvelopeHeader } from '../envelope.js';
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

/** Throws EncodeError when the payload does not fit the codec. */
export function outboundRecord(msg: Message, topic: string, o: OutboundOptions): OutRecord {
  const headers: Record<string, string> = {};
  if (o.copyHeaders) {
    for (const name in msg.headers) if (!isEnvelopeHeader(name)) headers[name] = msg.headers[name];
  }
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

function headerText(v: Buffer | string): string {
  return typeof v === 'string' ? v : v.toString('utf8');
}

export interface Inbound {
  message: Message;
  /** Set when the value does not decode: the message goes to the error route with this reason. */
  failure?: string;
}

export function inboundMessage(topic: string, partition: number, r: InRecord, codec: Codec): Inbound {
  const headers: Record<string, string> = {};
  if (r.headers) {
    for (const name in r.headers) {
      const v = r.headers[name];
      if (v === undefined) continue;
      // Kafka allows a header name more than once; like Java's lastHeader(), the last one wins.
      const last = Array.isArray(v) ? v[v.length - 1] : v;
      if (last !== undefined) headers[name] = headerText(last);
    }
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
    timestamp: Date.now(),
  };
  return decoded.ok ? { message } : { message, failure: decoded.reason };
}
