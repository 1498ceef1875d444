/** The broker-free parts: connection settings, routing key templates, codecs, header mapping, lint rules. */
import { describe, expect, it } from 'vitest';
import { amqpIn } from '../../../nodes/amqp-in/definition.js';
import { amqpOut } from '../../../nodes/amqp-out/definition.js';
import { amqpConnection } from '../../../nodes/connections/amqp/definition.js';
import { decode, EncodeError, encode } from '../../../src/connectors/amqp/codec.js';
import { connectPlan } from '../../../src/connectors/amqp/connect-options.js';
import { headersFromDelivery, publishOptions } from '../../../src/connectors/amqp/properties.js';
import { compileRoutingKey, RoutingKeyError } from '../../../src/connectors/amqp/routing-key.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { createMessage } from '../../../src/spec/index.js';

type ConnConfig = Parameters<typeof connectPlan>[0];
const conn = (c: Record<string, unknown>) => applyDefaults(amqpConnection.config, c) as unknown as ConnConfig;

describe('amqp connection settings', () => {
  it('defaults to guest/guest on localhost:5672, vhost /', () => {
    const p = connectPlan(conn({}), 'rabbit');
    expect(p.endpoint).toMatchObject({
      protocol: 'amqp',
      hostname: 'localhost',
      port: 5672,
      vhost: '/',
      username: 'guest',
      password: 'guest',
      heartbeat: 60,
    });
    expect(p.socket.clientProperties).toEqual({ connection_name: 'sluice rabbit' });
  });

  it('takes host, port, vhost and user from the URL; the Password field wins over one in the URL', () => {
    const p = connectPlan(conn({ url: 'amqp://app:inurl@mq.example:5673/orders%2Fprod', password: 'secret' }), 'c');
    expect(p.endpoint).toMatchObject({
      hostname: 'mq.example',
      port: 5673,
      vhost: 'orders/prod',
      username: 'app',
      password: 'secret',
    });
    expect(p.describe).toBe('amqp://app@mq.example:5673/orders%2Fprod');
    expect(p.describe).not.toContain('secret');
  });

  it('an amqps URL means TLS on 5671, with the server certificate verified unless turned off', () => {
    const p = connectPlan(conn({ url: 'amqps://mq.example', username: 'u', ca: 'CA', cert: 'CERT', key: 'KEY' }), 'c');
    expect(p.endpoint).toMatchObject({ protocol: 'amqps', port: 5671, password: '' });
    expect(p.socket).toMatchObject({ rejectUnauthorized: true, ca: 'CA', cert: 'CERT', key: 'KEY' });
    expect(connectPlan(conn({ tls: true, verifyServer: false }), 'c').socket.rejectUnauthorized).toBe(false);
  });

  it('refuses a URL of another scheme', () => {
    expect(() => connectPlan(conn({ url: 'http://x' }), 'c')).toThrow(/amqp:\/\/ or amqps:\/\//);
  });

  it('lint: a literal password in the URL is an error, a reference is fine', () => {
    const lint = amqpConnection.lint!;
    expect(lint(conn({ url: 'amqp://u:hunter2@h' }))).toMatchObject([{ path: '/url' }]);
    expect(lint(conn({ url: 'amqp://u:${env:PW}@h' }))).toEqual([]);
    expect(lint(conn({ tls: true, verifyServer: false }))).toMatchObject([
      { path: '/verifyServer', severity: 'warning' },
    ]);
  });
});

describe('routing key templates', () => {
  const msg = createMessage({
    topic: 'site/a/temp',
    payload: { device: 'd1', n: 3, obj: { x: 1 } },
    headers: { h: 'v' },
  });

  it('renders literal text and {{ }} parts evaluated on the message', async () => {
    expect(await compileRoutingKey('fixed').render(msg)).toBe('fixed');
    expect(await compileRoutingKey('{{topic}}').render(msg)).toBe('site/a/temp');
    expect(await compileRoutingKey('r.{{ payload.device }}.{{payload.n}}.{{headers.h}}').render(msg)).toBe('r.d1.3.v');
    expect(await compileRoutingKey('{{$replace(topic, "/", ".")}}').render(msg)).toBe('site.a.temp');
  });

  it('fails a message when a part has no value or is not text', async () => {
    await expect(async () => compileRoutingKey('{{payload.missing}}').render(msg)).rejects.toThrow(RoutingKeyError);
    await expect(async () => compileRoutingKey('{{payload.obj}}').render(msg)).rejects.toThrow(/gave object/);
  });

  it('refuses a broken template when the node starts', () => {
    expect(() => compileRoutingKey('a.{{topic')).toThrow(/not closed/);
    expect(() => compileRoutingKey('{{ }}')).toThrow(/empty/);
    expect(
      amqpOut.lint!(applyDefaults(amqpOut.config, { connection: 'c', routingKey: 'a.{{b' }) as never),
    ).toMatchObject([{ path: '/routingKey' }]);
  });
});

describe('codecs', () => {
  it('decodes json, text and bytes; bad JSON and bad UTF-8 are failures that keep the raw body', () => {
    expect(decode(Buffer.from('{"a":1}'), 'json')).toEqual({ ok: true, payload: { a: 1 } });
    expect(decode(Buffer.from('{nope'), 'json')).toMatchObject({
      ok: false,
      payload: '{nope',
      reason: expect.stringMatching(/not valid JSON/),
    });
    expect(decode(Buffer.from([0xc3, 0x28]), 'text')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/UTF-8/),
    });
    const raw = Buffer.from([1, 2]);
    expect(decode(raw, 'bytes')).toEqual({ ok: true, payload: raw });
  });

  it('encodes by codec and refuses what a codec cannot carry', () => {
    expect(encode({ a: 1 }, 'json').toString()).toBe('{"a":1}');
    expect(encode('hi', 'text').toString()).toBe('hi');
    expect([...encode(new Uint8Array([7, 8]), 'bytes')]).toEqual([7, 8]);
    expect(() => encode({ a: 1 }, 'text')).toThrow(EncodeError);
    expect(() => encode(new Uint8Array([1]), 'json')).toThrow(/bytes codec/);
    expect(() => encode(undefined, 'json')).toThrow(EncodeError);
  });
});

