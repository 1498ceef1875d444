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
}

export interface RuntimeInfo {
  /** The deployed flow; kept after a stop (then `state` is `stopped`). */
  flowId?: string | null;
  state?: 'running' | 'stopped' | string;
  statuses?: Record<string, NodeStatus>;
  counters?: Record<string, Counters>;
}

export interface DebugEntry {
  seq: number;
  time: number | string;
  nodeId: string;
  id?: string;
  topic?: string;
  headers?: Record<string, string>;
  payload: unknown;
  truncated?: boolean;
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
  | ({ type: 'status'; nodeId: string } & NodeStatus)
  | { type: 'counters'; flowId: string | null; counters: Record<string, Counters> }
  | { type: 'debug'; entry: DebugEntry }
  | { type: 'debug-dropped'; count: number }
  | { type: 'deployed'; flowId: string }
  | { type: 'stopped' }
  | { type: 'flow-saved'; id: string; revision: Revision }
  | { type: 'flow-deleted'; id: string };

export type { FlowDocument, Problem };
