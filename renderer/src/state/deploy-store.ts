/**
 * What a deploy did, per flow, from the click to the runtime's truth after start: saving, then the runtime's own
 * states while the request runs (draining the running revision, starting the new one), then a short wait for the
 * nodes to connect, then the result: which connections are up (and with what), which nodes failed and why.
 */
import { create } from 'zustand';
import type { NodeStatus } from '../../../src/spec/index.js';
import { connectionState } from '../model/connection-state.js';

export type DeployPhase = 'saving' | 'deploying' | 'checking' | 'done';

export interface DeployReport {
  phase: DeployPhase;
  /** The running revision this deploy replaces (drained first), if one ran. */
  replaces?: number | null;
  /** Set once done. */
  tone?: 'success' | 'error' | 'info';
  lines?: string[];
}

interface DeployState {
  byFlow: Record<string, DeployReport>;
  set(flowKey: string, report: DeployReport | undefined): void;
}

export const useDeploy = create<DeployState>()((set, get) => ({
  byFlow: {},
  set: (flowKey, report) => {
    const next = { ...get().byFlow };
    if (report) next[flowKey] = report;
    else delete next[flowKey];
    set({ byFlow: next });
  },
}));

export interface DeployedShape {
  nodes: Array<{ id: string; name?: string; type: string; connections: string[] }>;
  connections: Array<{ id: string; name?: string }>;
}

/** True while some node is still on its way up (no final state yet). */
export function settling(shape: DeployedShape, statuses: Record<string, NodeStatus>): boolean {
  return shape.nodes.some((n) => {
    const status = statuses[n.id];
    const s = status?.state;
    // Idle with a reason is a final state (a debug node switched off, a generator done), not one on its way up.
    return s === undefined || (s === 'idle' && status?.reason === undefined) || s === 'connecting';
  });
}

/** The result in words: connections up or down (and why), nodes in error. */
export function summarise(
  shape: DeployedShape,
  statuses: Record<string, NodeStatus>,
  revision: number | null,
): Pick<DeployReport, 'tone' | 'lines'> {
  const lines: string[] = [];
  const failed = shape.nodes.filter((n) => statuses[n.id]?.state === 'error');
  const connecting = shape.nodes.filter((n) => statuses[n.id]?.state === 'connecting');
  const up: string[] = [];
  const down: string[] = [];
  for (const c of shape.connections) {
    const users = shape.nodes.filter((n) => n.connections.includes(c.id)).map((n) => ({ id: n.id, name: n.name }));
    if (users.length === 0) continue;
    const st = connectionState(users, statuses);
    const label = c.name ?? c.id;
    if (st.state === 'up') up.push(`${label} ${st.text}`);
    else if (st.state === 'down') down.push(`${label} is ${st.text}`);
  }
  const rev = revision === null ? '' : ` revision ${revision}`;
  if (failed.length === 0 && connecting.length === 0) {
    lines.push(`Running${rev}.`);
    if (up.length) lines.push(`Connections up: ${up.join('; ')}.`);
    return { tone: 'success', lines };
  }
  lines.push(
    failed.length
      ? `Running${rev}, but ${failed.length} node${failed.length === 1 ? '' : 's'} cannot work yet (they keep retrying):`
      : `Running${rev}; still connecting after the wait:`,
  );
  for (const n of failed) lines.push(`${n.name ?? n.id}: ${statuses[n.id]?.reason ?? 'error'}`);
  for (const n of connecting) lines.push(`${n.name ?? n.id}: still connecting`);
  for (const d of down) lines.push(d);
  if (up.length) lines.push(`Up: ${up.join('; ')}.`);
  return { tone: failed.length ? 'error' : 'info', lines };
}
