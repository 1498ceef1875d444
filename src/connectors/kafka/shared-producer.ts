/**
 * The producer a connection shares between its kafka-out nodes. It connects in the background with backoff and
 * reports its status; while it is not connected a send fails at once (retriable), so nothing queues up here: the
 * nodes' retry budgets decide how long a message may wait.
 */
import { backoffDelay } from '../../kit/retry.js';
import { StatusCell } from '../../kit/status-cell.js';
import type { Logger } from '../../spec/runtime-contract.js';
import { DriverError, type OutRecord, type ProducerDriver, type SendOptions } from './driver.js';

export interface ProducerBackoff {
  baseMs: number;
  maxMs: number;
}

export class SharedProducer {
  readonly status = new StatusCell();
  private connected = false;
  private closed = false;
  private firstAttempt: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly driver: ProducerDriver,
    private readonly backoff: ProducerBackoff,
    private readonly log: Logger,
  ) {}

  /** Starts connecting (once); resolves after the first attempt, whatever its outcome. */
  start(): Promise<void> {
    this.firstAttempt ??= this.attempt();
    return this.firstAttempt;
  }

  async send(records: OutRecord[], options: SendOptions): Promise<void> {
    if (!this.connected) {
      throw new DriverError(`not connected: ${this.status.status.reason ?? 'connecting'}`, true);
    }
    try {
      await this.driver.send(records, options);
    } catch (err) {
      // A retriable failure is the link's (broker away, leader moving); any other is the message's own problem.
      if (err instanceof DriverError && err.retriable) this.status.set({ state: 'error', reason: err.message });
      throw err;
    }
    this.status.set({ state: 'connected' });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.firstAttempt;
    if (this.connected) {
      this.connected = false;
      await this.driver.disconnect().catch((err: unknown) => {
        this.log.debug({ err: String(err) }, 'kafka producer disconnect failed');
      });
    }
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      await this.driver.connect();
      if (this.closed) {
        await this.driver.disconnect().catch(() => undefined);
        return;
      }
      this.connected = true;
      this.failures = 0;
      this.status.set({ state: 'connected' });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.status.set({ state: 'error', reason });
      const delay = backoffDelay(++this.failures, this.backoff.baseMs, this.backoff.maxMs);
      this.log.warn({ err: reason, retryInMs: delay }, 'kafka producer cannot connect; retrying');
      if (!this.closed) this.timer = setTimeout(() => void this.attempt(), delay);
    }
  }
}
