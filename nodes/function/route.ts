/**
 * Turns what the user's code returned into messages per output port (Node-RED semantics), validating every
 * message before any is emitted so a bad result fails the input as a whole.
 */
import type { Message, WireHeaders } from '../../src/spec/index.js';

export interface Emission {
  port: string;
  msg: Message;
}

/** The result does not describe valid messages: the reason names the output and the field. */
export class ResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultError';
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function optionalString(obj: Record<string, unknown>, field: string, where: string): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ResultError(`${where}: ${field} must be a string, not ${kindOf(v)}`);
  return v;
}

function headersOf(obj: Record<string, unknown>, where: string): Record<string, string> {
  const h = obj.headers;
  if (h === undefined || h === null) return {};
  if (typeof h !== 'object' || Array.isArray(h)) {
    throw new ResultError(`${where}: headers must be an object of strings, not ${kindOf(h)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (typeof v !== 'string') {
      throw new ResultError(`${where}: header "${k}" must be a string, not ${kindOf(v)} (use String(...))`);
    }
    out[k] = v;
  }
  return out;
}

/** Received headers the code passed on (`msg.wire`): strings, or arrays of strings for a repeated name. */
function wireOf(obj: Record<string, unknown>, where: string): WireHeaders | undefined {
  const w = obj.wire;
  if (w === undefined || w === null) return undefined;
  if (typeof w !== 'object' || Array.isArray(w)) {
    throw new ResultError(`${where}: wire must be an object of strings, not ${kindOf(w)}`);
  }
  const out: WireHeaders = Object.create(null);
  for (const k of Object.keys(w)) {
    const v = (w as Record<string, unknown>)[k];
    if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) out[k] = v;
    else throw new ResultError(`${where}: wire header "${k}" must be a string or an array of strings`);
  }
  return out;
}

/** One returned value as a message; `id` is set later, once the number of messages is known. */
function toMessage(value: unknown, input: Message, where: string): Message {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ResultError(`${where}: expected a message object, got ${kindOf(value)}`);
  }
  const obj = value as Record<string, unknown>;
  if (!('payload' in obj)) throw new ResultError(`${where}: the message has no payload (null is allowed)`);
  const ts = obj.timestamp;
  if (ts !== undefined && ts !== null && (typeof ts !== 'number' || !Number.isFinite(ts))) {
    throw new ResultError(`${where}: timestamp must be a number of milliseconds, not ${kindOf(ts)}`);
  }
  return {
    id: input.id,
    topic: optionalString(obj, 'topic', where),
    key: optionalString(obj, 'key', where),
    payload: obj.payload,
    headers: headersOf(obj, where),
    wire: wireOf(obj, where),
    timestamp: typeof ts === 'number' ? ts : input.timestamp,
  };
}

/** Messages for one port: a message, null (nothing) or an array of messages/nulls. */
function collect(value: unknown, port: string, input: Message, out: Emission[]): void {
  if (value === null || value === undefined) return;
  if (!Array.isArray(value)) {
    out.push({ port, msg: toMessage(value, input, `output ${port}`) });
    return;
  }
  value.forEach((item, i) => {
    if (item !== null && item !== undefined) out.push({ port, msg: toMessage(item, input, `output ${port}[${i}]`) });
  });
}

/**
 * `result` is the code's return value (after JSON). A single message goes to the first port; an array gives
 * element i to port i. Several messages from one input get ids `${id}:0`, `${id}:1`, ... in emission order.
 */
export function routeResult(result: unknown, input: Message, ports: readonly string[]): Emission[] {
  const out: Emission[] = [];
  if (result === null || result === undefined) return out;
  if (Array.isArray(result)) {
    if (result.length > ports.length) {
      const hint =
        ports.length === 1
          ? '; to send several messages on the one output, return [[msg1, msg2]]'
          : '; raise Outputs or return fewer elements';
      throw new ResultError(
        `the code returned an array of ${result.length} elements but the node has ${ports.length} output${ports.length === 1 ? '' : 's'}${hint}`,
      );
    }
    result.forEach((value, i) => {
      collect(value, ports[i], input, out);
    });
  } else if (typeof result === 'object') {
    out.push({ port: ports[0], msg: toMessage(result, input, `output ${ports[0]}`) });
  } else {
    throw new ResultError(
      `the code returned ${kindOf(result)}; return a message object (with a payload), an array of them, or null to drop`,
    );
  }
  if (out.length > 1) {
    out.forEach((e, n) => {
      e.msg.id = `${input.id}:${n}`;
    });
  }
  return out;
}
