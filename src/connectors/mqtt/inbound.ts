/** An MQTT PUBLISH -> a flow message (payload by codec, metadata and MQTT 5 properties as headers). */
import type { IPublishPacket } from 'mqtt';
import { createMessage, type Message } from '../../spec/message.js';
import { type Codec, decode } from '../codec.js';
import { headersOf } from './headers.js';

export type Inbound = { message: Message; failure?: undefined } | { message: Message; failure: string };

export function inboundMessage(packet: IPublishPacket, codec: Codec): Inbound {
  const bytes = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  const decoded = decode(bytes, codec);
  const headers = headersOf(packet);
  const topic = packet.topic;
  // An unreadable payload goes to the error route as it came (bytes, or the text that is not JSON).
  if (!decoded.ok)
    return { message: createMessage({ topic, headers, payload: decoded.payload }), failure: decoded.reason };
  return { message: createMessage({ topic, headers, payload: decoded.payload }) };
}
