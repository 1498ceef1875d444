/** One flow run by one engine, whose life the test reports: an OpsSource without a flow manager. */

import type { OpsFlow, OpsFlowState, OpsSource } from '../../src/ops/source.js';
import type { Engine } from '../../src/runtime/engine.js';

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