describe('publish properties', () => {
  it('carries id, timestamp, correlation id and headers, without the envelope headers of any source', () => {
    const msg = createMessage({
      id: 'x1',
      timestamp: 1_700_000_000_999,
      payload: 1,
      headers: {
        a: '1',
        'amqp-routing-key': 'in.key',
        'amqp-correlation-id': 'c1',
        'mqtt-qos': '1',
        'kafka-offset': '42',
      },
    });
    expect(publishOptions(msg, { copyHeaders: true, persistent: true, contentType: 'application/json' })).toEqual({
      messageId: 'x1',
      timestamp: 1_700_000_000,
      persistent: true,
      contentType: 'application/json',
      correlationId: 'c1',
      headers: { a: '1' },
    });
    expect(publishOptions(msg, { copyHeaders: false, persistent: false, contentType: 't' }).headers).toBeUndefined();
  });

  it("received headers never pose as Sluice's headers, and go back out as they came", () => {
    const app = {
      'amqp-routing-key': 'forged.key',
      'amqp-correlation-id': 'forged-corr',
      'sluice-error': 'forged',
      'mqtt-message-expiry': '1',
      site: 'plant-7',
      n: 3,
    };
    const delivery = {
      content: Buffer.from('1'),
      fields: { routingKey: 'real.key', exchange: 'ex', redelivered: false, deliveryTag: 1, consumerTag: 'c' },
      properties: { headers: app, correlationId: undefined },
    } as unknown as Parameters<typeof headersFromDelivery>[0];
    const { headers, wire } = headersFromDelivery(delivery);
    expect(headers).toEqual({ site: 'plant-7', n: '3', 'amqp-routing-key': 'real.key', 'amqp-exchange': 'ex' });
    expect({ ...wire }).toEqual({ ...app, n: '3' });
    const msg = createMessage({ id: 'x', payload: 1, headers, wire });
    const sent = publishOptions(msg, { copyHeaders: true, persistent: true, contentType: 't' });
    expect(sent.correlationId).toBeUndefined(); // a received header never sets the property
    expect({ ...sent.headers }).toEqual({ ...app, n: '3' });
  });
});

describe('lint on configs as saved, with the defaults applied (as the validator passes them)', () => {
  it('judges the fields left out by their defaults', () => {
    const inConfig = (c: Record<string, unknown>) => applyDefaults(amqpIn.config, c) as never;
    const outConfig = (c: Record<string, unknown>) => applyDefaults(amqpOut.config, c) as never;
    expect(amqpIn.lint!(inConfig({ connection: 'c', queue: 'q' }))).toEqual([]);
    expect(amqpIn.lint!(inConfig({ connection: 'c' }))).toEqual([]);
    expect(amqpOut.lint!(outConfig({ connection: 'c' }))).toEqual([]);
    expect(amqpOut.lint!(outConfig({ connection: 'c', exchange: 'amq.topic' }))).toMatchObject([
      { path: '/exchangeMode' },
    ]);
    expect(
      amqpConnection.lint!(applyDefaults(amqpConnection.config, { reconnectDelayMs: 20_000 }) as never),
    ).toMatchObject([{ path: '/reconnectMaxDelayMs' }]);
  });
});

describe('amqp-in lint', () => {
  const lint = (c: Record<string, unknown>) =>
    amqpIn.lint!(applyDefaults(amqpIn.config, { connection: 'c', queue: 'q', ...c }) as never);

  it('warns when dead-lettering without a dead-letter exchange, and checks bindings and quorum durability', () => {
    expect(lint({ onFailure: 'dead-letter' })).toMatchObject([{ path: '/onFailure', severity: 'warning' }]);
    expect(lint({ onFailure: 'dead-letter', deadLetterExchange: 'dlx' })).toEqual([]);
    expect(lint({ exchange: 'x', bindingKeys: [] })).toMatchObject([{ path: '/bindingKeys' }]);
    expect(lint({ queueType: 'quorum', durable: false }).map((i) => i.path)).toContain('/durable');
  });
});
