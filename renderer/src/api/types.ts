/** Shapes of the admin API (src/server), as the editor reads them. */
import type { FlowDocument, Problem } from '../../../src/flow/index.js';
import type { NodeStatus } from '../../../src/spec/index.js';

export type Revision = string | number;

export interface FlowSummary {
  id: string;
  name?: string;
  revision: Revision;
  deployed: boolean;
}

export interface Counters {
  in: number;
  out: number;
  failed: number;
  dropped: number;
  inFlight: number;
  acked?: number;
  nacked?: number;
  retries?: number;
}

export type FlowRunState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** One flow the runtime knows (GET /api/runtime lists them). */
export interface FlowRunInfo {
  flowId: string;
  name?: string;
  revision: number | null;
  state: FlowRunState;
  /** Why the last deploy failed. */
  error?: string;
  statuses: Record<string, NodeStatus>;
  counters: Record<string, Counters>;
  lastFailures?: Record<string, LastFailure>;
}

export interface RuntimeInfo {
  flows: FlowRunInfo[];
}

export interface DebugEntry {
  /** The flow whose debug node kept it (set from the live feed). */
  flowId?: string;
  seq: number;
  time: number | string;
  nodeId: string;
  id?: string;
  topic?: string;
  headers?: Record<string, string>;
  payload: unknown;
  truncated?: boolean;
  /** Set when the entry is a message that failed at `nodeId` (not one a debug node kept). */
  failure?: Pick<FailureEntry, 'reason' | 'kind' | 'fate'>;
  /** Set when the entry is a sample from a watched wire (the output `port` of `nodeId`). */
  tap?: { port: string; skipped: number };
}

/** A message that failed at a node (from the live feed). */
export interface FailureEntry {
  seq: number;
  time: number;
  nodeId: string;
  reason: string;
  kind: 'deterministic' | 'transient';
  fate: 'error-port' | 'error-route' | 'redelivered' | 'acknowledged' | 'dropped';
  id: string;
  topic?: string;
  payload: unknown;
  truncated: boolean;
}

export interface LastFailure {
  reason: string;
  time: number;
}

export interface TryStep {
  nodeId: string;
  port: string;
  message: { payload: unknown; topic?: string; key?: string; headers?: Record<string, string> };
}

export interface TryResult {
  /** What each node emitted, in order; a failure shows as port `error`. */
  steps: TryStep[];
  /** What sinks (recording stand-ins) and debug nodes received. */
  delivered?: TryStep[];
  /** Why the message did not complete. */
  error?: string;
  truncated?: boolean;
}

export type LiveEvent =
  | ({ type: 'status'; flowId: string; nodeId: string } & NodeStatus)
  | {
      type: 'counters';
      flowId: string;
      counters: Record<string, Counters>;
      lastFailures?: Record<string, LastFailure>;
    }
  | { type: 'failure'; flowId: string; entry: FailureEntry }
  | { type: 'tap'; flowId: string; entry: import('../state/taps.js').TapEntry }
  | { type: 'debug'; flowId: string; entry: DebugEntry }
  | { type: 'debug-dropped'; count: number }
  | { type: 'flow-state'; flowId: string; state: FlowRunState; revision: number | null; error?: string }
  | { type: 'deployed'; flowId: string; revision: number }
  | { type: 'stopped'; flowId: string }
  | { type: 'flow-saved'; id: string; revision: Revision }
  | { type: 'flow-deleted'; id: string };

export type { FlowDocument, Problem };
