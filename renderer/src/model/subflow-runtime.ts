/**
 * A use of a subflow while the flow runs: the runtime reports the nodes inside it (`use:node`), the use shows their
 * sum as one node would: in = messages into the nodes its inputs feed, out = messages out of the nodes that feed its
 * outputs, failed and dropped = all of its nodes'; its status is the worst of theirs (an error first, with its reason).
 * Pure; the numbers are plain fields so that a caller can compare them shallowly.
 */
import { type FlowSubflow, SUBFLOW_IN, SUBFLOW_OUT } from '../../../src/flow/index.js';
import type { NodeState, NodeStatus } from '../../../src/spec/index.js';

interface Counts {
  in: number;
  out: number;
  failed: number;
  dropped: number;
}

export interface UseRuntime {
  state?: NodeState;
  reason?: string;
  in: number;
  out: number;
  failed: number;
  dropped: number;
  /** Whether the runtime reported any of its nodes (false: nothing to show). */
  seen: boolean;
}

const RANK: Record<NodeState, number> = { error: 5, connecting: 4, stopped: 3, idle: 2, connected: 1, running: 0 };

export function runtimeOfUse(
  useId: string,
  def: FlowSubflow,
  statuses: Readonly<Record<string, NodeStatus>>,
  counters: Readonly<Record<string, Counts>>,
): UseRuntime {
  const entry = new Set((def.edges ?? []).filter((e) => e.source === SUBFLOW_IN).map((e) => e.target));
  const exit = new Set((def.edges ?? []).filter((e) => e.target === SUBFLOW_OUT).map((e) => e.source));
  const out: UseRuntime = { in: 0, out: 0, failed: 0, dropped: 0, seen: false };
  for (const n of def.nodes ?? []) {
    const id = `${useId}:${n.id}`;
    const c = counters[id];
    if (c) {
      out.seen = true;
      if (entry.has(n.id)) out.in += c.in;
      if (exit.has(n.id)) out.out += c.out;
      out.failed += c.failed;
      out.dropped += c.dropped;
    }
    const s = statuses[id];
    if (s && (out.state === undefined || RANK[s.state] > RANK[out.state])) {
      out.seen = true;
      out.state = s.state;
      out.reason = s.reason;
    }
  }
  return out;
}
