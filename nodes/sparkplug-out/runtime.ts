import { problemStatus } from '../../src/kit/index.js';
import '../../src/connectors/mqtt/quiet-debug.js'; // before mqtt: see quiet-debug.ts
import { connect, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { ReconnectBackoff } from '../../src/connectors/mqtt/backoff.js';
import { endClient, firstAttempt } from '../../src/connectors/mqtt/lifecycle.js';
import { type ClientPublisher, publisherFor } from '../../src/connectors/mqtt/publisher.js';
import { clientOptions, type MqttSettings, safeClientId } from '../../src/connectors/mqtt/settings.js';
import { reportStatus } from '../../src/connectors/mqtt/status.js';
import { decodeSparkplug } from '../../src/connectors/sparkplug/decode.js';
import { EdgeNodeSession, metricsOfPayload, type Publication } from '../../src/connectors/sparkplug/edge.js';
import { topicOf } from '../../src/connectors/sparkplug/topic.js';
import { compileCheckedTemplate } from '../../src/expr/template.js';
import { isThenableValue } from '../../src/expr/thenable.js';
import { DeterministicError, type Message, type Static, TransientError } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { sparkplugOut } from './definition.js';

type Config = Static<typeof sparkplugOut.config>;

const deviceProblem = (id: string) =>
  id !== '' && (/[/+#]/.test(id) || id.includes('\u0000'))
    ? `"${id}" cannot contain /, +, # or NUL (one topic level)`
    : undefined;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const settings = ctx.connectionConfig<MqttSettings>(c.connection);
  const fail = (what: string) => new DeterministicError(`sparkplug-out "${ctx.nodeId}": ${what}`);
  const device = compileCheckedTemplate(c.device, 'device', deviceProblem, (m) => fail(m));
  const clientId = c.clientId || safeClientId(settings.clientId || 'sluice', ctx.flowId, ctx.nodeId);
  const session = new EdgeNodeSession(c.groupId, c.edgeNodeId, c.useAliases);
  const ncmdTopic = topicOf({ group: c.groupId, type: 'NCMD', edgeNode: c.edgeNodeId });
  const options: IClientPublishOptions = { qos: c.qos as 0 | 1, retain: false };
  const counters = { births: 0, rebirthRequests: 0, published: 0 };
  let client: MqttClient | undefined;
  let publisher: ClientPublisher | undefined;
  let detach: (() => void) | undefined;

  /** Publish in order; resolves when the last one is written (QoS 0) or acknowledged (QoS 1). */
  function send(pubs: Publication[]): Promise<void> {
    const p = publisher!;
    let last: Promise<void> = Promise.resolve();
    for (const pub of pubs) {
      counters.published++;
      last = new Promise<void>((succeeded, failed) =>
        p.send(pub.topic, Buffer.from(pub.payload), options, c.ackTimeoutMs, {
          succeeded,
          failed: (err) =>
            failed(new TransientError(`sparkplug-out "${ctx.nodeId}": ${String((err as Error)?.message ?? err)}`)),
        }),
      );
    }
    return last;
  }

  function publishBirths(why: string): void {
    counters.births++;
    ctx.log.info({ bdSeq: session.bdSeq, why }, 'publishing Sparkplug births');
    send(session.births()).catch((err) => ctx.log.warn({ err: (err as Error).message }, 'births not sent'));
  }

  function onCommand(bytes: Buffer): void {
    try {
      const cmd = decodeSparkplug(bytes);
      const rebirth = cmd.metrics.find((m) => m.name === 'Node Control/Rebirth');
      if (rebirth?.value === true) {
        counters.rebirthRequests++;
        publishBirths('a host asked for a rebirth');
      }
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, `an NCMD on ${ncmdTopic} is not a Sparkplug B payload; ignored`);
    }
  }

  function publish(msg: Message, deviceId: string): Promise<void> {
    if (!client?.connected || !session.born) {
      return Promise.reject(
        new TransientError(`sparkplug-out "${ctx.nodeId}": not connected to the broker; retry later`),
      );
    }
    let pubs: Publication[];
    try {
      pubs = session.update(deviceId === '' ? undefined : deviceId, metricsOfPayload(msg.payload));
    } catch (err) {
      return Promise.reject(
        fail(`${(err as Error).message}; fix the message (e.g. with a transform before this node)`),
      );
    }
    return send(pubs);
  }

  return {
    async start() {
      const will = () => {
        const death = session.death();
        return { topic: death.topic, payload: Buffer.from(death.payload), qos: 1 as const, retain: false };
      };
      const mqttClient = connect(settings.url, {
        ...clientOptions(settings, { clientId, clean: true }),
        will: will(),
      });
      client = mqttClient;
      publisher = publisherFor(mqttClient);
      new ReconnectBackoff(mqttClient, settings.reconnectDelayMs, settings.reconnectMaxDelayMs);
      detach = reportStatus(
        mqttClient,
        problemStatus(
          'sparkplug-out',
          ctx.nodeId,
          "check the connection's settings and that the broker is reachable",
          (s) => ctx.status(s),
        ),
      );
      mqttClient.on('error', (err) => ctx.log.warn({ err: err.message }, 'mqtt connection error'));
      mqttClient.on('connect', () => {
        mqttClient.subscribe(ncmdTopic, { qos: 0 }, (err) => {
          if (err)
            ctx.log.warn({ err: err.message }, `cannot subscribe to ${ncmdTopic}: rebirth requests will be missed`);
        });
        publishBirths('connected');
      });
      // The will is fixed per connection: the next connection gets the next bdSeq, in its will and in its NBIRTH.
      mqttClient.on('close', () => {
        session.nextConnection();
        mqttClient.options.will = will();
      });
      mqttClient.on('message', (topic, payload) => {
        if (topic === ncmdTopic) onCommand(payload);
      });
      const attempt = firstAttempt(mqttClient);
      mqttClient.connect();
      const err = await attempt;
      if (err) ctx.log.warn({ err: err.message }, 'mqtt broker not reachable yet; retrying in the background');
    },

    handle(msg) {
      try {
        const id = device.render(msg);
        return isThenableValue(id) ? (id as Promise<string>).then((d) => publish(msg, d)) : publish(msg, id as string);
      } catch (err) {
        return Promise.reject(err);
      }
    },

    async stop() {
      detach?.();
      const c0 = client;
      if (!c0) return;
      // A clean stop: the will is not sent on a normal DISCONNECT, so say NDEATH ourselves first.
      if (c0.connected) {
        const death = session.death();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(c.ackTimeoutMs, 2000));
          c0.publish(death.topic, Buffer.from(death.payload), { qos: 1 }, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      await endClient(c0);
    },

    snapshot: () => ({ connected: client?.connected ?? false, bdSeq: session.bdSeq, ...counters }),
  };
};
