/**
 * One node's channel on the shared connection, kept open: created, set up (declare, bind, prefetch, consume),
 * and created and set up again with backoff whenever it closes (connection lost, a channel error from the broker,
 * a reset). Each channel gets a new generation number: work tied to a dead channel (an unacked delivery, an
 * unconfirmed publish) is recognised by its generation and never touches the next channel.
 */
import { EventEmitter } from 'node:events';
import type { Channel } from 'amqplib';
import { finishedWithin } from '../../kit/bounded.js';
import { backoffDelay, sleep } from '../../kit/retry.js';
import type { Logger } from '../../spec/runtime-contract.js';
import type { AmqpClient } from './client.js';
import { errorText, type LinkStatus, sameStatus } from './link-status.js';

export interface ManagedChannelOptions<C extends Channel> {
  /** A confirm channel (publisher confirms) or a plain one. */
  confirm: boolean;
  /** Runs on every new channel before it is used. Throw to close it and retry later. */
  setup: (channel: C, generation: number) => Promise<void>;
  log: Logger;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export class ManagedChannel<C extends Channel> extends EventEmitter<{ status: [LinkStatus] }> {
  status: LinkStatus = { state: 'connecting' };
  /** The open, set-up channel; undefined while (re)opening. */
  channel: C | undefined;
  /** Generation of the newest channel; deliveries and publishes carry the one they came from. */
  generation = 0;
  private liveGeneration = 0;
  private closed = false;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;
  /** The newest channel from its creation until it closes, set up or not. */
  private opened: C | undefined;
  /** Why the current channel is going away, when we know better than amqplib (a reset). */
  private lossReason: string | undefined;

  constructor(
    private readonly client: AmqpClient,
    private readonly options: ManagedChannelOptions<C>,
  ) {
    super();
  }

  /**
   * Begins opening; resolves once the first attempt succeeded or failed, or the connection's first attempt failed
   * (retries go on in the background): a broker that is down must not hold up the flow's start.
   */
  start(): Promise<void> {
    return new Promise((resolve) => {
      const onClientStatus = (s: LinkStatus) => {
        if (s.state !== 'connected' && s.reason !== undefined) done();
      };
      const done = () => {
        this.client.off('status', onClientStatus);
        resolve();
      };
      this.client.on('status', onClientStatus);
      onClientStatus(this.client.status);
      this.loop = this.run(done);
    });
  }

  /** True while the channel of `generation` is open: only then may its deliveries be acked or nacked. */
  isLive(generation: number): boolean {
    return generation !== 0 && generation === this.liveGeneration;
  }

  /** Close the current channel (it will be opened and set up again), e.g. after the broker cancelled a consumer. */
  reset(reason: string): void {
    const ch = this.channel;
    if (!ch) return;
    this.options.log.warn({ reason }, 'AMQP channel reset');
    this.channel = undefined;
    this.lossReason = reason;
    ch.close().catch(() => undefined);
  }

  /** Close for good. Bounded: a broker that stopped answering must not hold up the flow's stop. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopper.abort();
    const ch = this.opened;
    this.channel = undefined;
    const closing = (async () => {
      // Closing also ends a set-up in progress: its pending calls fail.
      if (ch) await ch.close().catch(() => undefined);
      await this.loop;
    })();
    if (!(await finishedWithin(closing, timeoutMs))) {
      this.options.log.warn({ timeoutMs }, 'AMQP channel did not close in time; the connection close ends it');
    }
  }

  private async run(firstAttemptDone: () => void): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      let ch: C | undefined;
      try {
        ch = await this.openChannel();
        if (!ch) break;
        this.opened = ch;
        if (this.closed) break; // closed meanwhile: the channel is closed after the loop
        const generation = ++this.generation;
        this.liveGeneration = generation;
        this.lossReason = undefined;
        const lost = this.whenClosed(ch, generation);
        await this.options.setup(ch, generation);
        if (!this.isLive(generation)) throw new Error(this.lossReason ?? 'the channel closed during set-up');
        this.channel = ch;
        attempt = 0;
        this.set({ state: 'connected' });
        firstAttemptDone();
        const reason = await lost;
        if (this.channel === ch) this.channel = undefined;
        if (this.closed) break;
        this.options.log.warn({ reason }, 'AMQP channel closed');
        this.set({ state: 'error', reason: `channel closed: ${reason}` });
      } catch (err) {
        if (this.channel === ch) this.channel = undefined;
        ch?.close().catch(() => undefined);
        if (this.closed) break;
        const reason = this.lossReason ?? errorText(err);
        this.options.log.warn({ err: reason }, 'AMQP channel set-up failed');
        this.set({ state: 'error', reason });
        firstAttemptDone();
      }
      if (this.closed) break;
      attempt++;
      const delay = backoffDelay(attempt, this.options.retryBaseMs ?? 200, this.options.retryMaxMs ?? 10_000);
      this.set({ state: 'connecting', reason: `retry ${attempt} in ${delay} ms after: ${this.status.reason}` });
      await sleep(delay, this.stopper.signal);
    }
    if (this.opened) this.opened.close().catch(() => undefined);
    firstAttemptDone();
  }

  /**
   * A new channel, or undefined once this is closed: amqplib waits for the connection without a bound, and a node
   * stopping while the broker is down must not wait with it.
   */
  private openChannel(): Promise<C | undefined> {
    const signal = this.stopper.signal;
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      this.client.channel(this.options.confirm).then(
        (ch) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) {
            ch.close().catch(() => undefined);
            resolve(undefined);
          } else resolve(ch as C);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  /** Resolves with the reason once `ch` closes (broker error, lost connection, reset or close). */
  private whenClosed(ch: C, generation: number): Promise<string> {
    return new Promise((resolve) => {
      let reason: string | undefined;
      // amqplib emits 'error' (with the broker's reply) before 'close'; without a listener it would throw.
      ch.on('error', (err: Error) => {
        reason = errorText(err);
      });
      ch.once('close', () => {
        if (this.liveGeneration === generation) this.liveGeneration = 0;
        if (this.opened === ch) this.opened = undefined;
        this.lossReason ??= reason;
        resolve(this.lossReason ?? reason ?? (this.client.isClosed ? 'connection closed' : 'connection lost'));
      });
    });
  }

  private set(status: LinkStatus): void {
    if (sameStatus(status, this.status)) return;
    this.status = status;
    this.emit('status', status);
  }
}
