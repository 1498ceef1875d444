import type { KafkaClient } from '../../src/connectors/kafka/client.js';
import type { Acks } from '../../src/connectors/kafka/driver.js';
import { outboundRecord } from '../../src/connectors/kafka/records.js';
import { KafkaSink } from '../../src/connectors/kafka/sink.js';
import { compileTopicTemplate } from '../../src/connectors/kafka/topic-template.js';
import { isThenable, problemStatus, sleep } from '../../src/kit/index.js';
import type { Message, Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { kafkaOut } from './definition.js';

type Config = Static<typeof kafkaOut.config>;

const ACKS: Record<Config['acks'], Acks> = { all: -1, leader: 1, none: 0 };

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const topic = compileTopicTemplate(c.topic);
  const recordOptions = { codec: c.codec, copyHeaders: c.copyHeaders, idHeader: c.idHeader };
  let sink: KafkaSink | undefined;
  let unwatch: (() => void) | undefined;

  function send(msg: Message, to: string): PromiseLike<void> {
    if (!sink) return Promise.reject(new Error('kafka-out is not started'));
    // Encoding fails here, for this message alone, before it joins a batch.
    return sink.add(outboundRecord(msg, to, recordOptions));
  }

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      const client = await ctx.connection<KafkaClient>(c.connection);
      const producer = client.producer(c.partitioner);
      unwatch = producer.status.follow(
        problemStatus(
          'kafka-out',
          ctx.nodeId,
          "check the connection's settings and that the cluster is reachable",
          (s) => ctx.status(s),
        ),
      );
      sink = new KafkaSink({
        send: (records, options) => producer.send(records, options),
        sendOptions: { acks: ACKS[c.acks], compression: c.compression, timeoutMs: c.ackTimeoutMs },
        batchSize: c.batchSize,
        lingerMs: c.lingerMs,
        lanes: c.batchesInFlight,
        attempts: c.attempts,
        retryDelayMs: c.retryDelayMs,
        retryMaxDelayMs: c.retryMaxDelayMs,
        signal: ctx.signal,
        log: ctx.log,
      });
      // With the cluster up, the first messages need no retry; with it down (or silent) the flow starts anyway
      // after a connect timeout, and the status says why.
      await Promise.race([producer.start(), sleep(client.settings.connectTimeoutMs, ctx.signal)]);
    },
    handle(msg) {
      let to: string | Promise<string>;
      try {
        to = topic.render(msg);
        return isThenable(to) ? to.then((t) => send(msg, t)) : send(msg, to);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async stop() {
      await sink?.close();
      unwatch?.();
    },
  };
};
