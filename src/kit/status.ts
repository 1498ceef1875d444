/**
 * A node's status reports, told once per change: repeating the same state and reason (a probe failing the same way
 * every second) would flood the editor's live feed and the log.
 */
import type { NodeStatus } from '../spec/runtime-contract.js';

export type StatusState = NodeStatus['state'];

export class StatusReporter {
  private state: StatusState | undefined;
  private reason: string | undefined;

  /** `signal`: once aborted (the node stopped), nothing more is reported. */
  constructor(
    private readonly report: (status: NodeStatus) => void,
    private readonly signal?: AbortSignal,
  ) {}

  /** Reports `state` (and `reason`, when there is one) unless it is what was reported last. */
  set(state: StatusState, reason?: string): void {
    if (this.signal?.aborted || (state === this.state && reason === this.reason)) return;
    this.state = state;
    this.reason = reason;
    this.report(reason === undefined ? { state } : { state, reason });
  }

  /** The last state reported (undefined before the first). */
  get current(): StatusState | undefined {
    return this.state;
  }
}
