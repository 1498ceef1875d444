/**
 * Fuzzing the payload decoders and the header mapping of every source (fast-check): arbitrary bytes, headers and
 * properties never crash or hang a decoder, a failure is always a clear reason, and what decodes can be handled by
 * the rest of the flow (copied for fan-out, written as JSON by a sink).
 */

import type { ConsumeMessage } from 'amqplib';
import fc from 'fast-check';
import type { IPublishPacket } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { decode as decodeAmqp } from '../../../src/connectors/amqp/codec.js';
import { headersFromDelivery } from '../../../src/connectors/amqp/properties.js';
import { type Codec, decode, encode, MAX_PAYLOAD_JSON_DEPTH } from '../../../src/connectors/codec.js';
import { isReservedHeader } from '../../../src/connectors/envelope.js';
import { decode as decodeKafka } from '../../../src/connectors/kafka/codec.js';
import { inboundMessage as kafkaInbound } from '../../../src/connectors/kafka/records.js';
import { inboundMessage as mqttInbound } from '../../../src/connectors/mqtt/inbound.js';
import { clonePayload } from '../../../src/spec/message.js';

const codecs: Codec[] = ['json', 'text', 'bytes'];
const codec = fc.constantFrom(...codecs);
const REASON =
  /^the (payload|record value) (is not valid UTF-8 text|is not valid JSON: .+|is JSON nested deeper than \d+ levels)$/;
const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 300) };

/** Bytes that are often almost JSON: valid JSON with a few bytes changed, or random bytes. */
const nearJson = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc
    .tuple(fc.jsonValue(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
    .map(([v, edits]) => {
      const bytes = Buffer.from(JSON.stringify(v) ?? 'null');
      for (const [at, b] of edits) if (bytes.length > 0) bytes[at % bytes.length] = b;
      return new Uint8Array(bytes);
    }),
);

/** Text nested `depth` levels deep in arrays and objects, possibly cut short. */
const deep = fc
  .tuple(fc.integer({ min: 1, max: 200_000 }), fc.boolean(), fc.boolean())
  .map(([depth, objects, closed]) => {
    const open = objects ? '{"a":'.repeat(depth - 1) + '[' : '['.repeat(depth);
    const close = objects ? `]${'}'.repeat(depth - 1)}` : ']'.repeat(depth);
    return { depth, bytes: Buffer.from(open + (closed ? close : '')) };
  });

/** What a decoded payload must survive downstream: a fan-out copy and a JSON sink. */
function usable(payload: unknown): void {
  clonePayload(payload);
  if (!(payload instanceof Uint8Array)) JSON.stringify(payload);
}

function checkDecoded(d: ReturnType<typeof decode>, body: Uint8Array, c: Codec): void {
  if (d.ok) {
    usable(d.payload);
    if (c === 'bytes') expect(d.payload).toBe(body);
    return;
  }
  expect(d.reason).toMatch(REASON);
  expect(c).not.toBe('bytes');
  // The error route gets what came: the bytes (not text) or the text (not JSON).
  if (/UTF-8/.test(d.reason)) expect(d.payload).toBe(body);
  else expect(d.payload).toBe(Buffer.from(body).toString('utf8'));
}

describe('payload decoders under fuzzing', () => {
  it('arbitrary bytes never throw: a payload the flow can handle, or a clear reason and the input kept', () => {
    fc.assert(
      fc.property(nearJson, codec, (body, c) => {
        checkDecoded(decode(body, c), body, c);
        checkDecoded(decodeAmqp(body, c), body, c);
        const k = decodeKafka(Buffer.from(body), c);
        if (!k.ok) expect(k.reason).toMatch(REASON);
      }),
      RUNS,
    );
  });

  it('every JSON value survives encode then decode; every string survives the text codec', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 20 }), (v) => {
        const d = decode(encode(v, 'json'), 'json');
        expect(d).toEqual({ ok: true, payload: JSON.parse(JSON.stringify(v)) });
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        expect(decode(encode(s, 'text'), 'text')).toEqual({ ok: true, payload: s });
      }),
      RUNS,
    );
  });

  it('deeply nested JSON is refused with a clear reason before it can overflow a stack downstream', () => {
    fc.assert(
      fc.property(deep, ({ depth, bytes }) => {
        const d = decode(bytes, 'json');
        if (depth > MAX_PAYLOAD_JSON_DEPTH)
          expect(d).toMatchObject({ ok: false, reason: expect.stringMatching(/deeper/) });
        else if (d.ok) usable(d.payload);
        else expect(d.reason).toMatch(REASON);
      }),
      { numRuns: 60 },
    );
    // Brackets inside strings are text, not nesting.
    const inString = Buffer.from(JSON.stringify({ s: '['.repeat(MAX_PAYLOAD_JSON_DEPTH * 3) }));
    expect(decode(inString, 'json')).toMatchObject({ ok: true });
    const escaped = Buffer.from(JSON.stringify({ s: `\\"${'{'.repeat(MAX_PAYLOAD_JSON_DEPTH * 3)}` }));
    expect(decode(escaped, 'json')).toMatchObject({ ok: true });
  });
});

