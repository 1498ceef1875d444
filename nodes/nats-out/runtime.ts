import { setMaxListeners } from 'node:events';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsClient } from '../../src/connectors/nats/client.js';
import { outboundMessage } from '../../src/connectors/nats/messages.js';
import { type JetStreamTarget, PublishQueue, RetriedJetStreamPublish } from '../../src/connectors/nats/publisher.js';
import { compileSubjectTemplate } from '../../src/connectors/nats/subject-template.js';
import { Completion, isThenable, problemStatus, sleep } from '../../src/kit/index.js';
import { failureKindOf, type Message, type Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { natsOut } from './definition.js';

type Config = Static<typeof natsOut.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const node = `nats-out "${ctx.nodeId}"`;
  const subject = compileSubjectTemplate(c.subject);
  const headerOptions = { codec: c.codec, copyHeaders: c.copyHeaders };
  let client: NatsClient | undefined;
  let target: JetStreamTarget | undefined;
  let unwatch: (() => void) | undefined;
  // One JetStream client per connection (a reconnect keeps the same connection object).
  let jsFor: { nc: NatsConnection; js: JetStreamClient } | undefined;
  const js = (nc: NatsConnection): JetStreamClient => {
    if (jsFor?.nc !== nc) jsFor = { nc, js: jetstream(nc) };
    return jsFor.js;
  };

  // Every message waiting out a backoff listens on this signal: up to the flow's in-flight limit at once.
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal);
  ctx.signal.addEventListener('abort', () => stopping.abort(), { once: true });
  const retry = {
    attempts: c.attempts,
    baseMs: c.retryDelayMs,
    maxMs: c.retryMaxDelayMs,
    signal: stopping.signal,
    retryable: (err: unknown) => failureKindOf(err) !== 'deterministic',
  };

  function send(msg: Message, to: string): undefined | PromiseLike<void> {
    if (!client) return Promise.reject(new Error(`${node}: not started`));
    // Encoding fails here, for this message alone.
    const out = outboundMessage(msg, headerOptions);
    if (c.mode === 'core') {
      const nc = client.current;
      if (!nc) return Completion.rejected(new Error(`${node}: not connected to NATS`));
      nc.publish(to, out.data, out.headers ? { headers: out.headers } : undefined);
      // At most once: done when handed to the connection.
      return undefined;
    }
    target ??= { client, node, ackTimeoutMs: c.ackTimeoutMs, msgId: c.msgId, queue: new PublishQueue() };
    return new RetriedJetStreamPublish(retry, target, js, to, out, msg.id).start();
  }

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      client = await ctx.connection<NatsClient>(c.connection);
      unwatch = client.status.follow(
        problemStatus('nats-out', ctx.nodeId, "check the connection's settings and that the server is reachable", (s) =>
          ctx.status(s),
        ),
      );
      // With NATS up, the first messages need no retry; with it down the flow starts anyway and the status says why.
      await Promise.race([client.connection(), sleep(client.settings.connectTimeoutMs, ctx.signal)]);
    },
    handle(msg) {
      try {
        const to = subject.render(msg);
        return isThenable(to) ? to.then((s) => send(msg, s)) : send(msg, to);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async stop() {
      // Core publishes still in the client's buffer go out before the connection closes.
      await client?.current?.flush().catch(() => {});
      unwatch?.();
    },
  };
};
