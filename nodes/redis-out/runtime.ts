import type { RedisClient } from '../../src/connectors/redis/client.js';
import { RedisClient as Client } from '../../src/connectors/redis/client.js';
import { encodeValue, entryFields } from '../../src/connectors/redis/entries.js';
import { compileKeyTemplate } from '../../src/connectors/redis/key-template.js';
import { type Command, RedisWriter } from '../../src/connectors/redis/writer.js';
import { isThenable, problemStatus } from '../../src/kit/index.js';
import type { Message, Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { redisOut } from './definition.js';

type Config = Static<typeof redisOut.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const key = c.mode === 'stream' ? compileKeyTemplate(c.stream, 'stream') : compileKeyTemplate(c.channel, 'channel');
  const fieldOptions = { codec: c.codec, bodyField: c.bodyField, copyHeaders: c.copyHeaders, idField: c.idField };
  let writer: RedisWriter | undefined;
  let unwatch: (() => void) | undefined;

  function command(msg: Message, k: string): Command {
    // Encoding fails here, for this message alone, before it joins a batch.
    if (c.mode === 'publish') return { kind: 'publish', key: k, message: encodeValue(msg.payload, c.codec) };
    return { kind: 'xadd', key: k, maxLen: c.maxLen, fields: entryFields(msg, fieldOptions) };
  }

  function send(msg: Message, k: string): PromiseLike<void> {
    if (!writer) return Promise.reject(new Error(`redis-out "${ctx.nodeId}": not started`));
    return writer.add(command(msg, k));
  }

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      const client = await ctx.connection<RedisClient>(c.connection);
      const link = client.shared();
      unwatch = link.status.follow(
        problemStatus(
          'redis-out',
          ctx.nodeId,
          "check the connection's settings and that the server is reachable",
          (s) => ctx.status(s),
        ),
      );
      writer = new RedisWriter({
        link,
        batchSize: c.batchSize,
        lingerMs: c.lingerMs,
        attempts: c.attempts,
        retryDelayMs: c.retryDelayMs,
        retryMaxDelayMs: c.retryMaxDelayMs,
        signal: ctx.signal,
        log: ctx.log,
        node: `redis-out "${ctx.nodeId}"`,
      });
      // With Redis up, the first messages need no retry; with it down the flow starts anyway and the status says why.
      await Client.waitReady(link, client.settings.connectTimeoutMs, ctx.signal);
    },
    handle(msg) {
      try {
        const k = key.render(msg);
        return isThenable(k) ? k.then((v) => send(msg, v)) : send(msg, k);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async stop() {
      await writer?.close();
      unwatch?.();
    },
  };
};
