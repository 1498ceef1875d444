/**
 * AMQP properties and headers <-> a message's `headers` and `wire` (see ../wire-headers.ts). Inbound, the envelope
 * (routing key, exchange, message id, ...) becomes `amqp-*` headers; the application headers go to `wire` (and to
 * `headers` where they can). Outbound, envelope headers (these, and other sources' `mqtt-*`, `kafka-*`) are not
 * copied: they describe the delivery that came in, not the message going out.
 */
import type { ConsumeMessage, Options } from 'amqplib';
import type { Message, WireHeaders } from '../../spec/message.js';
import { isEnvelopeHeader } from '../envelope.js';
import { exposeWire, newWire, outgoingHeaders } from '../wire-headers.js';

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

export interface DeliveryHeaders {
  headers: Record<string, string>;
  wire: WireHeaders | undefined;
}

/** Application headers as text in `wire` (a table or array value as JSON), the envelope as `amqp-*` headers. */
export function headersFromDelivery(m: ConsumeMessage): DeliveryHeaders {
  const headers: Record<string, string> = {};
  let wire: WireHeaders | undefined;
  const app = m.properties.headers;
  if (app) {
    // Own keys only: amqplib decodes a table into a plain object, where a `__proto__` table would be inherited.
    for (const k of Object.keys(app)) {
      const text = headerText(app[k]);
      if (text === undefined) continue;
      wire = wire ?? newWire();
      wire[k] = text;
    }
    if (wire) exposeWire(wire, headers);
  }
  for (const [name, get] of ENVELOPE) {
    const text = headerText(get(m));
    if (text !== undefined && text !== '') headers[name] = text;
  }
  return { headers, wire };
}

/** Received headers and the flow's (with the engine's `sluice-*`, for dead letters), not the envelope. */
const sendAsHeader = (name: string) => !isEnvelopeHeader(name);

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
    // A repeated name (from MQTT or Kafka) goes out as an AMQP array: a table holds a name once.
    const headers = outgoingHeaders(msg, sendAsHeader);
    if (headers) options.headers = headers;
  }
  return options;
}
