import { afterEach, describe, expect, it } from 'vitest';
import { createMessage, type Outcome } from '../../../src/spec/index.js';
import { eventually } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { type SinkHandle, type SourceHandle, sinks, sources } from '../../support/test-nodes.js';
import { Admin, amqpConnection, BrokerProxy, unique } from './support.js';

describe.runIf(await requireService('rabbitmq'))('amqp-out', () => {
  let flow: Started | undefined;
  let admin: Admin | undefined;
  let proxy: BrokerProxy | undefined;
  const queues: string[] = [];
  const exchanges: string[] = [];

  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 1000 });
    await admin?.close(queues.splice(0), exchanges.splice(0));
    await proxy?.close();
    flow = undefined;
    admin = undefined;
    proxy = undefined;
  });

  /** An exchange of `type` with one queue bound by `key`, both deleted after the test. */
  async function target(type: string, key: string) {
    admin = await Admin.open();
    const exchange = unique('x');
    const queue = unique('q');
    exchanges.push(exchange);
    queues.push(queue);
    await admin.ch.assertExchange(exchange, type, { durable: true });
    await admin.ch.assertQueue(queue, { durable: true });
    await admin.ch.bindQueue(queue, exchange, key);
    return { exchange, queue, admin };
  }

  /** Ingest one message through the test source and resolve with its outcome. */
  function send(src: SourceHandle, init: Parameters<typeof createMessage>[0]): Promise<Outcome> {
    return new Promise((resolve) => {
      void src.ctx.ingest(createMessage({ topic: 'test', ...init }), resolve);
    });
  }

  it('publishes id, routing key, persistence, content type, headers and correlation id', async () => {
    const { exchange, queue, admin } = await target('topic', 'readings.#');
    flow = await startFlow(
      [amqpConnection()],
      [
        ['src', 'test-source'],
        ['out', 'amqp-out', { connection: 'rabbit', exchange, routingKey: 'readings.{{payload.device}}' }],
      ],
      [['src', 'out']],
    );
    const src = sources.get('src')!;
    const outcome = await send(src, {
      id: 'm-1',
      topic: 'site/1',
      payload: { device: 'd7', temp: 21.5 },
      headers: { site: 'north', 'amqp-correlation-id': 'c-9', 'amqp-routing-key': 'from.elsewhere' },
    });
    expect(outcome).toEqual({ ok: true });
    const [m] = await admin.peekAll(queue);
    expect(m.fields.routingKey).toBe('readings.d7');
    expect(JSON.parse(m.content.toString())).toEqual({ device: 'd7', temp: 21.5 });
    expect(m.properties).toMatchObject({
      messageId: 'm-1',
      correlationId: 'c-9',
      deliveryMode: 2,
      contentType: 'application/json',
      headers: { site: 'north' },
    });
    // The envelope of an incoming delivery is not copied out.
    expect(m.properties.headers?.['amqp-routing-key']).toBeUndefined();
  });

  it('sends text and bytes as they are with the text and bytes codecs', async () => {
    const { exchange, queue, admin } = await target('direct', 'k');
    flow = await startFlow(
      [amqpConnection()],
      [
        ['t', 'test-source'],
        ['b', 'test-source'],
        [
          'text',
          'amqp-out',
          { connection: 'rabbit', exchange, exchangeType: 'direct', routingKey: 'k', codec: 'text' },
        ],
        [
          'bytes',
          'amqp-out',
          { connection: 'rabbit', exchange, exchangeType: 'direct', routingKey: 'k', codec: 'bytes' },
        ],
      ],
      [
        ['t', 'text'],
        ['b', 'bytes'],
      ],
    );
    expect(await send(sources.get('t')!, { payload: 'héllo' })).toEqual({ ok: true });
    expect(await send(sources.get('b')!, { payload: Buffer.from([0, 255, 1]) })).toEqual({ ok: true });
    const got = await admin.peekAll(queue);
    expect(got.map((m) => m.properties.contentType)).toEqual(['text/plain; charset=utf-8', 'application/octet-stream']);
    expect(got[0].content.toString('utf8')).toBe('héllo');
    expect([...got[1].content]).toEqual([0, 255, 1]);
  });

  it('fails an unroutable message with the reason, via the error route', async () => {
    const { exchange } = await target('direct', 'bound');
    flow = await startFlow(
      [amqpConnection()],
      [
        ['src', 'test-source'],
        ['out', 'amqp-out', { connection: 'rabbit', exchange, exchangeType: 'direct', routingKey: '{{topic}}' }],
        ['dead', 'test-sink', { failFlagged: false }],
      ],
      [['src', 'out']],
      { errorRoute: 'dead' },
    );
    const src = sources.get('src')!;
    await send(src, { topic: 'unbound', payload: 1 });
    expect(await send(src, { topic: 'bound', payload: 2 })).toEqual({ ok: true });
    const dead = (sinks.get('dead') as SinkHandle).delivered;
    expect(dead).toHaveLength(1);
    expect(dead[0].headers['sluice-error']).toMatch(/unroutable.*312 NO_ROUTE/);
  });

  it('drops (deterministic: never redelivered) a message whose routing key template has no value for it', async () => {
    const { exchange } = await target('topic', '#');
    flow = await startFlow(
      [amqpConnection()],
      [
        ['src', 'test-source'],
        ['out', 'amqp-out', { connection: 'rabbit', exchange, routingKey: 'r.{{payload.region}}' }],
      ],
      [['src', 'out']],
    );
    const outcome = await send(sources.get('src')!, { payload: { other: 1 } });
    expect(outcome).toMatchObject({ ok: true, dropped: expect.stringMatching(/\{\{payload\.region\}\} has no value/) });
  });

  it('reports a missing "existing" exchange as an error, and fails messages after the retry budget', async () => {
    admin = await Admin.open();
    flow = await startFlow(
      [amqpConnection()],
      [
        ['src', 'test-source'],
        [
          'out',
          'amqp-out',
          {
            connection: 'rabbit',
            exchange: unique('missing'),
            exchangeMode: 'existing',
            attempts: 2,
            retryDelayMs: 10,
          },
        ],
      ],
      [['src', 'out']],
    );
    await eventually(
      () => flow!.states('out'),
      (s) => s.some((x) => x.state === 'error' && /NOT_FOUND/.test(x.reason ?? '')),
      10_000,
      'an error status naming NOT_FOUND',
    );
    const outcome = await send(sources.get('src')!, { payload: 1 });
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringMatching(/not connected/) });
  });

  it('while the broker is unreachable messages fail after the retry budget; publishing resumes when it is back', async () => {
    const { exchange, queue, admin } = await target('topic', '#');
    proxy = await BrokerProxy.start();
    flow = await startFlow(
      [amqpConnection('rabbit', { port: proxy.port })],
      [
        ['src', 'test-source'],
        ['out', 'amqp-out', { connection: 'rabbit', exchange, attempts: 3, retryDelayMs: 20, retryMaxDelayMs: 50 }],
      ],
      [['src', 'out']],
    );
    const src = sources.get('src')!;
    expect(await send(src, { payload: { n: 0 } })).toEqual({ ok: true });
    await proxy.refuse();
    const during = await Promise.all(Array.from({ length: 50 }, (_, n) => send(src, { payload: { n: n + 1 } })));
    expect(during.every((o) => !o.ok)).toBe(true);
    expect(flow.engine.inFlight()).toBe(0);
    expect(flow.states('out').some((s) => s.state === 'error' || s.state === 'connecting')).toBe(true);
    await proxy.accept();
    await eventually(
      () => flow!.states('out').at(-1)?.state,
      (s) => s === 'connected',
      10_000,
      'connected again',
    );
    const after = await Promise.all(Array.from({ length: 50 }, (_, n) => send(src, { payload: { n: 100 + n } })));
    expect(after.every((o) => o.ok)).toBe(true);
    expect(await admin.messageCount(queue)).toBe(51);
  });

  it('starts while the broker is down, and publishes once it is up', async () => {
    const { exchange, queue, admin } = await target('topic', '#');
    proxy = await BrokerProxy.start();
    await proxy.refuse();
    flow = await startFlow(
      [amqpConnection('rabbit', { port: proxy.port })],
      [
        ['src', 'test-source'],
        ['out', 'amqp-out', { connection: 'rabbit', exchange, attempts: 2, retryDelayMs: 10 }],
      ],
      [['src', 'out']],
    );
    const src = sources.get('src')!;
    expect(await send(src, { payload: 1 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not connected/),
    });
    expect(flow.states('out').some((s) => /ECONNREFUSED/.test(s.reason ?? ''))).toBe(true);
    await proxy.accept();
    await eventually(
      () => flow!.states('out').at(-1)?.state,
      (s) => s === 'connected',
      10_000,
      'connected',
    );
    expect(await send(src, { payload: 2 })).toEqual({ ok: true });
    expect(await admin.messageCount(queue)).toBe(1);
  });

  it('shares one connection between the nodes that reference it, with a channel each', async () => {
    const { exchange, queue } = await target('topic', '#');
    proxy = await BrokerProxy.start();
    flow = await startFlow(
      [amqpConnection('rabbit', { port: proxy.port })],
      [
        ['src', 'test-source'],
        ['a', 'amqp-out', { connection: 'rabbit', exchange }],
        ['b', 'amqp-out', { connection: 'rabbit', exchange }],
        ['in', 'amqp-in', { connection: 'rabbit', queue }],
        ['sink', 'test-sink'],
      ],
      [
        ['src', 'a'],
        ['src', 'b'],
        ['in', 'sink'],
      ],
    );
    expect(await send(sources.get('src')!, { payload: { x: 1 } })).toEqual({ ok: true });
    await eventually(
      () => (sinks.get('sink') as SinkHandle).delivered.length,
      (n) => n === 2,
      10_000,
      'both copies consumed',
    );
    expect(proxy.accepted).toBe(1);
  });
});
