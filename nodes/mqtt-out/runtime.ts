import type { IClientPublishOptions } from 'mqtt';
import { type Codec, encode } from '../../src/connectors/codec.js';
import { propertiesOf } from '../../src/connectors/mqtt/headers.js';
import { PublishRefused, publishOnce } from '../../src/connectors/mqtt/publisher.js';
import { reportStatus } from '../../src/connectors/mqtt/status.js';
import { compileTopicTemplate } from '../../src/connectors/mqtt/topic.js';
import { isThenableValue } from '../../src/expr/thenable.js';
import { withRetry } from '../../src/runtime/retry.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { MqttShared } from '../connections/mqtt/runtime.js';
import type { mqttOut } from './definition.js';

type Config = Static<typeof mqttOut.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const template = compileTopicTemplate(c.topic);
  const codec = c.codec as Codec;
  const qos = c.qos as NonNullable<IClientPublishOptions['qos']>;
  let shared: MqttShared | undefined;
  let detach: (() => void) | undefined;

  return {
    async start() {
      shared = await ctx.connection<MqttShared>(c.connection);
      detach = reportStatus(shared.client, (s) => ctx.status(s), undefined, shared.lastError());
    },

    async handle(msg) {
      const { client, v5 } = shared!;
      // A message that cannot be addressed or encoded fails at once: no retry can fix it.
      const rendered = template.render(msg);
      const topic = isThenableValue(rendered) ? await rendered : rendered;
      const payload = encode(msg.payload, codec);
      const properties = v5 ? propertiesOf(msg.headers, c.userProperties) : undefined;
      const options = properties ? { qos, retain: c.retain, properties } : { qos, retain: c.retain };
      await withRetry(() => publishOnce(client, topic, payload, options, c.publishTimeoutMs), {
        attempts: c.attempts,
        baseMs: c.retryBaseMs,
        maxMs: c.retryMaxMs,
        signal: ctx.signal,
        retryable: (err) => !(err instanceof PublishRefused),
        onRetry: (err, attempt, delayMs) =>
          ctx.log.debug(
            { err: err instanceof Error ? err.message : String(err), attempt, delayMs },
            'publish failed; retrying',
          ),
      });
    },

    stop() {
      // The shared client is closed by the connection pool once every node using it has stopped.
      detach?.();
    },
  };
};
