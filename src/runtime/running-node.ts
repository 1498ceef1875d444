/** A node of a running flow as the engine keeps it: its runtime, routes, counters, status, source window, logger. */
import type { FlowNode } from '../flow/document.js';
import type { NodeMeter } from '../kit/meter.js';
import type { FailureKind } from '../spec/failure.js';
import { ERROR_PORT, type NodeDefinition, outputPorts } from '../spec/node-definition.js';
import type { NodeRuntime, NodeStatus } from '../spec/runtime-contract.js';
import { type NodeCounters, newCounters } from './counters.js';
import type { SourceWindow } from './lineage.js';
import { type SluiceLogger, silentLogger } from './log.js';

/** A node's logger until the engine binds its own (one shared instance). */
const NO_LOG = silentLogger();

/**
 * One watched output: a token bucket refilled by a timer, so a busy wire costs a map lookup and a comparison per
 * message, and a copy per sample only (no clock read, no allocation on the message path).
 */
export interface Tap {
  tokens: number;
  /** Samples per second (and the burst). */
  rate: number;
  /** Messages not sampled since the last sample (the editor says "n more not shown"). */
  skipped: number;
}

/** A node's most recent failure (the editor's properties panel shows it). */
export interface LastFailure {
  reason: string;
  time: number;
}

/** One end of an edge: a node and its input port. */
export interface Target {
  node: RunningNode;
  port: string;
}

export class RunningNode {
  runtime: NodeRuntime = {};
  readonly routes = new Map<string, Target[]>();
  readonly counters: NodeCounters = newCounters();
  status: NodeStatus = { state: 'idle' };
  window: SourceWindow | undefined;
  /** Where the lineages of messages it derives from held inputs count (window, join: see held.ts). */
  derived: SourceWindow | undefined;
  readonly abort = new AbortController();
  /** Nodes without outputs (sinks) count a completed handle as delivered. */
  readonly terminal: boolean;
  readonly firstInput: string | undefined;
  readonly firstOutput: string;
  /** Output ports the node type declares for this config (without `error`). */
  readonly outputs: ReadonlySet<string>;
  failureLogs = 0;
  failureLogWindow = 0;
  lastFailure: LastFailure | undefined;
  /** Watched outputs of this node, by port (undefined: none, the usual case). */
  taps: Map<string, Tap> | undefined;
  /** Failure log lines left out by the rate limit since the last one written. */
  failureLogsSkipped = 0;
  /** The kind of an error this node throws without marking it (see spec/failure.ts): a sink's may pass, a transform's not. */
  readonly failureKind: FailureKind;
  /** A sink: its per-message failures are worded in the one error pattern (message-path.ts). */
  readonly sink: boolean;
  /** Set by the engine: what the kit's batcher and retries report to (see meter.ts). */
  meter: NodeMeter | undefined;
  /** Bound once to the flow, node id and type: every line about this node goes through it. */
  log: SluiceLogger = NO_LOG;

  constructor(
    readonly spec: FlowNode,
    readonly def: NodeDefinition,
    readonly config: Record<string, unknown>,
  ) {
    const outs = outputPorts(def, config).filter((p) => p.name !== ERROR_PORT);
    this.terminal = outs.length === 0;
    this.firstOutput = outs[0]?.name ?? 'out';
    this.outputs = new Set(outs.map((p) => p.name));
    this.firstInput = def.inputs[0]?.name;
    this.sink = def.category === 'sink';
    this.failureKind = this.sink ? 'transient' : 'deterministic';
  }

  get id(): string {
    return this.spec.id;
  }
}

/** A copy of a node's counters; a source's come from its window. */
export function countersOf(n: RunningNode): NodeCounters {
  const out: NodeCounters = { ...n.counters };
  if (n.window) {
    out.acked = n.window.acked;
    out.nacked = n.window.nacked;
    out.inFlight = n.window.inFlight;
  }
  return out;
}
