/** An MQTT PUBLISH -> a flow message (payload by codec, metadata and MQTT 5 properties as headers, user properties as wire headers). */
import type { IPublishPacket } from 'mqtt';
import { type Message, newMessageId } from '../../spec/message.js';
import { type Codec, type Decoded, decode } from '../codec.js';
import { headersOf } from './headers.js';

export type Inbound = { message: Message; failure?: undefined } | { message: Message; failure: string };

/** A codec by name, or a decoder of its own (the `sparkplug` codec, loaded only by the nodes that use it). */
export function inboundMessage(packet: IPublishPacket, codec: Codec | ((body: Uint8Array) => Decoded)): Inbound {
  const bytes = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  const decoded = typeof codec === 'function' ? codec(bytes) : decode(bytes, codec);
  const { headers, wire } = headersOf(packet);
  // Built directly (not through createMessage's init object): this runs per message.
  const message: Message = {
    id: newMessageId(),
    topic: packet.topic,
    key: undefined,
    payload: decoded.payload,
    headers,
    wire,
    timestamp: Date.now(),
  };
  // An unreadable payload goes to the error route as it came (bytes, or the text that is not JSON).
  return decoded.ok ? { message } : { message, failure: decoded.reason };
}
