/** NATS messages to Sluice messages (nats-in) and back (nats-out): payload by codec, NATS headers as `wire`. */
import { type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';
import { createMessage, type Message, newMessageId, type WireHeaders } from '../../spec/message.js';
import { type Codec, decode, encode } from '../codec.js';
import { isEnvelopeHeader } from '../envelope.js';
import { addWire, exposeWire, newWire, outgoingHeaders } from '../wire-headers.js';

export type { Codec } from '../codec.js';

/** JetStream's de-duplication header: a repeated id within the stream's duplicate window is stored once. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

export interface Received {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs;
}

export interface Inbound {
  message: Message;
  failure?: string;
}

/** `id`: a stable id (JetStream: `<stream>/<sequence>`); undefined: the publisher's Nats-Msg-Id, else a new one. */
export function inboundMessage(m: Received, codec: Codec, envelope: Record<string, string>, id?: string): Inbound {
  const headers: Record<string, string> = {};
  let wire: WireHeaders | undefined;
  let msgId: string | undefined;
  if (m.headers) {
    for (const [name, values] of m.headers) {
      wire = wire ?? newWire();
      for (const v of values) addWire(wire, name, v);
      if (name.toLowerCase() === MSG_ID_HEADER.toLowerCase() && values[0]) msgId = values[0];
    }
    if (wire) exposeWire(wire, headers);
  }
  headers['nats-subject'] = m.subject;
  for (const k of Object.keys(envelope)) headers[k] = envelope[k];
  if (msgId !== undefined) headers['nats-msg-id'] = msgId;
  const decoded = decode(m.data, codec);
  const message = createMessage({
    id: id ?? msgId ?? newMessageId(),
    topic: m.subject,
    payload: decoded.payload,
    headers,
    wire,
  });
  return decoded.ok ? { message } : { message, failure: decoded.reason };
}

const sendAsHeader = (name: string) => !isEnvelopeHeader(name);

export interface Outbound {
  data: Uint8Array;
  headers?: MsgHdrs;
}

/** Throws EncodeError when the payload does not fit the codec. */
export function outboundMessage(msg: Message, o: { codec: Codec; copyHeaders: boolean }): Outbound {
  const data = encode(msg.payload, o.codec);
  const wire = o.copyHeaders ? outgoingHeaders(msg, sendAsHeader) : undefined;
  if (!wire) return { data };
  const h = natsHeaders();
  for (const name of Object.keys(wire)) {
    // NATS header names are tokens: no spaces or colons (a name that cannot be sent is left out).
    if (!/^[!-9;-~]+$/.test(name)) continue;
    const v = wire[name];
    for (const value of Array.isArray(v) ? v : [v]) h.append(name, value.replace(/[\r\n]+/g, ' '));
  }
  return { data, headers: h };
}
