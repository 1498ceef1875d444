import type { IPublishPacket } from 'mqtt';
import type { Codec } from '../../src/connectors/codec.js';
import { probeMosquitto } from '../../src/connectors/mqtt/broker-probe.js';
import { inboundMessage } from '../../src/connectors/mqtt/inbound.js';
import { clientOptions, type MqttSettings, safeClientId } from '../../src/connectors/mqtt/settings.js';
import { MqttSubscriber } from '../../src/connectors/mqtt/subscriber.js';
import { nodeProblem, problemStatus } from '../../src/kit/index.js';
import type { Settle, Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { mqttIn } from './definition.js';

type Config = Static<typeof mqttIn.config>;

export const create: CreateRuntime<Config> = async (ctx) => {
  const c = ctx.config;
  const settings = ctx.connectionConfig<MqttSettings>(c.connection);
  const qos = c.qos as 0 | 1 | 2;
  // protobufjs is loaded only for the flows that read Sparkplug B.
  const codec =
    c.codec === 'sparkplug'
      ? (await import('../../src/connectors/sparkplug/codec.js')).decodeSparkplugPayload
      : (c.codec as Codec);
  // A persistent session belongs to one client id, so it must be the same on every run of this node.
  const clientId = c.clientId || safeClientId(settings.clientId || 'sluice', ctx.flowId, ctx.nodeId);
  const clean = settings.clean ?? qos === 0;
  if (clean && qos > 0) {
    ctx.log.warn('clean session with QoS > 0: messages not yet acknowledged when the flow stops or crashes are lost');
  }

  const deliver = (packet: IPublishPacket, settle: Settle) => {
    const inbound = inboundMessage(packet, codec);
    return inbound.failure === undefined
      ? ctx.ingest(inbound.message, settle)
      : ctx.ingestFailed(
          inbound.message,
          nodeProblem('mqtt-in', ctx.nodeId, inbound.failure, "check that the node's codec matches what is published"),
          settle,
        );
  };

  const subscriber = new MqttSubscriber({
    url: settings.url,
    client: clientOptions(settings, { clientId, clean, receiveMaximum: c.window }),
    subscriptions: c.topics.map((topic) => ({ topic, qos })),
    window: c.window,
    reconnectDelayMs: settings.reconnectDelayMs,
    reconnectMaxDelayMs: settings.reconnectMaxDelayMs,
    log: ctx.log,
    status: problemStatus(
      'mqtt-in',
      ctx.nodeId,
      "check the connection's settings and that the broker is reachable",
      (s) => ctx.status(s),
    ),
    deliver,
  });

  // A persistent session is what a broker's offline queue limit can truncate: say so when that broker is Mosquitto.
  let probe: ReturnType<typeof probeMosquitto>;
  return {
    start: () => {
      if (!clean) probe = probeMosquitto(settings, ctx.log);
      return subscriber.start();
    },
    stopIntake: () => subscriber.stopIntake(),
    stop: async () => {
      await probe?.stop();
      await subscriber.stop();
    },
    snapshot: () => subscriber.snapshot(),
  };
};
