/**
 * One publish attempt that resolves only when the broker acknowledged it (QoS 1/2) and never waits in mqtt.js's
 * offline store: with the broker away it fails at once, and the caller's retry budget decides what happens next.
 *
 * This runs once per message, so an attempt costs one promise and one small object: no async frames, and no timer
 * of its own. Attempts wait for their acknowledgement in a list per client and timeout, oldest first, watched by a
 * single timer armed for the oldest one's deadline (src/runtime/deadlines.ts).
 */
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { Deadline, Deadlines } from '../../runtime/deadlines.js';

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

/** One publish waiting for its acknowledgement (or, for QoS 0, for its write). */
class Attempt extends Deadline {
  done = false;
  resolve!: () => void;
  reject!: (err: Error) => void;
  /** mqtt.js's callback for this publish; the timeout also finds the attempt in `client.outgoing` by it. */
  readonly callback = (err?: Error): void => {
    if (!this.done) this.publisher.finish(this, err ? classify(err) : undefined);
  };

  constructor(
    readonly publisher: ClientPublisher,
    readonly timeouts: Deadlines<Attempt>,
    /** Holds one of the client's in-flight slots (QoS 1/2). */
    readonly slot: boolean,
  ) {
    super();
  }
}

/**
 * The publishing side of one client. MQTT 5 (§4.9): a client must not have more unacknowledged QoS 1/2 publishes
 * than the broker's Receive Maximum (Mosquitto: 20; it refuses QoS 2 beyond it with "Quota exceeded"). mqtt.js
 * does not hold back, so we do.
 */
export class ClientPublisher {
  private active = 0;
  private waiters: Array<() => void> = [];
  /** Attempts waiting for an answer, per timeout. */
  private readonly timeouts = new Map<number, Deadlines<Attempt>>();

  constructor(private readonly client: MqttClient) {}

  private get max(): number {
    return this.client.options.protocolVersion === 5 ? (this.client.serverProperties?.receiveMaximum ?? 65535) : 65535;
  }

  /** One attempt; rejects when the broker is away, refuses it (PublishRefused), or does not answer in time. */
  publish(topic: string, payload: Buffer | string, options: IClientPublishOptions, timeoutMs: number): Promise<void> {
    if (!options.qos) return this.send(topic, payload, options, timeoutMs, false);
    if (this.active < this.max) {
      this.active++;
      return this.send(topic, payload, options, timeoutMs, true);
    }
    // The slot is handed over by release(), already counted.
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() =>
      this.send(topic, payload, options, timeoutMs, true),
    );
  }

  private send(
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
    timeoutMs: number,
    slot: boolean,
  ): Promise<void> {
    if (!this.client.connected) {
      if (slot) this.release();
      return Promise.reject(new Error('the MQTT broker is not connected'));
    }
    let timeouts = this.timeouts.get(timeoutMs);
    if (!timeouts) {
      timeouts = new Deadlines<Attempt>(timeoutMs, (a) => this.expire(a));
      this.timeouts.set(timeoutMs, timeouts);
    }
    const a = new Attempt(this, timeouts, slot);
    const promise = new Promise<void>((resolve, reject) => {
      a.resolve = resolve;
      a.reject = reject;
    });
    timeouts.add(a);
    try {
      this.client.publish(topic, payload, options, a.callback);
    } catch (err) {
      a.callback(err instanceof Error ? err : new Error(String(err)));
    }
    return promise;
  }

  /** The broker answered (or mqtt.js failed the publish). */
  finish(a: Attempt, err: Error | undefined): void {
    a.done = true;
    a.timeouts.remove(a);
    if (err) a.reject(err);
    else a.resolve();
    if (a.slot) this.release();
  }

  private expire(a: Attempt): void {
    // Done first: removing it from mqtt.js's store calls its callback with "Message removed".
    a.done = true;
    // Take it out of mqtt.js's store so it is not resent on reconnect after we gave up on it.
    for (const [id, entry] of Object.entries(this.client.outgoing)) {
      if (entry.cb === a.callback) this.client.removeOutgoingMessage(Number(id));
    }
    a.reject(new Error(`no acknowledgement from the MQTT broker within ${a.timeouts.ms} ms`));
    if (a.slot) this.release();
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}

const publishers = new WeakMap<MqttClient, ClientPublisher>();

/** The client's publisher: shared by every node that publishes on it, so the in-flight limit is the client's. */
export function publisherFor(client: MqttClient): ClientPublisher {
  let p = publishers.get(client);
  if (!p) {
    p = new ClientPublisher(client);
    publishers.set(client, p);
  }
  return p;
}

export function publishOnce(
  client: MqttClient,
  topic: string,
  payload: Buffer | string,
  options: IClientPublishOptions,
  timeoutMs: number,
): Promise<void> {
  return publisherFor(client).publish(topic, payload, options, timeoutMs);
}
