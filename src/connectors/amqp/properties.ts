/**
 * AMQP properties and headers <-> message headers. Inbound, the envelope (routing key, exchange, message id, ...)
 * becomes `amqp-*` headers next to the application headers; outbound, envelope headers (these, and other sources'
 * `mqtt-*`, `kafka-*`) are not copied: they describe the delivery that came in, not the message going out.
 */
import type { ConsumeMessage, Options } from 'amqplib';
import type { Message } from '../../spec/message.js';
import { isEnvelopeHeader } from '../envelope.js';

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
}

const ENVELOPE: Array<[header: string, get: (m: ConsumeMessage) => unknown]> = [
  ['amqp-routing-key', (m) => m.fields.routingKey],
  ['amqp-exchange', (m) => m.fields.exchange],
  ['amqp-redelivered', (m) => (m.fields.redelivered ? 'true' : undefined)],
  ['amqp-message-id', (m) => m.properties.messageId],
  ['amqp-correlation-id', (m) => m.properties.correlationId],
  ['amqp-content-type', (m) => m.properties.contentType],
  ['amqp-content-encoding', (m) => m.properties.contentEncoding],
  ['amqp-reply-to', (m) => m.properties.replyTo],
  ['amqp-type', (m) => m.properties.type],
  ['amqp-app-id', (m) => m.properties.appId],
  ['amqp-user-id', (m) => m.properties.userId],
  ['amqp-timestamp', (m) => m.properties.timestamp],
  ['amqp-priority', (m) => m.properties.priority],
  ['amqp-expiration', (m) => m.properties.expiration],
];

/** Application headers as strings, then the envelope as `amqp-*` headers (the envelope wins a name clash). */
export function headersFromDelivery(m: ConsumeMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const app = m.properties.headers;
  if (app) {
    for (const [k, v] of Object.entries(app)) {
      const text = headerText(v);
      if (text !== undefined) out[k] = text;
    }
  }
  for (const [name, get] of ENVELOPE) {
    const text = headerText(get(m));
    if (text !== undefined && text !== '') out[name] = text;
  }
  return out;
}

export interface PublishProperties {
  copyHeaders: boolean;
  persistent: boolean;
  contentType: string;
}

/** AMQP publish options for a message: its id as message-id, its headers, a correlation id carried through. */
export function publishOptions(msg: Message, p: PublishProperties): Options.Publish & { messageId: string } {
  const options: Options.Publish & { messageId: string } = {
    messageId: msg.id,
    persistent: p.persistent,
    contentType: p.contentType,
    timestamp: Math.floor(msg.timestamp / 1000),
  };
  const correlationId = msg.headers['amqp-correlation-id'];
  if (correlationId) options.correlationId = correlationId;
  if (p.copyHeaders) {
    const headers: Record<string, string> = {};
    let any = false;
    for (const k in msg.headers) {
      if (isEnvelopeHeader(k)) continue;
      headers[k] = msg.headers[k];
      any = true;
    }
    if (any) options.headers = headers;
  }
  return options;
}
