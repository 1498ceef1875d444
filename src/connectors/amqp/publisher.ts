/**
 * Publishing with publisher confirms and `mandatory`: a publish resolves only when the broker confirmed it, and
 * fails when the broker nacks it, returns it as unroutable, the channel closes first, or no confirm comes in time.
 *
 * RabbitMQ confirms unroutable messages too; with `mandatory` it sends a `basic.return` for such a message
 * before its `basic.ack`. A return carries no delivery tag, so it is matched to its publish by
 * (exchange, routing key, message id): publishes with the same triple are serialised per channel, which keeps
 * the match exact and costs nothing unless the same message is in flight twice.
 */
import type { Message as AmqpMessage, ConfirmChannel, Options } from 'amqplib';
import { Deadline, Deadlines } from '../../kit/deadlines.js';
import { type AttemptTarget, RetriedDelivery, type RetryOptions } from '../../kit/retry.js';
import { type FailureKind, markFailure } from '../../spec/failure.js';
import { errorText } from './link-status.js';
import type { ManagedChannel } from './managed-channel.js';

export class PublishError extends Error {
  override name = 'PublishError';
  /** The engine's failure kind (src/spec/failure.ts): an unroutable message goes to the error route, not round again. */
  readonly failureKind: FailureKind;
  constructor(
    message: string,
    /** False when trying again cannot help (unroutable, too large). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.failureKind = retryable ? 'transient' : 'deterministic';
  }
}

export interface PublishRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  /** Must carry a messageId (the return matching relies on it). */
  options: Options.Publish & { messageId: string };
}

/** One publish waiting for its confirm. */
class Pending extends Deadline {
  /** Set when the broker returned the message (unroutable): its reply code and text. */
  returned?: string;
  /** Publishes of the same (exchange, routing key, message id) waiting for this one's slot. */
  waiters: Array<() => void> | undefined;
  answered = false;
  /** amqplib's confirm callback: confirmed, nacked, or the channel closed. */
  readonly done = (err: unknown): void => this.publisher.confirmed(this, err);

  constructor(
    readonly publisher: ConfirmPublisher,
    readonly table: Map<string, Pending>,
    readonly key: string,
    readonly target: AttemptTarget,
  ) {
    super();
  }
}

function keyOf(exchange: string, routingKey: string, messageId: unknown): string {
  return `${exchange}\u0000${routingKey}\u0000${String(messageId)}`;
}

/**
 * Per message this costs one Pending: no promise, no async frames, and the confirm timeouts share one timer
 * (src/runtime/deadlines.ts).
 */
export class ConfirmPublisher {
  private readonly pending = new WeakMap<ConfirmChannel, Map<string, Pending>>();
  private readonly timeouts: Deadlines<Pending>;

  constructor(
    private readonly managed: ManagedChannel<ConfirmChannel>,
    private readonly options: { mandatory: boolean; ackTimeoutMs: number },
  ) {
    this.timeouts = new Deadlines<Pending>(options.ackTimeoutMs, (p) => {
      this.answer(p, new PublishError(`no confirm from the broker within ${options.ackTimeoutMs} ms`, true));
      // A channel that stopped confirming is not trusted again: its unconfirmed publishes fail and it reopens.
      this.managed.reset('publisher confirms timed out');
    });
  }

  /** Call from the channel's setup: listens for returns on this channel. */
  attach(ch: ConfirmChannel): void {
    const table = new Map<string, Pending>();
    this.pending.set(ch, table);
    ch.on('return', (m: AmqpMessage) => {
      // A basic.return's fields: exchange, routingKey, replyCode, replyText (amqplib's types omit the last two).
      const f = m.fields as typeof m.fields & { replyCode?: number; replyText?: string };
      const p = table.get(keyOf(f.exchange, f.routingKey, m.properties.messageId));
      if (p) p.returned = `${f.replyCode ?? ''} ${f.replyText ?? 'returned'}`.trim();
    });
  }

  /**
   * One attempt, reported to `target`: it fails with a PublishError, whose `retryable` says whether another attempt
   * may succeed. Sets `req.options.mandatory` to the publisher's setting.
   */
  send(req: PublishRequest, target: AttemptTarget): void {
    const ch = this.managed.channel;
    const table = ch && this.pending.get(ch);
    if (!ch || !table) {
      target.failed(new PublishError(`not connected: ${this.managed.status.reason ?? 'the channel is opening'}`, true));
      return;
    }
    const key = keyOf(req.exchange, req.routingKey, req.options.messageId);
    const before = table.get(key);
    if (!before) {
      this.sendOn(ch, table, key, req, target);
      return;
    }
    // The same message is in flight already: wait for its slot, then start over (the channel may have changed).
    before.waiters = before.waiters ?? [];
    // Started after the earlier one is answered (not inside amqplib's confirm callback).
    before.waiters.push(() => queueMicrotask(() => this.send(req, target)));
  }

  private sendOn(
    ch: ConfirmChannel,
    table: Map<string, Pending>,
    key: string,
    req: PublishRequest,
    target: AttemptTarget,
  ): void {
    const entry = new Pending(this, table, key, target);
    table.set(key, entry);
    this.timeouts.add(entry);
    req.options.mandatory = this.options.mandatory;
    try {
      ch.publish(req.exchange, req.routingKey, req.content, req.options, entry.done);
    } catch (err) {
      // Thrown at once: a closed channel (retryable) or a header table too large to encode (not).
      this.free(entry);
      // A RangeError is amqplib's "frame size exceeded": this message is too large, it never will fit.
      const error = new PublishError(errorText(err), !(err instanceof RangeError));
      this.answer(entry, err instanceof RangeError ? markFailure(error, 'deterministic') : error);
    }
  }

  /** amqplib called back for `p`. */
  confirmed(p: Pending, err: unknown): void {
    this.free(p);
    if (err) this.answer(p, new PublishError(`not confirmed: ${errorText(err)}`, true));
    else if (p.returned) this.answer(p, new PublishError(`unroutable: the broker returned it (${p.returned})`, false));
    else this.answer(p);
  }

  /** The slot of `p`'s (exchange, routing key, message id) is free again. */
  private free(p: Pending): void {
    if (p.table.get(p.key) === p) p.table.delete(p.key);
    const waiters = p.waiters;
    p.waiters = undefined;
    if (waiters) for (const wake of waiters) wake();
  }

  /** Settle the attempt once: the first of confirm, failure and timeout wins. */
  private answer(p: Pending, err?: PublishError): void {
    if (p.answered) return;
    p.answered = true;
    this.timeouts.remove(p);
    if (err) p.target.failed(err);
    else p.target.succeeded();
  }
}

/** One message's publish with retries (amqp-out): the Completion its `handle` returns. */
export class RetriedAmqpPublish extends RetriedDelivery {
  constructor(
    retry: RetryOptions,
    private readonly publisher: ConfirmPublisher,
    private readonly req: PublishRequest,
  ) {
    super(retry);
  }

  protected attempt(): void {
    this.publisher.send(this.req, this);
  }
}
