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
import { errorText } from './link-status.js';
import type { ManagedChannel } from './managed-channel.js';

export class PublishError extends Error {
  override name = 'PublishError';
  constructor(
    message: string,
    /** False when trying again cannot help (unroutable, too large). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface PublishRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  /** Must carry a messageId (the return matching relies on it). */
  options: Options.Publish & { messageId: string };
}

interface Pending {
  /** Set when the broker returned the message (unroutable): its reply code and text. */
  returned?: string;
  /** Resolves once the broker confirmed, nacked, or the channel closed: the slot is free again. */
  freed: Promise<void>;
}

function keyOf(exchange: string, routingKey: string, messageId: unknown): string {
  return `${exchange}\u0000${routingKey}\u0000${String(messageId)}`;
}

export class ConfirmPublisher {
  private readonly pending = new WeakMap<ConfirmChannel, Map<string, Pending>>();

  constructor(
    private readonly managed: ManagedChannel<ConfirmChannel>,
    private readonly options: { mandatory: boolean; confirmTimeoutMs: number },
  ) {}

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

  /** One attempt. Rejects with PublishError; `retryable` says whether another attempt may succeed. */
  async publish(req: PublishRequest): Promise<void> {
    for (;;) {
      const ch = this.managed.channel;
      const table = ch && this.pending.get(ch);
      if (!ch || !table)
        throw new PublishError(`not connected: ${this.managed.status.reason ?? 'the channel is opening'}`, true);
      const key = keyOf(req.exchange, req.routingKey, req.options.messageId);
      const before = table.get(key);
      if (!before) return this.send(ch, table, key, req);
      await before.freed;
    }
  }

  private send(ch: ConfirmChannel, table: Map<string, Pending>, key: string, req: PublishRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let free!: () => void;
      const entry: Pending = { freed: new Promise<void>((r) => (free = r)) };
      let answered = false;
      const answer = (err?: PublishError) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        answer(new PublishError(`no confirm from the broker within ${this.options.confirmTimeoutMs} ms`, true));
        // A channel that stopped confirming is not trusted again: its unconfirmed publishes fail and it reopens.
        this.managed.reset('publisher confirms timed out');
      }, this.options.confirmTimeoutMs);
      table.set(key, entry);
      const done = (err: unknown) => {
        if (table.get(key) === entry) table.delete(key);
        free();
        if (err) answer(new PublishError(`not confirmed: ${errorText(err)}`, true));
        else if (entry.returned)
          answer(new PublishError(`unroutable: the broker returned it (${entry.returned})`, false));
        else answer();
      };
      try {
        ch.publish(
          req.exchange,
          req.routingKey,
          req.content,
          { ...req.options, mandatory: this.options.mandatory },
          done,
        );
      } catch (err) {
        // Thrown at once: a closed channel (retryable) or a header table too large to encode (not).
        if (table.get(key) === entry) table.delete(key);
        free();
        answer(new PublishError(errorText(err), !(err instanceof RangeError)));
      }
    });
  }
}
