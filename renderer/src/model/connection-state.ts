/**
 * A connection's state in the running flow, read from the nodes that use it (each reports its client's state):
 * down when one of them is in error (with its reason), connecting, up, or unknown (not running, or unused).
 */
import type { NodeStatus } from '../../../src/spec/index.js';

export interface ConnectionState {
  state: 'up' | 'down' | 'connecting' | 'unknown';
  /** In words, for the panel. */
  text: string;
}

export function connectionState(
  users: Array<{ id: string; name?: string }>,
  statuses: Record<string, NodeStatus> | undefined,
): ConnectionState {
  if (!statuses) return { state: 'unknown', text: 'not running' };
  if (users.length === 0) return { state: 'unknown', text: 'not used by any node' };
  const of = users.map((u) => ({ u, s: statuses[u.id] })).filter((x) => x.s !== undefined);
  const failed = of.find((x) => x.s?.state === 'error');
  if (failed) {
    return { state: 'down', text: `down: ${failed.s?.reason ?? 'error'} (${failed.u.name ?? failed.u.id})` };
  }
  if (of.some((x) => x.s?.state === 'connecting')) return { state: 'connecting', text: 'connecting…' };
  const up = of.find((x) => x.s?.state === 'connected' || x.s?.state === 'running');
  if (up) return { state: 'up', text: up.s?.reason ? `connected (${up.s.reason})` : 'connected' };
  return { state: 'unknown', text: of[0]?.s?.state ?? 'not started' };
}
