/**
 * Shapes of the admin API as the server declares them (src/server/protocol.ts, types only), under the names the
 * editor uses. Never re-declare a server shape here: they drift.
 */
import type { FlowDocument, Problem } from '../../../src/flow/index.js';
import type {
  FlowRunState,
  FlowRuntimeView,
  FlowSummary,
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
/** A debug entry, with the flow it came from (set from the live feed). */
export type DebugEntry = ServerDebugEntry & { flowId?: string };
export type LiveEvent = ServerMessage;

export type { FlowDocument, FlowRunState, FlowSummary, Problem, TryResult, TryStep };
