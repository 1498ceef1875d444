/**
 * Lineage of one ingested message: counts the copies and derived messages still in flight so the source
 * settles exactly once, when the last of them is delivered, dropped on purpose or taken by an error route.
 */
import type { Settle } from '../spec/runtime-contract.js';

export interface SourceWindow {
  max: number;
  inFlight: number;
  ingested: number;
  acked: number;
  nacked: number;
  waiters: Array<() => void>;
}

export class Lineage {
  /** Deliveries not yet completed; starts at 1 for the ingest itself. */
  pending = 1;
  failure: string | undefined;
  settled = false;

  constructor(
    readonly window: SourceWindow,
    readonly settle: Settle | undefined,
  ) {}
}
