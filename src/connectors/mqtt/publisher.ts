/**
 * One publish attempt that resolves only when the broker acknowledged it (QoS 1/2) and never waits in mqtt.js's
 * offline store: with the broker away it fails at once, and the caller's retry budget decides what happens next.
 *
 * This runs once per message, so an attempt costs one promise and one small object: no async frames, and no timer
 * of its own. Attempts wait for their acknowledgement in a list per client and timeout, oldest first, watched by a
 * single timer armed for the oldest one's deadline (src/runtime/deadlines.ts).
 */
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { Deadline, Deadlines } from '../../kit/deadlines.js';
import { type AttemptTarget, RetriedDelivery, type RetryOptions } from '../../kit/retry.js';
import { coalesceWrites } from '../coalesce-writes.js';

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
  /** mqtt.js's callback for this publish; the timeout also finds the attempt in `client.outgoing` by it. */
  readonly callback = (err?: Error): void => {
    if (!this.done) this.publisher.finish(this, err ? classify(err) : undefined);
  };

  constructor(
    readonly publisher: ClientPublisher,
    readonly timeouts: Deadlines<Attempt>,
    /** Holds one of the client's in-flight slots (QoS 1/2). */
    readonly slot: boolean,
    readonly target: AttemptTarget,
  ) {
    super();
  }
}

/**
 * The publishing side of one client. MQTT 5 (§4.9): a client must not have more unacknowledged QoS 1/2 publishes
 * than the broker's Receive Maximum (Mosquitto: 20; it refuses QoS 2 beyond it with "Quota exceeded"). mqtt.js
 * does not hold back, so we do.
 */
/** A QoS 1/2 publish waiting for an in-flight slot. */
interface Queued {
  topic: string;
  payload: Buffer | string;
  options: IClientPublishOptions;
  timeoutMs: number;
  target: AttemptTarget;
}

export class ClientPublisher {
  private active = 0;
  /** Publishes waiting for a slot, oldest first from `head` (with Receive Maximum 20, most of a busy flow's). */
  private waiters: Queued[] = [];
  private head = 0;
  /** Attempts waiting for an answer, per timeout. */
  private readonly timeouts = new Map<number, Deadlines<Attempt>>();

  constructor(private readonly client: MqttClient) {}

  private get max(): number {
    return this.client.options.protocolVersion === 5 ? (this.client.serverProperties?.receiveMaximum ?? 65535) : 65535;
  }

  /**
   * One attempt, reported to `target`: failed when the broker is away, refuses it (PublishRefused), or does not
   * answer in time.
   */
  send(
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
    timeoutMs: number,
    target: AttemptTarget,
  ): void {
    const q: Queued = { topic, payload, options, timeoutMs, target };
    if (!options.qos) this.start(q, false);
    else if (this.active < this.max) {
      this.active++;
      if (!this.start(q, true)) this.release();
    } else {
      // Started by release() when a slot frees, which hands the slot over (still counted in `active`).
      this.waiters.push(q);
    }
  }

  /** Publishes `q`; false when it failed at once (the broker is away), so a slot it held is free again. */
  private start(q: Queued, slot: boolean): boolean {
    if (!this.client.connected) {
      q.target.failed(new Error('the MQTT broker is not connected'));
      return false;
    }
    let timeouts = this.timeouts.get(q.timeoutMs);
    if (!timeouts) {
      timeouts = new Deadlines<Attempt>(q.timeoutMs, (a) => this.expire(a));
      this.timeouts.set(q.timeoutMs, timeouts);
    }
    const a = new Attempt(this, timeouts, slot, q.target);
    timeouts.add(a);
    // Publishes of this turn (one per arriving message, or one per PUBACK that freed a slot) share one socket write.
    coalesceWrites(this.client.stream);
    try {
      this.client.publish(q.topic, q.payload, q.options, a.callback);
    } catch (err) {
      a.callback(err instanceof Error ? err : new Error(String(err)));
    }
    return true;
  }

  /** The broker answered (or mqtt.js failed the publish). */
  finish(a: Attempt, err: Error | undefined): void {
    a.done = true;
    a.timeouts.remove(a);
    if (err) a.target.failed(err);
    else a.target.succeeded();
    if (a.slot) this.release();
  }

  private expire(a: Attempt): void {
    // Done first: removing it from mqtt.js's store calls its callback with "Message removed".
    a.done = true;
    // Take it out of mqtt.js's store so it is not resent on reconnect after we gave up on it.
    for (const [id, entry] of Object.entries(this.client.outgoing)) {
      if (entry.cb === a.callback) this.client.removeOutgoingMessage(Number(id));
    }
    a.target.failed(new Error(`no acknowledgement from the MQTT broker within ${a.timeouts.ms} ms`));
    if (a.slot) this.release();
  }

  /** A slot is free: the oldest waiting publish takes it (a loop, not recursion, when several fail at once). */
  private release(): void {
    while (this.head < this.waiters.length) {
      const next = this.waiters[this.head];
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters = this.waiters.slice(this.head);
        this.head = 0;
      }
      if (this.start(next, true)) return;
    }
    // Drained: drop the started entries (they hold payloads and callbacks).
    this.waiters.length = 0;
    this.head = 0;
    this.active--;
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

/** One message's publish with retries (mqtt-out): the Completion its `handle` returns. */
export class RetriedPublish extends RetriedDelivery {
  constructor(
    retry: RetryOptions,
    private readonly publisher: ClientPublisher,
    private readonly topic: string,
    private readonly payload: Buffer | string,
    private readonly options: IClientPublishOptions,
    private readonly timeoutMs: number,
  ) {
    super(retry);
  }

  protected attempt(): void {
    this.publisher.send(this.topic, this.payload, this.options, this.timeoutMs, this);
  }
}
