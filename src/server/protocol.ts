/**
 * The admin API's shapes, types only: the editor may `import type` from here (see API.md).
 * Nothing in this file runs, so it is safe for the browser bundle.
 */
import type { Problem } from '../flow/problem.js';
import type { NodeCounters } from '../runtime/counters.js';
import type { Message, WireHeaders } from '../spec/message.js';
import type { NodeStatus } from '../spec/runtime-contract.js';

export type { NodeCounters };

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

/** A flow's lifecycle in the runtime (the same names as the flow manager's). */
export type FlowRunState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** One flow the runtime knows: running, starting, stopping, failed, or stopped (its last counters stay readable). */
export interface FlowRuntimeView {
  flowId: string;
  name?: string;
  /** The store revision that runs (or ran, or failed to start); null for a flow that did not come from the store. */
  revision: number | null;
  state: FlowRunState;
  /** Why the last deploy failed: set while `state` is `failed`, and after a failed redeploy whose previous revision runs again. */
  error?: string;
  statuses: Record<string, NodeStatus>;
  counters: Record<string, NodeCounters>;
  /** Each node's most recent failure (nodes that never failed are absent). */
  lastFailures?: Record<string, LastFailure>;
}

export interface RuntimeView {
  /** Every flow the runtime knows, sorted by id. */
  flows: FlowRuntimeView[];
}

/** The reply of a stop: the engine's stop report. */
export interface StopReply {
  stopped: true;
  flowId: string;
  nackedAtDeadline: number;
  durationMs: number;
  notStopped: string[];
}

/** One message a debug node kept (nodes/debug/runtime.ts), as the live feed and its snapshot send it. */
export interface DebugEntry {
  seq: number;
  time: number;
  nodeId: string;
  id: string;
  topic?: string;
  key?: string;
  headers: Record<string, string>;
  /** The headers as received, when the source had any. */
  wire?: WireHeaders;
  payload: unknown;
  /** True when the payload was cut to the node's maxPayloadBytes (then `payload` is the cut JSON text). */
  truncated: boolean;
}

/** The reply of an inject: how the message ended: delivered (every path ended, a filter's drop included), or failed and why. */
export interface InjectReply {
  flowId: string;
  nodeId: string;
  messageId: string;
  outcome: 'delivered' | 'failed';
  /** Why it failed. */
  reason?: string;
}

/** The reply of switching a node on or off in a running flow. */
export interface ActiveReply {
  flowId: string;
  nodeId: string;
  active: boolean;
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

/** A message that failed at a node, as the live feed reports it (sampled like debug entries). */
export interface FailureEntry {
  /** Per server, increasing: identifies the entry. */
  seq: number;
  time: number;
  nodeId: string;
  reason: string;
  kind: 'deterministic' | 'transient';
  /** What became of the message: sent to the error port or route, redelivered (nacked), acknowledged, or dropped. */
  fate: 'error-port' | 'error-route' | 'redelivered' | 'acknowledged' | 'dropped';
  /** The message's id. */
  id: string;
  topic?: string;
  /** The payload, cut to a preview (then `truncated`, and a cut JSON text). */
  payload: unknown;
  truncated: boolean;
}

/** A sampled message on a watched output (a tapped wire), as the live feed reports it. */
export interface TapEntry {
  seq: number;
  time: number;
  /** The output watched: the message left `nodeId` on `port`. */
  nodeId: string;
  port: string;
  id: string;
  topic?: string;
  headers: Record<string, string>;
  payload: unknown;
  truncated: boolean;
  /** Messages on this output not sampled since the previous sample (bounded sampling). */
  skipped: number;
}

/** The outputs a running flow's taps watch. */
export interface TapsReply {
  flowId: string;
  taps: Array<{ nodeId: string; port: string }>;
}

/** A node's most recent failure. */
export interface LastFailure {
  reason: string;
  time: number;
}

/** Server -> editor messages on the WebSocket. Everything about a running flow names it (`flowId`). */
export type ServerMessage =
  | ({ type: 'status'; flowId: string; nodeId: string } & NodeStatus)
  | {
      type: 'counters';
      flowId: string;
      counters: Record<string, NodeCounters>;
      /** Each node's most recent failure, for nodes that failed since the flow started. */
      lastFailures?: Record<string, LastFailure>;
    }
  | { type: 'failure'; flowId: string; entry: FailureEntry }
  | { type: 'tap'; flowId: string; entry: TapEntry }
  | { type: 'debug'; flowId: string; entry: DebugEntry }
  | { type: 'debug-dropped'; count: number }
  | { type: 'flow-state'; flowId: string; state: FlowRunState; revision: number | null; error?: string }
  | { type: 'deployed'; flowId: string; revision: number }
  | { type: 'stopped'; flowId: string }
  | { type: 'flow-saved'; id: string; revision: number }
  | { type: 'flow-deleted'; id: string };

// ---- the MQTT topic browser (src/server/mqtt-browse.ts) ----

export type ValueFormat = 'json' | 'text' | 'sparkplug' | 'bytes';

export interface TopicView {
  topic: string;
  count: number;
  /** Messages per second over the last arrivals (up to 10 s). */
  ratePerSecond: number;
  lastAt: number;
  /** Size of the last payload in bytes. */
  size: number;
  retained: boolean;
  format: ValueFormat;
  /** The last payload decoded: a JSON value, text, the Sparkplug payload, or base64 for bytes. */
  value: unknown;
  /** The last payload was longer than the kept part, or was not kept (the session's byte cap). */
  truncated: boolean;
}

export interface BrowseView {
  id: string;
  filter: string;
  connected: boolean;
  error?: string;
  messages: number;
  /** Topics seen beyond maxTopics: counted here, not tracked. */
  untrackedTopics: number;
  topics: TopicView[];
}
