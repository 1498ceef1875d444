/** Per-node counters. They reconcile: for a node that is not a source, in = out(delivered or passed) + dropped + failed + inFlight when each input yields at most one output. */
export interface NodeCounters {
  /** Messages handed to the node. */
  in: number;
  /** Messages the node emitted; for sinks, messages delivered; for sources, messages ingested. */
  out: number;
  /** Inputs that failed (thrown, rejected, unreadable). */
  failed: number;
  /** Inputs that produced no output on purpose (a filter said no). */
  dropped: number;
  /** Inputs being handled now; for sources, ingested messages not yet settled. */
  inFlight: number;
  /** Sources: ingested messages acknowledged / not acknowledged. */
  acked?: number;
  nacked?: number;
  /** Attempts that failed and were tried again (sinks), once there was one. */
  retries?: number;
}

export function newCounters(): NodeCounters {
  return { in: 0, out: 0, failed: 0, dropped: 0, inFlight: 0 };
}
