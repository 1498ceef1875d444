import type { IClientPublishOptions } from 'mqtt';
import { type Codec, encode } from '../../src/connectors/codec.js';
import { propertiesOf } from '../../src/connectors/mqtt/headers.js';
import {
  type ClientPublisher,
  PublishRefused,
  publisherFor,
  RetriedPublish,
} from '../../src/connectors/mqtt/publisher.js';
import { reportStatus } from '../../src/connectors/mqtt/status.js';
import { compileTopicTemplate } from '../../src/connectors/mqtt/topic.js';
import { isThenableValue } from '../../src/expr/thenable.js';
import { problemStatus, type RetryOptions, retryOptions, type Settleable } from '../../src/kit/index.js';
import type { Message, Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { MqttShared } from '../connections/mqtt/runtime.js';
import type { mqttOut } from './definition.js';

type Config = Static<typeof mqttOut.config>;

export const create: CreateRuntime<Config> = async (ctx) => {
  const c = ctx.config;
  const template = compileTopicTemplate(c.topic);
  // protobufjs is loaded only for the flows that write Sparkplug B.
  const toBytes: (payload: unknown) => Buffer =
    c.codec === 'sparkplug'
      ? (await import('../../src/connectors/sparkplug/codec.js')).encodeSparkplugPayload
      : (payload) => encode(payload, c.codec as Codec);
  const qos = c.qos as NonNullable<IClientPublishOptions['qos']>;
  // mqtt.js copies the options it is given, so messages without properties can share one object.
  const plainOptions: IClientPublishOptions = { qos, retain: c.retain };
  const retry: RetryOptions = retryOptions(c, {
    signal: ctx.signal,
    retryable: (err) => !(err instanceof PublishRefused),
    onRetry: (err, attempt, delayMs) =>
      ctx.log.debug(
        { err: err instanceof Error ? err.message : String(err), attempt, delayMs },
        'publish failed; retrying',
      ),
  });
  let shared: MqttShared | undefined;
  let publisher: ClientPublisher | undefined;
  let detach: (() => void) | undefined;

  // Per message: one RetriedPublish (the Completion the engine waits on) and the publisher's attempt; no promises.
  function publish(msg: Message, topic: string): Settleable {
    const v5 = shared!.v5;
    const p = publisher!;
    const payload = toBytes(msg.payload);
    const properties = v5 ? propertiesOf(msg, c.userProperties) : undefined;
    const options = properties ? { qos, retain: c.retain, properties } : plainOptions;
    return new RetriedPublish(retry, p, topic, payload, options, c.ackTimeoutMs).start();
  }

  return {
    async start() {
      shared = await ctx.connection<MqttShared>(c.connection);
      publisher = publisherFor(shared.client);
      const version = shared.version;
      detach = reportStatus(
        shared.client,
        problemStatus('mqtt-out', ctx.nodeId, "check the connection's settings and that the broker is reachable", (s) =>
          ctx.status(s),
        ),
        version,
        shared.lastError(),
      );
    },

    handle(msg) {
      // A message that cannot be addressed or encoded fails at once (rejected): no retry can fix it.
      try {
        const topic = template.render(msg);
        return isThenableValue(topic) ? (topic as Promise<string>).then((t) => publish(msg, t)) : publish(msg, topic);
      } catch (err) {
        return Promise.reject(err);
      }
    },

    stop() {
      // The shared client is closed by the connection pool once every node using it has stopped.
      detach?.();
    },
  };
};
