/**
 * One ioredis client's link status (connecting / connected / error with the reason), followed by the nodes that use
 * the client. ioredis reconnects on its own; this only translates its events.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { NodeStatus } from '../../spec/runtime-contract.js';

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export class LinkStatus {
  private readonly events = new EventEmitter();
  private current: NodeStatus = { state: 'connecting' };
  private lastError: string | undefined;

  constructor(redis: Redis, describe: string) {
    this.events.setMaxListeners(0);
    redis.on('ready', () => {
      this.lastError = undefined;
      this.set({ state: 'connected' });
    });
    redis.on('error', (err: unknown) => {
      this.lastError = errorText(err);
      this.set({ state: 'error', reason: `${describe}: ${this.lastError}` });
    });
    redis.on('close', () => {
      if (this.current.state === 'connected') this.set({ state: 'error', reason: `${describe}: connection lost` });
    });
    redis.on('reconnecting', (delayMs: number) => {
      const after = this.lastError ? ` after: ${this.lastError}` : '';
      this.set({ state: 'connecting', reason: `reconnecting to ${describe} in ${delayMs} ms${after}` });
    });
  }

  get status(): NodeStatus {
    return this.current;
  }

  /** Reports the current status now and every change until the returned function is called. */
  follow(report: (s: NodeStatus) => void): () => void {
    report(this.current);
    this.events.on('status', report);
    return () => this.events.off('status', report);
  }

  private set(next: NodeStatus): void {
    if (next.state === this.current.state && next.reason === this.current.reason) return;
    this.current = next;
    this.events.emit('status', next);
  }
}
