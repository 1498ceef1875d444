/**
 * Received application headers (MQTT 5 user properties, Kafka record headers, AMQP headers) in and out of a message,
 * kept apart from what Sluice derives. See `Message.wire` and the README's "Messages".
 *
 * In: every received header goes to `wire` as it came (any name, repeats kept in order); one with a single value and
 * a name Sluice does not reserve is also put in `headers`, so expressions read it as `headers.site`.
 * Out: `outgoingHeaders` gives the application headers a sink sends: the `wire` entries, except that the flow's
 * `headers` decide every name they can hold (a transform may change or delete `headers.site`), and the names a sink
 * chooses to send from `headers` on top. Protocol properties (expiry, response topic, ...) are never taken from `wire`.
 */
import type { Message, WireHeaders } from '../spec/message.js';
import { isReservedHeader } from './envelope.js';

/** An empty set of received headers: null-prototype, so `__proto__` is stored like any other name. */
export function newWire(): WireHeaders {
  return Object.create(null) as WireHeaders;
}

/** Add one received header; a name seen before becomes an array of its values in order. */
export function addWire(wire: WireHeaders, name: string, value: string): void {
  const had = wire[name];
  if (had === undefined) wire[name] = value;
  else if (Array.isArray(had)) had.push(value);
  else wire[name] = [had, value];
}

/** Whether a received header also appears in `headers` (one value, a name Sluice does not reserve). */
export function inHeaders(name: string, value: string | string[]): value is string {
  return typeof value === 'string' && !isReservedHeader(name);
}

/** Copy the received headers `headers` can hold into it (before the source adds its envelope). */
export function exposeWire(wire: WireHeaders, headers: Record<string, string>): void {
  for (const name of Object.keys(wire)) {
    const v = wire[name];
    if (inHeaders(name, v)) headers[name] = v;
  }
}

/** The first key of an object, or undefined: cheaper than Object.keys for the common empty case. */
function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * The application headers to send for `msg`: `wire` entries `headers` cannot hold (repeated or reserved names), then
 * each name of `headers` that `send` accepts. A name from `headers` replaces a wire entry of that name, except a
 * reserved one (kafka-out and amqp-out send the engine's `sluice-*`), which goes after the received values.
 * Undefined when there is nothing to send.
 */
export function outgoingHeaders(msg: Message, send: (name: string) => boolean): WireHeaders | undefined {
  const wire = msg.wire;
  let out: WireHeaders | undefined;
  if (wire) {
    for (const name of Object.keys(wire)) {
      const v = wire[name];
      // A single value under an ordinary name is in `headers`: the flow's copy there decides (or its removal).
      if (inHeaders(name, v)) continue;
      out = out ?? newWire();
      out[name] = Array.isArray(v) ? v.slice() : v;
    }
  }
  const headers = msg.headers;
  if (isEmpty(headers)) return out;
  for (const name in headers) {
    if (!Object.hasOwn(headers, name) || name === '__proto__' || !send(name)) continue;
    const v = headers[name];
    if (typeof v !== 'string') continue;
    out = out ?? newWire();
    const had = out[name];
    if (had === undefined || !isReservedHeader(name)) out[name] = v;
    else out[name] = [...(Array.isArray(had) ? had : [had]), v];
  }
  return out;
}
