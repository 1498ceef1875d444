import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { type SinkHandle, sinks } from '../../support/test-nodes.js';
import { Admin, amqpConnection, BrokerProxy, unique } from './support.js';

describe.runIf(await requireService('rabbitmq'))('amqp-in', () => {
  let flow: Started | undefined;
  let admin: Admin | undefined;
  const queues: string[] = [];
  const exchanges: string[] = [];

  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 1000 });
    await admin?.close(queues.splice(0), exchanges.splice(0));
    flow = undefined;
    admin = undefined;
  });

  async function queue(options: Record<string, unknown> = { durable: true }): Promise<string> {
    admin ??= await Admin.open();
    const name = unique('q');
    queues.push(name);
    await admin.ch.assertQueue(name, options);
    return name;
  }

  const sink = (id = 'sink') => sinks.get(id) as SinkHandle;

  function consume(
    config: Record<string, unknown>,
    sinkConfig: Record<string, unknown> = { failFlagged: false },
    settings = {},
  ) {
    return startFlow(
      [amqpConnection()],
      [
        ['in', 'amqp-in', { connection: 'rabbit', ...config }],
        ['sink', 'test-sink', sinkConfig],
      ],
      [['in', 'sink']],
      settings,
    );
  }

  it('binds to an exchange and maps AMQP properties into the message', async () => {
    admin = await Admin.open();
    const exchange = unique('x');
    const q = unique('q');
    exchanges.push(exchange);
    queues.push(q);
    flow = await consume({ queue: q, exchange, exchangeMode: 'declare', bindingKeys: ['sensors.*'] });
    admin.ch.publish(exchange, 'sensors.a', Buffer.from('{"t":1}'), {
      messageId: 'mid-1',
      correlationId: 'cid-1',
      contentType: 'application/json',
      type: 'reading',
      appId: 'probe',
      headers: { site: 'north', count: 5 },
    });
    admin.ch.publish(exchange, 'other.a', Buffer.from('{"t":2}'));
    admin.ch.publish(exchange, 'sensors.b', Buffer.from('{"t":3}'));
    await admin.ch.waitForConfirms();
    await eventually(
      () => sink().delivered.length,
      (n) => n === 2,
      10_000,
      'two messages',
    );
    const [a, b] = sink().delivered;
    expect(a).toMatchObject({ id: 'mid-1', topic: 'sensors.a', payload: { t: 1 } });
    expect(a.headers).toMatchObject({
      site: 'north',
      count: '5',
      'amqp-routing-key': 'sensors.a',
      'amqp-exchange': exchange,
      'amqp-message-id': 'mid-1',
      'amqp-correlation-id': 'cid-1',
      'amqp-content-type': 'application/json',
      'amqp-type': 'reading',
      'amqp-app-id': 'probe',
    });
    expect(a.headers['amqp-redelivered']).toBeUndefined();
    // No message-id from the publisher: a fresh id.
    expect(b.id).toBeTruthy();
    expect(b.id).not.toBe('mid-1');
    expect(b.payload).toEqual({ t: 3 });
  });

  it('decodes text and bytes; invalid UTF-8 goes to the error route', async () => {
    const text = await queue();
    const bytes = await queue();
    flow = await startFlow(
      [amqpConnection()],
      [
        ['t', 'amqp-in', { connection: 'rabbit', queue: text, codec: 'text' }],
        ['b', 'amqp-in', { connection: 'rabbit', queue: bytes, codec: 'bytes' }],
        ['sink', 'test-sink', { failFlagged: false }],
        ['dead', 'test-sink', { failFlagged: false }],
      ],
      [
        ['t', 'sink'],
        ['b', 'sink'],
      ],
      { errorRoute: 'dead' },
    );
    await admin!.sendToQueue(text, ['plain words', Buffer.from([0xc3, 0x28])]);
    await admin!.sendToQueue(bytes, [Buffer.from([0, 1, 254])]);
    await eventually(
      () => sink().delivered.length + sink('dead').delivered.length,
      (n) => n === 3,
      10_000,
      '3 messages',
    );
    const payloads = sink().delivered.map((m) => m.payload);
    expect(payloads).toContain('plain words');
    expect(payloads.some((p) => p instanceof Uint8Array && [...p].join() === '0,1,254')).toBe(true);
    expect(sink('dead').delivered[0].headers['sluice-error']).toMatch(/UTF-8/);
    await flow.engine.whenIdle();
    expect(await admin!.messageCount(text)).toBe(0);
  });

  it('acks only after delivery: messages the flow still holds at a stop go back to the queue', async () => {
    const q = await queue();
    flow = await consume({ queue: q }, { failFlagged: false, delayMs: 5000, batchSize: 100 });
    await admin!.sendToQueue(
      q,
      Array.from({ length: 5 }, (_, i) => JSON.stringify({ i })),
    );
    await eventually(
      () => sink().maxPending,
      (n) => n === 5,
      10_000,
      'five messages in the sink',
    );
    // Unacked messages are not "ready": the queue looks empty while the flow holds them.
    expect(await admin!.messageCount(q)).toBe(0);
    await flow.engine.stop({ deadlineMs: 0 });
    flow = undefined;
    expect(sink().delivered).toHaveLength(0);
    await eventually(
      () => admin!.messageCount(q),
      (n) => n === 5,
      10_000,
      'the five messages back in the queue',
    );
  });

  it('never has more than prefetch messages in the flow', async () => {
    const q = await queue();
    flow = await consume({ queue: q, prefetch: 10 }, { failFlagged: false, delayMs: 5 });
    await admin!.sendToQueue(
      q,
      Array.from({ length: 300 }, (_, i) => JSON.stringify({ i })),
    );
    await eventually(
      () => sink().delivered.length,
      (n) => n === 300,
      20_000,
      '300 messages',
    );
    expect(sink().maxPending).toBeLessThanOrEqual(10);
  });

  it('holds deliveries while the flow in-flight window is full (window smaller than prefetch)', async () => {
    const q = await queue();
    flow = await consume({ queue: q, prefetch: 100 }, { failFlagged: false, delayMs: 5 }, { maxInFlight: 4 });
    await admin!.sendToQueue(
      q,
      Array.from({ length: 300 }, (_, i) => JSON.stringify({ i })),
    );
    await eventually(
      () => sink().delivered.length,
      (n) => n === 300,
      20_000,
      '300 messages',
    );
    expect(sink().maxPending).toBeLessThanOrEqual(4);
    expect(sink().delivered.map((m) => (m.payload as { i: number }).i)).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
  });

  it('requeues a failed message after the delay; it comes back redelivered', async () => {
    const q = await queue();
    flow = await consume({ queue: q, requeueDelayMs: 50 }, { failFlagged: true });
    await admin!.sendToQueue(q, [JSON.stringify({ fail: true })]);
    await eventually(
      () => sink().failed,
      (n) => n >= 3,
      10_000,
      'three failed deliveries of the same message',
    );
    expect(flow.engine.counters().in.nacked).toBeGreaterThanOrEqual(2);
  });

  it("dead-letters a failed message to the queue's dead-letter exchange", async () => {
    const dlq = await queue();
    const q = unique('q');
    queues.push(q);
    flow = await consume(
      { queue: q, deadLetterExchange: '', deadLetterRoutingKey: dlq, onFailure: 'dead-letter' },
      { failFlagged: true },
    );
    await admin!.sendToQueue(q, [JSON.stringify({ fail: true, id: 'poison' })]);
    const [m] = await eventually(
      () => admin!.peekAll(dlq),
      (l) => l.length === 1,
      10_000,
      'the dead-lettered message',
    );
    expect(JSON.parse(m.content.toString())).toEqual({ fail: true, id: 'poison' });
    expect(m.properties.headers?.['x-first-death-reason']).toBe('rejected');
    expect(await admin!.messageCount(q)).toBe(0);
  });

  it("reports a queue declared with other settings, with the broker's reason", async () => {
    const q = await queue({ durable: false });
    flow = await consume({ queue: q, durable: true });
    await eventually(
      () => flow!.states('in'),
      (s) => s.some((x) => x.state === 'error' && /PRECONDITION_FAILED/.test(x.reason ?? '')),
      10_000,
      'an error status naming PRECONDITION_FAILED',
    );
  });

  it('drops the late settles of a lost channel: its deliveries come again on the new one', async () => {
    const q = await queue();
    const proxy = await BrokerProxy.start();
    try {
      flow = await startFlow(
        [amqpConnection('rabbit', { port: proxy.port })],
        [
          ['in', 'amqp-in', { connection: 'rabbit', queue: q }],
          // Holds every message long enough for the connection to come back before they settle.
          ['sink', 'test-sink', { failFlagged: false, delayMs: 1500, batchSize: 20 }],
        ],
        [['in', 'sink']],
      );
      await admin!.sendToQueue(
        q,
        Array.from({ length: 20 }, (_, i) => JSON.stringify({ i })),
      );
      await eventually(
        () => sink().maxPending,
        (n) => n === 20,
        10_000,
        'twenty messages held by the sink',
      );
      proxy.drop();
      await eventually(
        () => sink().delivered.length,
        (n) => n === 40,
        20_000,
        'the twenty, then their redeliveries',
      );
      await flow.engine.whenIdle();
      const redelivered = sink().delivered.filter((m) => m.headers['amqp-redelivered'] === 'true');
      expect(redelivered).toHaveLength(20);
      expect(flow.states('in').filter((s) => /PRECONDITION_FAILED/.test(s.reason ?? ''))).toEqual([]);
      expect(flow.states('in').at(-1)?.state).toBe('connected');
      await flow.engine.stop();
      flow = undefined;
      expect(await admin!.messageCount(q)).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('sets up again and resumes when the broker cancels the consumer (queue deleted)', async () => {
    const q = await queue();
    flow = await consume({ queue: q });
    await admin!.sendToQueue(q, [JSON.stringify({ n: 1 })]);
    await eventually(
      () => sink().delivered.length,
      (n) => n === 1,
      10_000,
      'the first message',
    );
    await admin!.ch.deleteQueue(q);
    await eventually(
      () => flow!.states('in'),
      (s) => {
        const cancelled = s.findIndex((x) => /cancelled/.test(x.reason ?? ''));
        return cancelled >= 0 && s.findLastIndex((x) => x.state === 'connected') > cancelled;
      },
      10_000,
      'connected again after the cancel',
    );
    // The node declared the queue again; messages sent to it arrive.
    await admin!.sendToQueue(q, [JSON.stringify({ n: 2 })]);
    await eventually(
      () => sink().delivered.length,
      (n) => n === 2,
      10_000,
      'the second message',
    );
  });
});
