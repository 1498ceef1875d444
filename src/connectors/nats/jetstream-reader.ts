/**
 * nats-in's JetStream path: a durable pull consumer (explicit acks) on a stream, at least once.
 *
 * - A message is acked only when its lineage settles ok; one the flow dropped on purpose after a failure that
 *   redelivery cannot fix is terminated (`term`: JetStream stops redelivering it); one that failed is nak'ed with a
 *   delay, so JetStream delivers it again after `nakDelayMs`.
 * - `max_ack_pending` (what the server sends ahead unacked) is the node's setting or the flow's in-flight limit, and
 *   the loop stops pulling while the flow's window is full: memory stays bounded, the backlog stays on the server.
 * - Anything not acked when the process dies is redelivered by the server after `ackWaitMs`.
 */
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { backoffDelay, sleep } from '../../kit/retry.js';
import type { Message } from '../../spec/message.js';
import type { Logger, Outcome, Settle } from '../../spec/runtime-contract.js';
import type { NatsClient } from './client.js';
import { type Codec, inboundMessage } from './messages.js';
import { errorText } from './status.js';

export interface JetStreamReaderOptions {
  client: NatsClient;
  stream: string;
  /** Create the stream (with `subject`) when it does not exist. */
  createStream: boolean;
  /** Filter subject; empty: everything the stream holds. */
  subject: string;
  durable: string;
  deliverPolicy: 'all' | 'new' | 'last';
  ackWaitMs: number;
  nakDelayMs: number;
  maxAckPending: number;
  codec: Codec;
  ingest(msg: Message, settle: Settle): undefined | Promise<void>;
  ingestFailed(msg: Message, reason: string, settle: Settle): undefined | Promise<void>;
  /** The setup failed (a refused consumer, a missing stream): shown as the node's error, and retried. */
  setupFailed(reason: string): void;
  /** The consumer is set up (after a failure: the node's status is the connection's again). */
  setupDone(): void;
  log: Logger;
}

const DELIVER: Record<JetStreamReaderOptions['deliverPolicy'], DeliverPolicy> = {
  all: DeliverPolicy.All,
  new: DeliverPolicy.New,
  last: DeliverPolicy.LastPerSubject,
};

export class JetStreamReader {
  private taking = true;
  private readonly stopping = new AbortController();
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  /** Settled messages whose ack (nak, term) is not sent yet: see `settle`. */
  private settled: Array<{ m: JsMsg; outcome: Outcome }> = [];
  private flushScheduled = false;
  readonly counts = { received: 0, acked: 0, naked: 0, terminated: 0 };

  constructor(private readonly o: JetStreamReaderOptions) {}

  start(): void {
    this.loop = this.run();
  }

  /** Stop pulling; messages received but not yet in the flow are nak'ed so they come again at once. */
  stopIntake(): void {
    this.taking = false;
    this.stopping.abort();
    this.messages?.stop();
  }

  async stop(): Promise<void> {
    this.stopIntake();
    await this.loop;
    // The last acks go out before the connection drains and closes.
    this.flushAcks();
  }

  private async run(): Promise<void> {
    for (let failures = 0; this.taking; ) {
      const nc = await this.o.client.connection(this.stopping.signal);
      if (!nc || !this.taking) return;
      try {
        await this.setUp(nc);
        if (failures > 0) this.o.setupDone();
        failures = 0;
        await this.consume(nc);
      } catch (err) {
        if (!this.taking) return;
        failures++;
        const reason = errorText(err);
        this.o.setupFailed(reason);
        const delayMs = backoffDelay(
          failures,
          this.o.client.settings.reconnectDelayMs,
          this.o.client.settings.reconnectMaxDelayMs,
        );
        this.o.log.warn({ err: reason, stream: this.o.stream, delayMs }, 'JetStream consumer failed; retrying');
        await sleep(delayMs, this.stopping.signal);
      }
    }
  }

