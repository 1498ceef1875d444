/** A link's status (connecting / connected / error with the reason) that several nodes can follow (a shared client). */
import { EventEmitter } from 'node:events';
import type { NodeStatus } from '../spec/runtime-contract.js';

export class StatusCell {
  private readonly events = new EventEmitter();
  private current: NodeStatus = { state: 'connecting' };

  constructor() {
    // Every node on a shared producer follows it.
    this.events.setMaxListeners(0);
  }

  get status(): NodeStatus {
    return this.current;
  }

  set(next: NodeStatus): void {
    if (next.state === this.current.state && next.reason === this.current.reason) return;
    this.current = next;
    this.events.emit('status', next);
  }

  /** Reports the current status now and every change until the returned function is called. */
  follow(report: (s: NodeStatus) => void): () => void {
    report(this.current);
    this.events.on('status', report);
    return () => this.events.off('status', report);
  }
}
