/**
 * A sink's status: connecting until the database first answers, connected while writes land, error with the
 * reason while it is unreachable or refuses writes. While it is down a probe reconnects with backoff, so the
 * status turns back to connected even when no message arrives to try.
 */
import { backoffDelay, sleep } from '../../kit/retry.js';
import { StatusReporter } from '../../kit/status.js';
import type { NodeStatus } from '../../spec/runtime-contract.js';

export interface HealthOptions {
  status: (s: NodeStatus) => void;
  signal: AbortSignal;
  /** One round trip that proves the database is usable (and prepares it, e.g. creates the table). */
  probe: () => Promise<void>;
  describe: (err: unknown) => string;
  baseMs: number;
  maxMs: number;
}

export class Health {
  private readonly reporter: StatusReporter;
  private probing = false;

  constructor(private readonly o: HealthOptions) {
    this.reporter = new StatusReporter(o.status, o.signal);
  }

  start(): void {
    this.set('connecting');
    void this.reconnect();
  }

  ok(): void {
    this.set('connected');
  }

  /** Unreachable: report and keep probing until it answers. */
  down(reason: string): void {
    this.set('error', `database unreachable, retrying: ${reason}`);
    void this.reconnect();
  }

  /** Reachable but refusing writes (no such table, no permission): report; the next good write clears it. */
  refused(reason: string): void {
    this.set('error', reason);
  }

  private set(state: NodeStatus['state'], reason?: string): void {
    this.reporter.set(state, reason);
  }

  private async reconnect(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      for (let attempt = 1; !this.o.signal.aborted; attempt++) {
        try {
          await this.o.probe();
          this.ok();
          return;
        } catch (err) {
          this.set('error', this.o.describe(err));
          await sleep(backoffDelay(attempt, this.o.baseMs, this.o.maxMs), this.o.signal);
        }
      }
    } finally {
      this.probing = false;
    }
  }
}
