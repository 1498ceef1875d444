/**
 * One ioredis client's link status (connecting / connected / error with the reason), followed by the nodes that use
 * the client. ioredis reconnects on its own; this only translates its events into the kit's StatusCell.
 */
import type { Redis } from 'ioredis';
import { reasonOf } from '../../kit/reason.js';
import { StatusCell } from '../../kit/status-cell.js';
import { withTlsAdvice } from '../../kit/tls-problem.js';
import type { NodeStatus } from '../../spec/runtime-contract.js';

export { reasonOf as errorText };

export class LinkStatus {
  private readonly cell = new StatusCell();
  private lastError: string | undefined;

  constructor(redis: Redis, describe: string) {
    redis.on('ready', () => {
      this.lastError = undefined;
      this.cell.set({ state: 'connected' });
    });
    redis.on('error', (err: unknown) => {
      this.lastError = reasonOf(err);
      // A certificate failure says what to change in the connection (the node's generic advice would not fit).
      this.cell.set({ state: 'error', reason: withTlsAdvice(`${describe}: ${this.lastError}`, err) });
    });
    redis.on('close', () => {
      if (this.cell.status.state === 'connected')
        this.cell.set({ state: 'error', reason: `${describe}: connection lost` });
    });
    redis.on('reconnecting', (delayMs: number) => {
      const after = this.lastError ? ` after: ${this.lastError}` : '';
      this.cell.set({ state: 'connecting', reason: `reconnecting to ${describe} in ${delayMs} ms${after}` });
    });
  }

  get status(): NodeStatus {
    return this.cell.status;
  }

  /** Reports the current status now and every change until the returned function is called. */
  follow(report: (s: NodeStatus) => void): () => void {
    return this.cell.follow(report);
  }
}
