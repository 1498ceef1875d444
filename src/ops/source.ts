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

/**
 * One flow run by one engine, whose life the caller reports (`sluice run`): starting until `started()`, `failed(err)`
 * when it could not start, stopping once `stopping()`.
 */
export class SingleFlow implements OpsSource {
  state: OpsFlowState = 'starting';
  error: string | undefined;

  constructor(
    readonly id: string,
    readonly engine: Engine,
  ) {}

  started(): void {
    this.state = 'running';
  }

  failed(err: unknown): void {
    this.state = 'failed';
    this.error = err instanceof Error ? err.message : String(err);
  }

  stopping(): void {
    this.state = 'stopping';
  }

  flows(): OpsFlow[] {
    return [{ id: this.id, state: this.state, error: this.error, engine: this.engine }];
  }
}

/** The editor's one engine (`sluice serve` today): the deployed flow while it runs, nothing otherwise. */
export function deployedFlow(engine: Engine, flowId: () => string | null): OpsSource {
  return {
    flows: () => {
      const id = flowId() ?? engine.flow?.id ?? engine.flow?.name;
      return engine.running && id ? [{ id, state: 'running', engine }] : [];
    },
  };
}
