/**
 * Shapes of the admin API as the server declares them (src/server/protocol.ts, types only), under the names the
 * editor uses. Never re-declare a server shape here: they drift.
 */
import type { FlowDocument, Problem } from '../../../src/flow/index.js';
import type {
  FailureEntry,
  FlowRunState,
  FlowRuntimeView,
  FlowSummary,
  LastFailure,
  NodeCounters,
  RuntimeView,
  DebugEntry as ServerDebugEntry,
  ServerMessage,
  TryResult,
  TryStep,
} from '../../../src/server/protocol.js';

/** A flow's store revision. */
export type Revision = FlowSummary['revision'];
export type Counters = NodeCounters;
/** One flow the runtime knows (GET /api/runtime lists them). */
export type FlowRunInfo = FlowRuntimeView;
export type RuntimeInfo = RuntimeView;
/**
 * An entry of the debug panel: a message a debug node kept (the server's DebugEntry), a message that failed at a node
 * (`failure`), or a sample from a watched wire (`tap`); with the flow it came from (set from the live feed).
 */
export type DebugEntry = Omit<ServerDebugEntry, 'id' | 'headers' | 'truncated' | 'time'> & {
  flowId?: string;
  id?: string;
  time: number | string;
  headers?: Record<string, string>;
  truncated?: boolean;
  /** Set when the entry is a message that failed at `nodeId` (not one a debug node kept). */
  failure?: Pick<FailureEntry, 'reason' | 'kind' | 'fate'>;
  /** Set when the entry is a sample from a watched wire (the output `port` of `nodeId`). */
  tap?: { port: string; skipped: number };
};
export type LiveEvent = ServerMessage;

export type { FailureEntry, FlowDocument, FlowRunState, FlowSummary, LastFailure, Problem, TryResult, TryStep };
