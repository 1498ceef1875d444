/**
 * Remote runners, behind the editor's own server: the browser calls these same-origin routes and the server calls
 * the runner with its token (a page cannot call another origin's API under the CSRF rules, and the token stays on
 * the server). The local runtime is the ordinary `/api/flows/:id/deploy`, `/api/runtime` routes.
 */
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { FLOW_FORMAT, type FlowDocument } from '../../flow/document.js';
import { stripSecrets } from '../../flow/serialize.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { STORE_ID_PATTERN } from '../flow-id.js';
import type { RuntimeView, StopReply } from '../protocol.js';
import { runnerCall, runnerHealth } from './client.js';
import type { RunnerEntry, RunnerInfo, RunnerSettings } from './settings.js';
import { formatProblem } from './version.js';

const AddRunnerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    url: Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', maxLength: 500 }),
    token: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
type AddRunnerBody = Static<typeof AddRunnerBody>;

const RunnerParams = Type.Object(
  { runnerId: Type.String({ pattern: '^runner-[0-9a-f]{8}$' }) },
  { additionalProperties: false },
);
type RunnerParams = Static<typeof RunnerParams>;

const RunnerFlowParams = Type.Object(
  {
    runnerId: Type.String({ pattern: '^runner-[0-9a-f]{8}$' }),
    id: Type.String({ pattern: STORE_ID_PATTERN, maxLength: 128 }),
  },
  { additionalProperties: false },
);
type RunnerFlowParams = Static<typeof RunnerFlowParams>;

export interface RunnerStatus extends RunnerInfo {
  version?: string;
}

export interface RemoteDeployReply {
  deployed: true;
  runnerId: string;
  flowId: string;
  revision: number;
}

function runnerOf(settings: RunnerSettings, id: string): RunnerEntry {
  const r = settings.get(id);
  if (!r) throw new ApiError(404, 'unknown-runner', `no runner "${id}"; add it in the Runtimes dialog first`);
  return r;
}

export function runnerRoutes(settings: RunnerSettings) {
  return (app: FastifyInstance, ctx: ServerContext): void => {
    app.get('/api/runners', async (): Promise<{ runners: RunnerInfo[] }> => ({ runners: settings.list() }));

    // Checked before it is saved: reachable, a Sluice, the token accepted, a flow format this editor writes.
    app.post<{ Body: AddRunnerBody }>('/api/runners', { schema: { body: AddRunnerBody } }, async (request, reply) => {
      const { name, token } = request.body;
      const url = request.body.url.replace(/\/+$/, '');
      const health = await runnerHealth({ name, url, token });
      const problem = formatProblem(name, health);
      if (problem) throw new ApiError(400, 'runner-unsupported-format', problem);
      const info = await settings.add({ name, url, token });
      reply.code(201);
      return { ...info, version: health.version } satisfies RunnerStatus;
    });

    app.delete<{ Params: RunnerParams }>(
      '/api/runners/:runnerId',
      { schema: { params: RunnerParams } },
      async (request) => {
        if (!(await settings.remove(request.params.runnerId)))
          throw new ApiError(404, 'unknown-runner', `no runner "${request.params.runnerId}"`);
        return { deleted: true };
      },
    );

    app.get<{ Params: RunnerParams }>(
      '/api/runners/:runnerId/runtime',
      { schema: { params: RunnerParams } },
      async (request): Promise<RuntimeView> =>
        runnerCall(runnerOf(settings, request.params.runnerId), 'GET', '/api/runtime'),
    );

    app.post<{ Params: RunnerFlowParams }>(
      '/api/runners/:runnerId/flows/:id/deploy',
      { schema: { params: RunnerFlowParams } },
      async (request): Promise<RemoteDeployReply> => {
        const runner = runnerOf(settings, request.params.runnerId);
        const stored = ctx.store.get(request.params.id);
        if (!stored) throw new ApiError(404, 'not-found', `no flow "${request.params.id}"; save it first`);
        const format = typeof stored.flow.format === 'string' ? stored.flow.format : FLOW_FORMAT;
        const problem = formatProblem(runner.name, await runnerHealth(runner), format);
        if (problem) throw new ApiError(409, 'runner-unsupported-format', problem);
        // Saved flows hold secrets only as references (resolved on the runner's machine); strip again to be sure.
        const { flow } = stripSecrets(stored.flow as unknown as FlowDocument, ctx.catalog);
        const doc = { ...flow, id: stored.id };
        const path = `/api/flows/${encodeURIComponent(stored.id)}`;
        let current: { revision: number } | undefined;
        try {
          current = await runnerCall<{ revision: number }>(runner, 'GET', path);
        } catch (err) {
          if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
        }
        if (current) await runnerCall(runner, 'PUT', path, { flow: doc, revision: current.revision });
        else await runnerCall(runner, 'POST', '/api/flows', { flow: doc });
        const r = await runnerCall<{ revision: number }>(runner, 'POST', `${path}/deploy`, {});
        return { deployed: true, runnerId: runner.id, flowId: stored.id, revision: r.revision };
      },
    );

    app.post<{ Params: RunnerFlowParams }>(
      '/api/runners/:runnerId/flows/:id/stop',
      { schema: { params: RunnerFlowParams } },
      async (request): Promise<StopReply> =>
        runnerCall(
          runnerOf(settings, request.params.runnerId),
          'POST',
          `/api/flows/${encodeURIComponent(request.params.id)}/stop`,
          {},
        ),
    );
  };
}
