/**
 * At start, ask the broker what it is (`$SYS/broker/version`, a retained topic Mosquitto publishes) and warn when a
 * persistent session rests on Mosquitto's defaults: `max_queued_messages` 1000 per offline client, beyond which
 * Mosquitto drops QoS 1/2 messages while the flow is down (a crash restart, a deploy). Sluice cannot see the broker's
 * setting, so the warning names the setting and the checklist instead of guessing.
 *
 * The probe is its own short-lived clean client: the subscriber's client carries the flow's acknowledgement gate,
 * and its persistent session must not gain a `$SYS` subscription. It never delays the flow's start.
 */
import './quiet-debug.js'; // before mqtt: see quiet-debug.ts
import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import type { Logger } from '../../spec/runtime-contract.js';
import { endClient } from './lifecycle.js';
import { clientOptions, type MqttSettings } from './settings.js';

export const BROKER_CHECKLIST = 'docs/delivery.md#broker-checklist';
const VERSION_TOPIC = '$SYS/broker/version';

/** Once per broker address per process: several mqtt-in nodes on one broker share one warning. */
const probed = new Set<string>();

/** The broker's address without credentials (a URL may carry user:password). */
export function brokerAddress(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable url)';
  }
}

export function mosquittoWarning(version: string): string {
  return (
    `the MQTT broker is ${version}: by default Mosquitto queues at most 1000 messages for an offline persistent ` +
    'session and drops the rest, so messages published while this flow is down (a crash, a restart) can be lost ' +
    `before Sluice sees them; set max_queued_messages 0 (or high enough) and persistence true (broker checklist: ${BROKER_CHECKLIST})`
  );
}

export interface BrokerProbe {
  /** Resolves with the version string the broker published, or undefined (not Mosquitto's topic, no answer). */
  readonly done: Promise<string | undefined>;
  stop(): Promise<void>;
}

/** Starts the probe in the background; logs the warning at warn level if the broker is Mosquitto. */
export function probeMosquitto(settings: MqttSettings, log: Logger, timeoutMs = 3000): BrokerProbe | undefined {
  const address = brokerAddress(settings.url);
  if (probed.has(address)) return undefined;
  probed.add(address);
  let client: MqttClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ended: Promise<void> | undefined;
  let begin: NodeJS.Immediate | undefined;
  const done = new Promise<string | undefined>((resolve) => {
    const finish = (version: string | undefined) => {
      clearTimeout(timer);
      resolve(version);
    };
    // After the flow's own start work: the probe must not lengthen the start-up it warns about.
    begin = setImmediate(() => {
      client = connect(settings.url, {
        ...clientOptions(settings, { clientId: `sluice-probe-${randomBytes(6).toString('hex')}`, clean: true }),
        reconnectPeriod: 0,
        reconnectOnConnackError: false,
      });
      timer = setTimeout(() => finish(undefined), timeoutMs);
      client.on('error', () => finish(undefined)); // the subscriber reports connection problems; the probe is silent
      client.on('message', (topic, payload) => {
        if (topic === VERSION_TOPIC) finish(payload.toString('utf8').slice(0, 200));
      });
      client.on('connect', () => client?.subscribe(VERSION_TOPIC, { qos: 0 }));
      client.connect();
    });
  }).then((version) => {
    ended = client ? endClient(client, 500) : Promise.resolve();
    if (version && /^mosquitto\b/i.test(version)) {
      log.warn({ broker: address, version, checklist: BROKER_CHECKLIST }, mosquittoWarning(version));
    } else {
      log.debug({ broker: address, version }, 'MQTT broker probe: not Mosquitto, or no $SYS/broker/version');
    }
    return version;
  });
  return {
    done,
    async stop() {
      clearImmediate(begin);
      clearTimeout(timer);
      if (ended) await ended;
      else if (client) await endClient(client, 500);
    },
  };
}
