/**
 * The narrow view of mqtt.js internals the delivery gate relies on, in one place.
 * mqtt.js declares `_sendPacket` private and reads `options.customHandleAcks` for QoS 1/2 PUBLISH packets
 * (for every protocol version, although it documents the option for MQTT 5 only). mqtt is pinned exactly
 * in package.json, and hook-probe.ts checks this behaviour at start-up, so a change fails closed.
 */
import type { IPublishPacket, MqttClient } from 'mqtt';

/** The mqtt.js version whose internals were read and measured (see docs/delivery.md). */
export const VERIFIED_MQTT_VERSION = '5.16.0';

export interface AckPacket {
  cmd: 'puback' | 'pubrec';
  messageId: number;
  reasonCode?: number;
}

export interface OutPacket {
  cmd: string;
  messageId?: number;
}

export type SendPacket = (
  packet: OutPacket,
  cb?: (err?: Error) => void,
  cbStorePut?: () => void,
  noStore?: boolean,
) => void;

/** `done(null, 0)` lets mqtt.js go on to PUBACK (QoS 1) or store + PUBREC (QoS 2). */
export type AckDone = (error: Error | number | null, code?: number) => void;
export type AckHook = (topic: string, payload: Buffer, packet: IPublishPacket, done: AckDone) => void;

interface ClientInternals {
  _sendPacket?: SendPacket;
  options: { customHandleAcks?: unknown };
}

function internals(client: MqttClient): ClientInternals {
  return client as unknown as ClientInternals;
}

export function isAckPacket(p: OutPacket): p is AckPacket {
  return (p.cmd === 'puback' || p.cmd === 'pubrec') && typeof p.messageId === 'number';
}

/** The client's packet writer, or undefined if mqtt.js no longer has one where we expect it. */
export function getSendPacket(client: MqttClient): SendPacket | undefined {
  const fn = internals(client)._sendPacket;
  return typeof fn === 'function' ? fn : undefined;
}

export function setSendPacket(client: MqttClient, fn: SendPacket): void {
  internals(client)._sendPacket = fn;
}

/** Called by mqtt.js when a QoS 1/2 PUBLISH arrives, before it stores the packet or acknowledges it. */
export function setAckHook(client: MqttClient, hook: AckHook): void {
  internals(client).options.customHandleAcks = hook;
}
