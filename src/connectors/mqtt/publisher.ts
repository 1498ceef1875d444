/**
 * One publish attempt that resolves only when the broker acknowledged it (QoS 1/2) and never waits in mqtt.js's
 * offline store: with the broker away it fails at once, and the caller's retry budget decides what happens next.
 */
import type { IClientPublishOptions, MqttClient } from 'mqtt';

/** A failure retrying cannot fix (the broker refused this message: not authorized, bad topic, ...). */
export class PublishRefused extends Error {
  override name = 'PublishRefused';
}

/** MQTT 5 reason codes >= 0x80 that may pass: 0x83 implementation specific, 0x89 server busy, 0x97 quota exceeded. */
const TRANSIENT_CODES = new Set([0x83, 0x89, 0x97]);

function classify(err: Error): Error {
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code === 'number' && code >= 0x80 && !TRANSIENT_CODES.has(code)) return new PublishRefused(err.message);
  return err;
}

/**
 * MQTT 5 (§4.9): a client must not have more unacknowledged QoS 1/2 publishes than the broker's Receive Maximum
 * (Mosquitto: 20; it refuses QoS 2 beyond it with "Quota exceeded"). mqtt.js does not hold back, so we do.
 */
class InFlight {
  active = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly client: MqttClient) {}

  private get max(): number {
    return this.client.options.protocolVersion === 5 ? (this.client.serverProperties?.receiveMaximum ?? 65535) : 65535;
  }

  acquire(): Promise<void> | undefined {
    if (this.active < this.max) {
      this.active++;
      return undefined;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}

const inFlight = new WeakMap<MqttClient, InFlight>();

export async function publishOnce(
  client: MqttClient,
  topic: string,
  payload: Buffer | string,
  options: IClientPublishOptions,
  timeoutMs: number,
): Promise<void> {
  if (!options.qos) return publishNow(client, topic, payload, options, timeoutMs);
  let limit = inFlight.get(client);
  if (!limit) {
    limit = new InFlight(client);
    inFlight.set(client, limit);
  }
  const wait = limit.acquire();
  if (wait) await wait;
  try {
    return await publishNow(client, topic, payload, options, timeoutMs);
  } finally {
    limit.release();
  }
}

function publishNow(
  client: MqttClient,
  topic: string,
  payload: Buffer | string,
  options: IClientPublishOptions,
  timeoutMs: number,
): Promise<void> {
  if (!client.connected) return Promise.reject(new Error('the MQTT broker is not connected'));
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const callback = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(classify(err));
      else resolve();
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      // Take it out of mqtt.js's store so it is not resent on reconnect after we gave up on it.
      for (const [id, entry] of Object.entries(client.outgoing)) {
        if (entry.cb === callback) client.removeOutgoingMessage(Number(id));
      }
      reject(new Error(`no acknowledgement from the MQTT broker within ${timeoutMs} ms`));
    }, timeoutMs);
    client.publish(topic, payload, options, callback);
  });
}