  /** The stream (if asked) and the durable consumer: created, or updated to these settings. */
  private async setUp(nc: NatsConnection): Promise<void> {
    const o = this.o;
    const jsm = await jetstreamManager(nc);
    if (o.createStream) {
      try {
        await jsm.streams.info(o.stream);
      } catch (err) {
        if (!/stream not found/i.test(errorText(err))) throw err;
        await jsm.streams.add({ name: o.stream, subjects: [o.subject] });
        o.log.info({ stream: o.stream, subject: o.subject }, 'JetStream stream created');
      }
    }
    const config: Partial<ConsumerConfig> = {
      durable_name: o.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DELIVER[o.deliverPolicy],
      ack_wait: nanos(o.ackWaitMs),
      max_ack_pending: o.maxAckPending,
      ...(o.subject ? { filter_subject: o.subject } : {}),
    };
    try {
      await jsm.consumers.info(o.stream, o.durable);
      // Exists: bring the settings that may change up to date (the deliver policy only applies to a new one).
      await jsm.consumers.update(o.stream, o.durable, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
        ...(o.subject ? { filter_subject: o.subject } : {}),
      });
    } catch (err) {
      if (!/consumer not found/i.test(errorText(err))) throw err;
      await jsm.consumers.add(o.stream, config);
      o.log.info({ stream: o.stream, durable: o.durable }, 'JetStream consumer created');
    }
  }

  private async consume(nc: NatsConnection): Promise<void> {
    const consumer = await jetstream(nc).consumers.get(this.o.stream, this.o.durable);
    // Pull no more than the server would let be pending anyway.
    const messages = await consumer.consume({ max_messages: Math.min(this.o.maxAckPending, 1000) });
    this.messages = messages;
    if (!this.taking) messages.stop();
    for await (const m of messages) {
      if (!this.taking) {
        m.nak();
        continue;
      }
      const wait = this.enter(m);
      if (wait) await wait;
    }
    // The iterator ends on stop, or when the consumer was deleted: set up again unless stopping.
    if (this.taking) throw new Error(`the JetStream consumer "${this.o.durable}" stopped`);
  }

  private enter(m: JsMsg): undefined | Promise<void> {
    this.counts.received++;
    const envelope: Record<string, string> = {
      'nats-stream': m.info.stream,
      'nats-sequence': String(m.seq),
      'nats-deliveries': String(m.info.deliveryCount),
    };
    const { message, failure } = inboundMessage(m, this.o.codec, envelope, `${m.info.stream}/${m.seq}`);
    const settle = (outcome: Outcome) => this.settle(m, outcome);
    return failure === undefined ? this.o.ingest(message, settle) : this.o.ingestFailed(message, failure, settle);
  }

  /**
   * Acks are sent together, once per turn of the event loop: the client writes its buffer to the socket in a
   * microtask after the first command, and settles come one by one a few promise hops apart, so an ack sent at once
   * was one socket write (a syscall) per message, most of nats-in's cost. An ack is sent only after its settle, and
   * one that is never sent (the process dies first) means a redelivery after ackWaitMs, as before.
   */
  private settle(m: JsMsg, outcome: Outcome): void {
    this.settled.push({ m, outcome });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushAcks);
  }

  private readonly flushAcks = (): void => {
    this.flushScheduled = false;
    const list = this.settled;
    this.settled = [];
    for (const { m, outcome } of list) this.answer(m, outcome);
  };

  private answer(m: JsMsg, outcome: Outcome): void {
    try {
      if (!outcome.ok) {
        this.counts.naked++;
        m.nak(this.taking ? this.o.nakDelayMs : 0);
      } else if (outcome.dropped !== undefined) {
        this.counts.terminated++;
        m.term(outcome.dropped);
      } else {
        this.counts.acked++;
        m.ack();
      }
    } catch (err) {
      // The connection is closing: the server redelivers after ackWaitMs.
      this.o.log.debug({ err: errorText(err) }, 'ack not sent; JetStream redelivers the message');
    }
  }
}
