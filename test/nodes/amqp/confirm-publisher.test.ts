/**
 * ConfirmPublisher against a stand-in channel (no broker): confirm, nack, unroutable return, the confirm timeout
 * (fails the publish and resets the channel) and the serialisation of publishes of the same message.
 */
import { EventEmitter } from 'node:events';
import type { ConfirmChannel } from 'amqplib';
import { describe, expect, it, vi } from 'vitest';
import type { ManagedChannel } from '../../../src/connectors/amqp/managed-channel.js';
import { ConfirmPublisher, PublishError, type PublishRequest } from '../../../src/connectors/amqp/publisher.js';

type Confirm = (err: unknown) => void;

function setUp(ackTimeoutMs = 1000) {
  const sent: Array<{ routingKey: string; options: Record<string, unknown>; confirm: Confirm }> = [];
  const ch = Object.assign(new EventEmitter(), {
    publish(_exchange: string, routingKey: string, _content: Buffer, options: Record<string, unknown>, cb: Confirm) {
      sent.push({ routingKey, options: { ...options }, confirm: cb });
      return true;
    },
  });
  const reset = vi.fn();
  const managed = { channel: ch, status: { state: 'connected' }, reset };
  const publisher = new ConfirmPublisher(managed as unknown as ManagedChannel<ConfirmChannel>, {
    mandatory: true,
    ackTimeoutMs,
  });
  publisher.attach(ch as unknown as ConfirmChannel);
  // One attempt as a promise, to await in the tests (amqp-out's RetriedAmqpPublish is the target in the flow).
  const publish = (r: PublishRequest) =>
    new Promise<void>((succeeded, failed) => publisher.send(r, { succeeded, failed }));
  const req = (id: string, routingKey = 'rk'): PublishRequest => ({
    exchange: 'ex',
    routingKey,
    content: Buffer.from('x'),
    options: { messageId: id, persistent: true },
  });
  return { ch, sent, reset, managed, publish, req };
}

describe('ConfirmPublisher', () => {
  it('resolves on the confirm, fails a nack (retryable) and an unroutable return (not retryable)', async () => {
    const { ch, sent, publish, req } = setUp();
    const ok = publish(req('a'));
    const nacked = publish(req('b'));
    const returned = publish(req('c'));
    expect(sent.map((s) => s.options.mandatory)).toEqual([true, true, true]);
    sent[0].confirm(null);
    sent[1].confirm(new Error('nack'));
    ch.emit('return', {
      fields: { exchange: 'ex', routingKey: 'rk', replyCode: 312, replyText: 'NO_ROUTE' },
      properties: { messageId: 'c' },
    });
    sent[2].confirm(null);
    await expect(ok).resolves.toBeUndefined();
    await expect(nacked).rejects.toMatchObject({ name: 'PublishError', retryable: true });
    await expect(returned).rejects.toThrow('unroutable: the broker returned it (312 NO_ROUTE)');
    await expect(returned).rejects.toMatchObject({ retryable: false });
  });

  it('fails a publish without a confirm at its timeout and resets the channel', async () => {
    const { sent, reset, publish, req } = setUp(120);
    const started = performance.now();
    const late = publish(req('late'));
    const early = publish(req('early'));
    sent[1].confirm(null);
    await expect(early).resolves.toBeUndefined();
    await expect(late).rejects.toThrow('no confirm from the broker within 120 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(reset).toHaveBeenCalledTimes(1);
    // The late confirm (or the channel's close) after the timeout changes nothing.
    sent[0].confirm(new Error('channel closed'));
    await expect(late).rejects.toBeInstanceOf(PublishError);
  });

  it('sends a second publish of the same message only after the first was answered', async () => {
    const { sent, publish, req } = setUp();
    const first = publish(req('same'));
    const second = publish(req('same'));
    const other = publish(req('same', 'other-key'));
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.map((s) => s.routingKey)).toEqual(['rk', 'other-key']);
    sent[0].confirm(null);
    await expect(first).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent.map((s) => s.routingKey)).toEqual(['rk', 'other-key', 'rk']);
    sent[1].confirm(null);
    sent[2].confirm(null);
    await expect(Promise.all([second, other])).resolves.toEqual([undefined, undefined]);
  });

  it('fails at once while no channel is open', async () => {
    const { managed, publish, req } = setUp();
    (managed as { channel: unknown }).channel = undefined;
    await expect(publish(req('a'))).rejects.toMatchObject({ retryable: true, message: /not connected/ });
  });
});
