/**
 * The runtime behind the API: the flow manager (one engine per deployed flow), what is deployed recorded so a
 * restart resumes it, and every lifecycle change announced to the editors.
 */

import { hasErrors } from '../flow/problem.js';
import type { FlowValidator } from '../flow/validate.js';
import { reasonOf } from '../kit/reason.js';
import type { StopReport } from '../runtime/engine.js';
import { StartupError } from '../runtime/errors.js';
import type { FlowManager, FlowStateEvent, ManagedFlow, StopAllReport } from '../runtime/flow-manager.js';
import { RolledBackError } from '../runtime/flow-manager.js';
import type { SluiceLogger } from '../runtime/log.js';
import type { DeployedRecord } from './deployed.js';
import { ApiError } from './errors.js';
import type { FlowRuntimeView, RuntimeView, ServerMessage } from './protocol.js';
import type { StoredFlow } from './store.js';

function viewOf(f: ManagedFlow): FlowRuntimeView {
  return {
    flowId: f.id,
    ...(f.name === undefined ? {} : { name: f.name }),
    revision: f.revision,
    state: f.state,
    ...(f.error === undefined ? {} : { error: f.error }),
    statuses: f.engine.statuses(),
    counters: f.engine.counters(),
    lastFailures: f.engine.lastFailures(),
  };
}

export class RuntimeControl {
  /** The shutdown's report, once the server closed. */
  closeReport: StopAllReport | undefined;

  constructor(
    readonly manager: FlowManager,
    private readonly validator: FlowValidator,
    private readonly deployed: DeployedRecord,
    private readonly log: SluiceLogger,
    private readonly notify: (msg: ServerMessage) => void,
  ) {
    manager.on('state', (e: FlowStateEvent) => {
      notify({ type: 'flow-state', ...e });
      if (e.state === 'stopped') notify({ type: 'stopped', flowId: e.flowId });
    });
  }

  /** True while flow `id` runs (or starts or stops). */
  isDeployed(id: string): boolean {
    return this.manager.isActive(id);
  }

  view(): RuntimeView {
    return {
      flows: this.manager
        .flows()
        .map(viewOf)
        .sort((a, b) => a.flowId.localeCompare(b.flowId)),
    };
  }

  flowView(id: string): FlowRuntimeView | undefined {
    const f = this.manager.get(id);
    return f && viewOf(f);
  }

  /** Validate, then start the saved flow as flow `stored.id`, replacing only that flow's running revision. */
  async deploy(stored: StoredFlow): Promise<void> {
    const { problems, flow } = this.validator.validate(stored.flow);
    if (!flow || hasErrors(problems)) {
      const n = problems.filter((p) => p.severity === 'error').length;
      throw new ApiError(
        400,
        'invalid-flow',
        `flow "${stored.id}" has ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} before deploying`,
        problems,
      );
    }
    try {
      await this.manager.deploy(stored.id, stored.flow, stored.revision);
    } catch (err) {
      const message = reasonOf(err);
      this.log.warn({ flow: stored.id, revision: stored.revision, err: message }, 'deploy failed');
      // A failed first deploy leaves nothing running: it must not come back on restart either.
      if (!(err instanceof RolledBackError)) await this.forgetDeployed(stored.id);
      const problems = err instanceof StartupError && err.problems.length ? err.problems : undefined;
      throw new ApiError(400, 'startup-failed', message, problems);
    }
    // A record that cannot be written is logged by the record; the flow runs all the same.
    await this.deployed.set({ id: stored.id, revision: stored.revision, flow: stored.flow }).catch(() => undefined);
    this.notify({ type: 'deployed', flowId: stored.id, revision: stored.revision });
  }

  /** Drain and stop one flow; it does not come back on restart. A no-op report when it does not run. */
  async stop(id: string): Promise<StopReport> {
    await this.forgetDeployed(id);
    return this.manager.stop(id);
  }

  /** Drain and stop every flow (the stop-all route); none comes back on restart. */
  async stopAll(): Promise<Record<string, StopReport>> {
    for (const f of this.deployed.list()) await this.forgetDeployed(f.id);
    return (await this.manager.stopAll()).flows;
  }

  /** Start again every flow that was deployed when the server last ran (each on its own; failures are reported). */
  async resume(): Promise<void> {
    const flows = this.deployed.list();
    if (flows.length === 0) return;
    this.log.info({ flows: flows.map((f) => `${f.id}@${f.revision}`) }, 'resuming the deployed flows');
    await Promise.all(
      flows.map(async (f) => {
        try {
          await this.manager.deploy(f.id, f.flow, f.revision);
          this.notify({ type: 'deployed', flowId: f.id, revision: f.revision });
        } catch (err) {
          // Kept in the record: it was deployed, and may start on the next restart (e.g. once its broker is back).
          this.log.error({ flow: f.id, revision: f.revision, err: reasonOf(err) }, 'a deployed flow failed to resume');
        }
      }),
    );
  }

  /** Shutting down: stop everything, keep the record (so the next start resumes it). */
  async close(): Promise<StopAllReport> {
    const report = await this.manager.close();
    if (report.notStopped.length > 0)
      this.log.warn({ notStopped: report.notStopped }, 'not everything stopped in time');
    this.closeReport = report;
    return report;
  }

  /** Forget a deleted flow's last run. */
  forget(id: string): void {
    this.manager.forget(id);
  }

  private async forgetDeployed(id: string): Promise<void> {
    try {
      await this.deployed.delete(id);
    } catch {
      // logged by the record; the runtime goes on
    }
  }
}
