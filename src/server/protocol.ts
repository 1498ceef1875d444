/**
 * The admin API's shapes, types only: the editor may `import type` from here (see API.md).
 * Nothing in this file runs, so it is safe for the browser bundle.
 */
import type { Problem } from '../flow/problem.js';
import type { NodeCounters } from '../runtime/counters.js';
import type { Message } from '../spec/message.js';
import type { NodeStatus } from '../spec/runtime-contract.js';

export interface ApiErrorBody {
  error: { code: string; message: string; problems?: Problem[] };
}

export interface FlowSummary {
  id: string;
  name: string;
  revision: number;
  deployed: boolean;
}

export interface SavedFlow {
  id: string;
  revision: number;
  /** Validation of what was saved (drafts may have errors). */
  problems: Problem[];
}

export interface RuntimeView {
  /** The deployed flow (kept after a stop so its last counters stay readable), or null. */
  flowId: string | null;
  /** The store revision that was deployed, or null. */
  revision: number | null;
  state: 'stopped' | 'running';
  statuses: Record<string, NodeStatus>;
  counters: Record<string, NodeCounters>;
}

export interface TryStep {
  nodeId: string;
  port: string;
  message: Message;
}

export interface TryResult {
  /** What each node emitted, in order; a failure shows as port `error` with the reason in the `sluice-error` header. */
  steps: TryStep[];
  /** What the recording stand-ins (sources and sinks) and debug nodes received, `port` being their input port. */
  delivered: TryStep[];
  /** Why the message did not complete: a node failure no error route took, the time or step limit. */
  error?: string;
  /** True when the step limit cut the run short. */
  truncated?: boolean;
}

/** Server -> editor messages on the WebSocket. */
export type ServerMessage =
  | ({ type: 'status'; nodeId: string } & NodeStatus)
  | { type: 'counters'; flowId: string | null; counters: Record<string, NodeCounters> }
  | { type: 'debug'; entry: unknown }
  | { type: 'debug-dropped'; count: number }
  | { type: 'deployed'; flowId: string; revision: number }
  | { type: 'stopped' }
  | { type: 'flow-saved'; id: string; revision: number }
  | { type: 'flow-deleted'; id: string };
