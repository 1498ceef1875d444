import { setMaxListeners } from 'node:events';
import type { ConfirmChannel } from 'amqplib';
import type { AmqpClient } from '../../src/connectors/amqp/client.js';
import { defaultContentType, encode } from '../../src/connectors/amqp/codec.js';
import { ManagedChannel } from '../../src/connectors/amqp/managed-channel.js';
import { reportStatus } from '../../src/connectors/amqp/node-status.js';
import { publishOptions } from '../../src/connectors/amqp/properties.js';
import { ConfirmPublisher, PublishError, RetriedAmqpPublish } from '../../src/connectors/amqp/publisher.js';
import { compileRoutingKey } from '../../src/connectors/amqp/routing-key.js';
import { setUpExchange } from '../../src/connectors/amqp/topology.js';
import { isThenable, problemStatus, retryOptions, type Settleable } from '../../src/kit/index.js';
import type { Message, Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { amqpOut } from './definition.js';

type Config = Static<typeof amqpOut.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const routingKey = compileRoutingKey(c.routingKey);
  const properties = {
    copyHeaders: c.copyHeaders,
    persistent: c.persistent,
    contentType: c.contentType ?? defaultContentType(c.codec),
  };
  const exchange = { name: c.exchange, mode: c.exchangeMode, type: c.exchangeType, durable: c.exchangeDurable };
  let channel: ManagedChannel<ConfirmChannel> | undefined;
  let publisher: ConfirmPublisher | undefined;
  let unwatch: (() => void) | undefined;

  // Every message waiting out a backoff listens on this signal: up to the flow's in-flight limit at once.
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal);
  ctx.signal.addEventListener('abort', () => stopping.abort(), { once: true });
  const retry = retryOptions(c, {
    signal: stopping.signal,
    // Unroutable, unencodable: the same message fails the same way again.
    retryable: (err: unknown) => !(err instanceof PublishError) || err.retryable,
  });

  // Per message: one RetriedAmqpPublish (the Completion the engine waits on) and the publisher's Pending.
  function send(msg: Message, key: string): Settleable {
    const content = encode(msg.payload, c.codec);
    const p = publisher;
    if (!p) throw new Error('amqp-out is not started');
    const req = { exchange: c.exchange, routingKey: key, content, options: publishOptions(msg, properties) };
    return new RetriedAmqpPublish(retry, p, req).start();
  }

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      const client = await ctx.connection<AmqpClient>(c.connection);
      const managed = new ManagedChannel<ConfirmChannel>(client, {
        confirm: true,
        log: ctx.log,
        setup: async (ch) => {
          publisher?.attach(ch);
          await setUpExchange(ch, exchange);
        },
      });
      channel = managed;
      publisher = new ConfirmPublisher(managed, { mandatory: c.mandatory, ackTimeoutMs: c.ackTimeoutMs });
      unwatch = reportStatus(
        client,
        managed,
        problemStatus('amqp-out', ctx.nodeId, "check the connection's settings and that the broker is reachable", (s) =>
          ctx.status(s),
        ),
      );
      // Wait for the first attempt so that, with the broker up, the first messages need no retry.
      await managed.start();
    },
    handle(msg) {
      // A message that cannot be addressed or encoded fails at once (rejected): no retry can fix it.
      try {
        const key = routingKey.render(msg);
        return isThenable(key) ? key.then((k) => send(msg, k)) : send(msg, key);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async stop() {
      // The engine marks the node stopped; a channel closing now is no news.
      unwatch?.();
      await channel?.close();
    },
  };
};
