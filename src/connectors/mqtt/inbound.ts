/** An MQTT PUBLISH -> a flow message (payload by codec, metadata and MQTT 5 properties as headers). */
import type { IPublishPacket } from 'mqtt';
import { createMessage, type Message } from '../../spec/message.js';
import { type Codec, decodePayload } from './codec.js';
import { headersOf } from './headers.js';

export type Inbound = { message: Message; failure?: undefined } | { message: Message; failure: string };

export function inboundMessage(packet: IPublishPacket, codec: Codec): Inbound {
  const bytes = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  const decoded = decodePayload(bytes, codec);
  const headers = headersOf(packet);
  const topic = packet.topic;
  // An unreadable payload keeps its bytes, so the error route has the original.
  if (!decoded.ok) return { message: createMessage({ topic, headers, payload: bytes }), failure: decoded.reason };
  return { message: createMessage({ topic, headers, payload: decoded.payload }) };
}
