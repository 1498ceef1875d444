/**
 * MQTT metadata and MQTT 5 properties <-> message headers.
 *
 * In: user properties become headers of the same name (repeated names joined with ", "); the other properties
 * and the PUBLISH flags get the names below. Out (MQTT 5): the reserved names map back to properties and every
 * other header, except Sluice's own `sluice-*` and sources' envelope headers (`mqtt-*`, `kafka-*`, `amqp-*`),
 * becomes a user property.
 */
import type { IPublishPacket } from 'mqtt';
import { isEnvelopeHeader } from '../envelope.js';

export const HEADER = {
  qos: 'mqtt-qos',
  retain: 'mqtt-retain',
  dup: 'mqtt-dup',
  contentType: 'content-type',
  responseTopic: 'mqtt-response-topic',
  /** Base64: correlation data is binary. */
  correlationData: 'mqtt-correlation-data',
  payloadFormat: 'mqtt-payload-format',
  messageExpiry: 'mqtt-message-expiry',
} as const;

type PublishProperties = NonNullable<IPublishPacket['properties']>;

const reserved = new Set<string>(Object.values(HEADER));

export function headersOf(packet: IPublishPacket): Record<string, string> {
  const headers: Record<string, string> = {};
  const p = packet.properties;
  if (p) {
    if (p.userProperties) {
      for (const [k, v] of Object.entries(p.userProperties)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    if (p.contentType !== undefined) headers[HEADER.contentType] = p.contentType;
    if (p.responseTopic !== undefined) headers[HEADER.responseTopic] = p.responseTopic;
    if (p.correlationData !== undefined)
      headers[HEADER.correlationData] = Buffer.from(p.correlationData).toString('base64');
    if (p.payloadFormatIndicator) headers[HEADER.payloadFormat] = 'utf-8';
    if (p.messageExpiryInterval !== undefined) headers[HEADER.messageExpiry] = String(p.messageExpiryInterval);
  }
  headers[HEADER.qos] = String(packet.qos);
  if (packet.retain) headers[HEADER.retain] = 'true';
  if (packet.dup) headers[HEADER.dup] = 'true';
  return headers;
}

/** PUBLISH properties (MQTT 5) from a message's headers; `undefined` when there are none. */
export function propertiesOf(headers: Record<string, string>, userProperties: boolean): PublishProperties | undefined {
  // Per message: objects are made only for headers that map to something (usually none).
  let props: PublishProperties | undefined;
  let user: Record<string, string> | undefined;
  for (const k in headers) {
    if (!Object.hasOwn(headers, k)) continue;
    const v = headers[k];
    if (typeof v !== 'string') continue;
    if (userProperties && !reserved.has(k) && !isEnvelopeHeader(k) && !k.startsWith('sluice-')) {
      user = user ?? {};
      user[k] = v;
      continue;
    }
    if (k === HEADER.contentType) props = { ...props, contentType: v };
    else if (k === HEADER.responseTopic) props = { ...props, responseTopic: v };
    else if (k === HEADER.correlationData) props = { ...props, correlationData: Buffer.from(v, 'base64') };
    else if (k === HEADER.payloadFormat) props = { ...props, payloadFormatIndicator: v === 'utf-8' };
    else if (k === HEADER.messageExpiry && /^\d+$/.test(v)) props = { ...props, messageExpiryInterval: Number(v) };
  }
  if (user) props = { ...props, userProperties: user };
  return props;
}
