/**
 * The engine's side of held inputs (see src/kit/hold.ts): the lineage a message derived from held inputs travels on.
 */
import type { Held, Settle } from '../spec/runtime-contract.js';
import { Lineage, type SourceWindow } from './lineage.js';

/** The window a node's derived lineages count in: unbounded (their inputs already count against their sources). */
export function derivedWindow(nodeId: string): SourceWindow {
  return { source: nodeId, max: Number.POSITIVE_INFINITY, inFlight: 0, ingested: 0, acked: 0, nacked: 0, waiters: [] };
}

/**
 * The lineage of a message derived from held inputs: each input is retained now and released with the lineage's
 * outcome when it settles. The engine opens it (in flight, live) and dispatches the message on it.
 */
export function derivedLineage(window: SourceWindow, from: readonly Held[]): Lineage {
  for (const h of from) h.retain();
  const settle: Settle = (outcome) => {
    for (const h of from) h.release(outcome);
  };
  window.ingested++;
  window.inFlight++;
  return new Lineage(window, settle);
}
