/** What the ops server watches: the flows of this process, each with its engine. */
import type { Engine } from '../runtime/engine.js';

export type OpsFlowState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface OpsFlow {
  id: string;
  /** One of OpsFlowState (a FlowManager's ManagedFlow fits as it is). */
  state: string;
  /** Why the flow failed, when it did. */
  error?: string;
  engine: Engine;
}

export interface OpsSource {
  flows(): Iterable<OpsFlow>;
}
