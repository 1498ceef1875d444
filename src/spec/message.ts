/** A message as it travels through a flow. Isomorphic: the editor shows the same shape. */
export interface Message {
  /** Stable id; derived messages keep or extend it so sinks can write idempotently. */
  id: string;
  topic?: string;
  key?: string;
  /** Parsed by explicit codec settings: a JSON value, a string or bytes. */
  payload: unknown;
  /**
   * Sluice's headers, one string per name: what a source derives (`mqtt-*`, `kafka-*`, `amqp-*`, `content-type`),
   * the engine's `sluice-*`, what the flow sets, and (for expressions like `headers.site`) each received header
   * that has a single value and a name Sluice does not reserve. A name here never comes from the wire alone.
   */
  headers: Record<string, string>;
  /**
   * The application headers exactly as the protocol carried them in (MQTT 5 user properties, Kafka record headers,
   * AMQP headers): any name (a null-prototype object, so `__proto__` is a name like any other), a name received
   * more than once as an array of its values in order. Sinks send them out as the same kind of header, never as
   * protocol properties. Absent when the source had none.
   */
  wire?: WireHeaders;
  /** Milliseconds since the epoch when the message entered the flow. */
  timestamp: number;
}

/** Received application headers: a name given once maps to its value, a repeated name to its values in order. */
export type WireHeaders = Record<string, string | string[]>;

/** Header names the engine sets when it routes a failed message. */
export const ERROR_HEADER = 'sluice-error';
export const ERROR_NODE_HEADER = 'sluice-error-node';
/** Set once a message has been handed to the flow's error route. */
export const ERROR_ROUTED_HEADER = 'sluice-error-routed';

let counter = 0;
const prefix = Math.floor(Math.random() * 0x7fffffff).toString(36);

/** A process-unique id; cheap enough for the hot path (no crypto per message). */
export function newMessageId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}-${counter.toString(36)}`;
}

export function createMessage(init: Partial<Message> & { payload: unknown }): Message {
  return {
    id: init.id ?? newMessageId(),
    topic: init.topic,
    key: init.key,
    payload: init.payload,
    headers: init.headers ?? {},
    ...(init.wire ? { wire: init.wire } : {}),
    timestamp: init.timestamp ?? Date.now(),
  };
}

/** Deep copy of a payload. JSON-like values are copied by hand (fast); anything else goes through structuredClone. */
export function clonePayload(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = clonePayload(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const k in value as Record<string, unknown>) out[k] = clonePayload((value as Record<string, unknown>)[k]);
    return out;
  }
  return structuredClone(value);
}

/** A copy no other holder can change: used for every fan-out branch. */
export function cloneMessage(msg: Message): Message {
  return {
    id: msg.id,
    topic: msg.topic,
    key: msg.key,
    payload: clonePayload(msg.payload),
    headers: { ...msg.headers },
    ...(msg.wire ? { wire: cloneWire(msg.wire) } : {}),
    timestamp: msg.timestamp,
  };
}

/** A copy of received headers, still null-prototype (a `__proto__` name stays a name). */
export function cloneWire(wire: WireHeaders): WireHeaders {
  const out: WireHeaders = Object.create(null);
  for (const name of Object.keys(wire)) {
    const v = wire[name];
    out[name] = Array.isArray(v) ? v.slice() : v;
  }
  return out;
}
