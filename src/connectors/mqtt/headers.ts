/**
 * MQTT metadata and MQTT 5 properties <-> a message's `headers` and `wire` (see ../wire-headers.ts).
 *
 * In: the PUBLISH flags and MQTT 5 properties get the names below in `headers`; user properties go to `wire` as
 * received (a repeated name stays repeated), and those `headers` can hold are copied there too. Out (MQTT 5): only
 * the names below in `headers` set properties (what Sluice derived or the flow set, never a user property); user
 * properties are the outgoing application headers: `wire`, and the flow's headers except Sluice's reserved names.
 */
import type { IPublishPacket } from 'mqtt';
import type { Message, WireHeaders } from '../../spec/message.js';
import { isReservedHeader } from '../envelope.js';
import { addWire, exposeWire, newWire, outgoingHeaders } from '../wire-headers.js';

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

/** User properties as received: mqtt-packet gives a null-prototype object, a repeated name as an array. */
function wireOf(user: Record<string, string | string[]>): WireHeaders {
  const wire = newWire();
  for (const name of Object.getOwnPropertyNames(user)) {
    const v = user[name];
    if (Array.isArray(v)) for (const item of v) addWire(wire, name, String(item));
    else addWire(wire, name, String(v));
  }
  return wire;
}

export interface MqttHeaders {
  headers: Record<string, string>;
  wire: WireHeaders | undefined;
}

export function headersOf(packet: IPublishPacket): MqttHeaders {
  const headers: Record<string, string> = {};
  let wire: WireHeaders | undefined;
  const p = packet.properties;
  if (p) {
    if (p.userProperties) {
      wire = wireOf(p.userProperties);
      exposeWire(wire, headers);
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
  return { headers, wire };
}

/** User properties to send: received ones and the flow's headers, never Sluice's reserved names from `headers`. */
const sendAsUserProperty = (name: string) => !isReservedHeader(name);

/** PUBLISH properties (MQTT 5) for a message; `undefined` when there are none. */
export function propertiesOf(msg: Message, userProperties: boolean): PublishProperties | undefined {
  // Per message: objects are made only for headers that map to something (usually none).
  let props: PublishProperties | undefined;
  const headers = msg.headers;
  for (const k in headers) {
    if (!Object.hasOwn(headers, k)) continue;
    const v = headers[k];
    if (typeof v !== 'string') continue;
    if (k === HEADER.contentType) props = { ...props, contentType: v };
    else if (k === HEADER.responseTopic) props = { ...props, responseTopic: v };
    else if (k === HEADER.correlationData) props = { ...props, correlationData: Buffer.from(v, 'base64') };
    else if (k === HEADER.payloadFormat) props = { ...props, payloadFormatIndicator: v === 'utf-8' };
    else if (k === HEADER.messageExpiry && /^\d+$/.test(v)) props = { ...props, messageExpiryInterval: Number(v) };
  }
  if (userProperties) {
    const user = outgoingHeaders(msg, sendAsUserProperty);
    if (user) props = { ...props, userProperties: user };
  }
  return props;
}
