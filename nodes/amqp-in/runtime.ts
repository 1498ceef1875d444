import type { Channel } from 'amqplib';
import type { AmqpClient } from '../../src/connectors/amqp/client.js';
import { Intake } from '../../src/connectors/amqp/intake.js';
import { errorText } from '../../src/connectors/amqp/link-status.js';
import { ManagedChannel } from '../../src/connectors/amqp/managed-channel.js';
import { reportStatus } from '../../src/connectors/amqp/node-status.js';
import { bindQueue, setUpExchange, setUpQueue } from '../../src/connectors/amqp/topology.js';
import { nodeProblem, problemStatus } from '../../src/kit/index.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { amqpIn } from './definition.js';

type Config = Static<typeof amqpIn.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  let channel: ManagedChannel<Channel> | undefined;
  let unwatch: (() => void) | undefined;
  let taking = true;
  /** The consumer on the current channel, to cancel it when intake stops. */
  let consumer: { ch: Channel; tag: string } | undefined;

  const intake = new Intake({
    codec: c.codec,
    onFailure: c.onFailure,
    requeueDelayMs: c.requeueDelayMs,
    ingest: (msg, settle) => ctx.ingest(msg, settle),
    ingestFailed: (msg, reason, settle) =>
      ctx.ingestFailed(
        msg,
        nodeProblem('amqp-in', ctx.nodeId, reason, "check that the node's codec matches what is published"),
        settle,
      ),
    isLive: (generation) => channel?.isLive(generation) ?? false,
    log: ctx.log,
  });

  async function setup(ch: Channel, generation: number): Promise<void> {
    await setUpQueue(ch, {
      name: c.queue,
      mode: c.queueMode,
      durable: c.durable,
      queueType: c.queueType,
      deadLetterExchange: c.deadLetterExchange,
      deadLetterRoutingKey: c.deadLetterRoutingKey,
      arguments: c.queueArguments,
    });
    if (c.exchange) {
      await setUpExchange(ch, {
        name: c.exchange,
        mode: c.exchangeMode,
        type: c.exchangeType,
        durable: c.exchangeDurable,
      });
      await bindQueue(ch, c.queue, c.exchange, c.bindingKeys);
    }
    await ch.prefetch(c.prefetch);
    // A channel reopened while the flow drains must not start consuming again.
    if (!taking) return;
    const { consumerTag } = await ch.consume(
      c.queue,
      (m) => {
        if (m) intake.push(m, ch, generation);
        // null: the broker cancelled the consumer (queue deleted, node failover): set up again.
        else channel?.reset(`the broker cancelled the consumer of queue "${c.queue}"`);
      },
      { noAck: false },
    );
    consumer = { ch, tag: consumerTag };
  }

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      const client = await ctx.connection<AmqpClient>(c.connection);
      const managed = new ManagedChannel<Channel>(client, { confirm: false, log: ctx.log, setup });
      channel = managed;
      unwatch = reportStatus(
        client,
        managed,
        problemStatus('amqp-in', ctx.nodeId, "check the connection's settings and that the broker is reachable", (s) =>
          ctx.status(s),
        ),
      );
      await managed.start();
    },
    async stopIntake() {
      taking = false;
      const current = consumer;
      consumer = undefined;
      if (current && channel?.channel === current.ch) {
        await current.ch.cancel(current.tag).catch((err: unknown) => {
          ctx.log.debug({ err: errorText(err) }, 'cancelling the consumer failed; closing the channel stops it');
        });
      }
      intake.stopTaking();
    },
    async stop() {
      unwatch?.();
      intake.dispose();
      // Closing the channel hands every unacked delivery back to the broker.
      await channel?.close();
    },
  };
};