const anyName = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'content-type',
    'Content-Type',
    'mqtt-qos',
    'mqtt-message-expiry',
    'mqtt-response-topic',
    'MQTT-Dup',
    'kafka-offset',
    'amqp-routing-key',
    'sluice-error',
    'sluice-error-node',
    'sluice-error-routed',
  ),
);

/** Received headers as protocol libraries hand them over (null-prototype, a repeated name as an array). */
const received = fc.array(fc.tuple(anyName, fc.string({ maxLength: 20 })), { maxLength: 12 }).map((pairs) => {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of pairs) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
});

/** Sluice's own names a source may set for a message. */
const DERIVED = /^(mqtt|kafka|amqp)-|^content-type$/;

function checkHeaders(
  headers: Record<string, string>,
  wire: Record<string, string | string[]> | undefined,
  sent: object,
) {
  expect(Object.getPrototypeOf(headers)).toBe(Object.prototype); // nothing changed the prototype
  for (const k of Object.keys(headers)) {
    expect(typeof headers[k]).toBe('string');
    // A reserved name in headers is one the source derived, never a received one.
    if (isReservedHeader(k)) expect(k).toMatch(DERIVED);
  }
  expect({ ...wire }).toEqual({ ...sent });
}

describe('source header mapping under fuzzing', () => {
  it('MQTT: any payload and user properties: never throws, no received name poses as a header', () => {
    fc.assert(
      fc.property(nearJson, codec, received, fc.boolean(), (payload, c, user, dup) => {
        const packet = {
          cmd: 'publish',
          topic: 't',
          qos: 1,
          dup,
          retain: false,
          payload: Buffer.from(payload),
          properties: Object.keys(user).length ? { userProperties: user } : undefined,
        } as unknown as IPublishPacket;
        const { message, failure } = mqttInbound(packet, c);
        if (failure !== undefined) expect(failure).toMatch(REASON);
        expect(message.headers['mqtt-qos']).toBe('1');
        expect(message.headers['mqtt-dup']).toBe(dup ? 'true' : undefined);
        checkHeaders(message.headers, message.wire, user);
      }),
      RUNS,
    );
  });

  it('Kafka: any value, key and headers: never throws, no received name poses as a header', () => {
    fc.assert(
      fc.property(
        fc.option(fc.uint8Array({ maxLength: 512 })),
        fc.option(fc.uint8Array({ maxLength: 64 })),
        received,
        codec,
        (value, key, headers, c) => {
          const r = {
            offset: '7',
            key: key === null ? null : Buffer.from(key),
            value: value === null ? null : Buffer.from(value),
            headers,
            timestamp: '0',
          };
          const { message, failure } = kafkaInbound('t', 0, r, c);
          if (failure !== undefined) expect(failure).toMatch(REASON);
          expect(message.headers['kafka-offset']).toBe('7');
          checkHeaders(message.headers, message.wire, headers);
        },
      ),
      RUNS,
    );
  });

  it('AMQP: any header table (any value types): never throws, no received name poses as a header', () => {
    fc.assert(
      fc.property(fc.dictionary(anyName, fc.anything(), { maxKeys: 10 }), fc.string(), (table, routingKey) => {
        const m = {
          content: Buffer.alloc(0),
          fields: { routingKey, exchange: 'x', redelivered: false, deliveryTag: 1, consumerTag: 'c' },
          properties: { headers: table },
        } as unknown as ConsumeMessage;
        const { headers, wire } = headersFromDelivery(m);
        if (routingKey) expect(headers['amqp-routing-key']).toBe(routingKey);
        for (const k of Object.keys(headers)) if (isReservedHeader(k)) expect(k).toMatch(DERIVED);
        for (const k of Object.keys(wire ?? {})) expect(typeof wire?.[k]).toBe('string');
      }),
      RUNS,
    );
  });
});
