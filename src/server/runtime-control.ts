/**
 * The one engine behind the API. Deploy and stop are serialised (the engine runs one flow and must not be
 * started twice), and every change is announced to the editors.
 */
import { hasErrors } from '../flow/problem.js';
import type { FlowValidator } from '../flow/validate.js';
import type { Engine, StopReport } from '../runtime/engine.js';
import { StartupError } from '../runtime/errors.js';
import type { SluiceLogger } from '../runtime/log.js';
import { ApiError } from './errors.js';
import type { RuntimeView, ServerMessage } from './protocol.js';
import type { StoredFlow } from './store.js';

export class RuntimeControl {
  private chain: Promise<unknown> = Promise.resolve();
  private deployedId: string | null = null;
  private deployedRevision: number | null = null;

  constructor(
    readonly engine: Engine,
    private readonly validator: FlowValidator,
    private readonly log: SluiceLogger,
    private readonly notify: (msg: ServerMessage) => void,
  ) {}

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  get flowId(): string | null {
    const own = this.engine.flow?.id;
    return this.deployedId ?? (typeof own === 'string' ? own : null);
  }

  isDeployed(id: string): boolean {
    return this.engine.running && this.flowId === id;
  }

  view(): RuntimeView {
    return {
      flowId: this.flowId,
      revision: this.deployedRevision,
      state: this.engine.running ? 'running' : 'stopped',
      statuses: this.engine.statuses(),
      counters: this.engine.counters(),
    };
  }

  /** Validate, then replace whatever runs (the engine drains it first). */
  deploy(stored: StoredFlow): Promise<void> {
    return this.locked(async () => {
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
      const wasRunning = this.engine.running;
      try {
        await this.engine.deploy(flow);
      } catch (err) {
        this.deployedId = null;
        this.deployedRevision = null;
        if (wasRunning) this.notify({ type: 'stopped' });
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn({ flow: stored.id, err: message }, 'deploy failed');
        const problems = err instanceof StartupError && err.problems.length ? err.problems : undefined;
        throw new ApiError(400, 'startup-failed', message, problems);
      }
      this.deployedId = stored.id;
      this.deployedRevision = stored.revision;
      this.log.info({ flow: stored.id, revision: stored.revision }, 'flow deployed');
      this.notify({ type: 'deployed', flowId: stored.id, revision: stored.revision });
    });
  }

  /** Drain and stop; a no-op when nothing runs. */
  stop(): Promise<StopReport> {
    return this.locked(async () => {
      const wasRunning = this.engine.running;
      const report = await this.engine.stop();
      if (wasRunning) this.notify({ type: 'stopped' });
      return report;
    });
  }
}
