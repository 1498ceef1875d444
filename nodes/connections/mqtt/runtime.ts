/** Connection kind `mqtt`: the shared publishing client (mqtt-out) and `sluice check`. Subscribers own their clients. */
import '../../../src/connectors/mqtt/quiet-debug.js'; // before mqtt: see quiet-debug.ts
import { randomBytes } from 'node:crypto';
import { connect, type MqttClient, UniqueMessageIdProvider } from 'mqtt';
import { ReconnectBackoff } from '../../../src/connectors/mqtt/backoff.js';
import { endClient, firstAttempt } from '../../../src/connectors/mqtt/lifecycle.js';
import { clientOptions, type MqttSettings } from '../../../src/connectors/mqtt/settings.js';
import { isVersionRefusal, negotiateVersion } from '../../../src/connectors/mqtt/version.js';
import type { ConnectionRuntime, Static } from '../../../src/spec/index.js';
import type { mqttConnection } from './definition.js';

type Config = Static<typeof mqttConnection.config>;

export interface MqttShared {
  client: MqttClient;
  settings: MqttSettings;
  /** Whether the client speaks MQTT 5 now (false after the broker refused 5 and the client fell back to 3.1.1). */
  readonly v5: boolean;
  /** The version in use, in words (the nodes' connected status says it). */
  version(): string;
  /** The last connection failure, until the next successful connect. */
  lastError(): string | undefined;
}

// The definition's static type is what the connector reads.
const asSettings = (c: Config): MqttSettings => c;

export const runtime: ConnectionRuntime<Config, MqttShared> = {
  async open(config, ctx) {
    const settings = asSettings(config);
    const clientId = settings.clientId || `sluice-${randomBytes(6).toString('hex')}`;
    const client = connect(settings.url, {
      ...clientOptions(settings, { clientId, clean: settings.clean ?? true }),
      // The default provider wraps around without checking which ids are still in flight.
      messageIdProvider: new UniqueMessageIdProvider(),
    });
    new ReconnectBackoff(client, settings.reconnectDelayMs, settings.reconnectMaxDelayMs);
    client.setMaxListeners(0); // every mqtt-out node on this connection follows its status
    let lastError: string | undefined;
    client.on('error', (err) => {
      if (isVersionRefusal(err)) return; // falling back to 3.1.1 (version.ts), not a failure
      lastError = err.message;
      ctx.log.warn({ err: err.message }, 'mqtt connection error');
    });
    client.on('connect', () => {
      lastError = undefined;
    });
    const version = negotiateVersion(client, ctx.log);
    const attempt = firstAttempt(client);
    client.connect();
    let err = await attempt;
    // Refused MQTT 5: the client reconnects with 3.1.1 at once; that attempt is the one that tells.
    if (err && version.fellBack) err = await firstAttempt(client);
    if (err) ctx.log.warn({ err: err.message }, 'mqtt broker not reachable yet; retrying in the background');
    return {
      client,
      settings,
      get v5() {
        return client.options.protocolVersion === 5;
      },
      version: () => version.note(),
      lastError: () => lastError,
    };
  },

  async close(shared) {
    await endClient(shared.client);
  },

  async check(config) {
    const settings = asSettings(config);
    const tryVersion = async (protocolVersion: string) => {
      const client = connect(settings.url, {
        ...clientOptions(
          { ...settings, protocolVersion },
          { clientId: `sluice-check-${randomBytes(4).toString('hex')}`, clean: true },
        ),
        reconnectPeriod: 0,
        reconnectOnConnackError: false,
      });
      const attempt = firstAttempt(client);
      client.connect();
      const err = await attempt;
      await endClient(client, 500);
      return err;
    };
    let err = await tryVersion(settings.protocolVersion);
    // As the flow would: a broker that refuses MQTT 5 is checked again with 3.1.1.
    if (err && settings.protocolVersion === '5' && isVersionRefusal(err)) err = await tryVersion('3.1.1');
    if (err) throw err;
  },
};
