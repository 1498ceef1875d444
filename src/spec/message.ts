/** A message as it travels through a flow. Isomorphic: the editor shows the same shape. */
export interface Message {
  /** Stable id; derived messages keep or extend it so sinks can write idempotently. */
  id: string;
  topic?: string;
  key?: string;
  /** Parsed by explicit codec settings: a JSON value, a string or bytes. */
  payload: unknown;
  headers: Record<string, string>;
  /** Milliseconds since the epoch when the message entered the flow. */
  timestamp: number;
}

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
    timestamp: msg.timestamp,
  };
}
