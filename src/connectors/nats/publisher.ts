/**
 * nats-out's delivery: JetStream publishes, each settled by the stream's acknowledgement (PubAck), retried with
 * backoff while NATS is unreachable or does not answer; or core publishes, settled once written to the connection.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { RetriedDelivery, type RetryOptions } from '../../kit/retry.js';
import { DeterministicError, markFailure } from '../../spec/failure.js';
import type { NatsClient } from './client.js';
import { MSG_ID_HEADER, type Outbound } from './messages.js';
import { errorText } from './status.js';

/** No stream captures the subject, or the stream refused the message: retrying the same publish will not help. */
export class PublishRefused extends DeterministicError {
  override name = 'PublishRefused';
}

/** Classifies a failed JetStream publish: refusals are the message's own problem, the rest is the world's. */
export function publishFailure(err: unknown, subject: string, node: string): Error {
  const text = errorText(err);
  const name = err instanceof Error ? err.name : '';
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
  // The client reports "no responders" for a JetStream publish as JetStreamNotEnabled, with the cause attached.
  if (name === 'NoRespondersError' || name === 'JetStreamNotEnabled' || /no responders/i.test(`${text} ${cause}`)) {
    return new PublishRefused(`${node}: no JetStream stream captures subject "${subject}"; create a stream for it`);
  }
  if (name === 'JetStreamApiError') return new PublishRefused(`${node}: the stream refused the message: ${text}`);
  return markFailure(new Error(`${node}: ${text}`), 'transient');
}

export interface JetStreamTarget {
  client: NatsClient;
  node: string;
  ackTimeoutMs: number;
  /** Send the message id as Nats-Msg-Id, for the stream's duplicate window. */
  msgId: boolean;
  /** The node's queue: its attempts go out together, once per turn of the event loop. */
  queue: PublishQueue;
}

/**
 * The publishes started in one turn of the event loop, sent together. The client writes its buffer to the socket
 * in a microtask after the first command; a flow's publishes come one by one as PubAcks free the in-flight window,
 * each a few promise hops after the last, so without this every publish was its own socket write (one syscall per
 * message, most of nats-out's cost). Sent from one synchronous loop they share one write.
 */
export class PublishQueue {
  private pending: RetriedJetStreamPublish[] = [];
  private scheduled = false;

  add(p: RetriedJetStreamPublish): void {
    this.pending.push(p);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const list = this.pending;
    this.pending = [];
    for (const p of list) p.send();
  };
}

/** One message's JetStream publish with retries: the Completion the node's `handle` returns. */
export class RetriedJetStreamPublish extends RetriedDelivery {
  constructor(
    retry: RetryOptions,
    private readonly t: JetStreamTarget,
    private readonly js: (nc: NatsConnection) => JetStreamClient,
    private readonly subject: string,
    private readonly out: Outbound,
    private readonly id: string,
  ) {
    super(retry);
  }

  protected attempt(): void {
    this.t.queue.add(this);
  }

  /** The attempt itself, from the queue. */
  send(): void {
    const nc = this.t.client.current;
    if (!nc) {
      this.failed(markFailure(new Error(`${this.t.node}: not connected to NATS`), 'transient'));
      return;
    }
    let h = this.out.headers;
    if (this.t.msgId) {
      h = h ?? natsHeaders();
      h.set(MSG_ID_HEADER, this.id);
    }
    let sent: Promise<unknown>;
    try {
      sent = this.js(nc).publish(this.subject, this.out.data, {
        timeout: this.t.ackTimeoutMs,
        ...(h ? { headers: h } : {}),
      });
    } catch (err) {
      // Thrown, not rejected (a closed connection): this attempt failed like any other.
      this.failed(publishFailure(err, this.subject, this.t.node));
      return;
    }
    sent.then(
      () => this.succeeded(),
      (err: unknown) => this.failed(publishFailure(err, this.subject, this.t.node)),
    );
  }
}
