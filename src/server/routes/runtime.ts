/** Deploy, stop, status and counters, debug snapshots: the one running engine. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { RuntimeView } from '../protocol.js';
import { FlowIdParams, NodeIdParams } from '../schemas.js';

export function runtimeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: FlowIdParams }>('/api/flows/:id/deploy', { schema: { params: FlowIdParams } }, async (request) => {
    const stored = ctx.store.get(request.params.id);
    if (!stored) throw new ApiError(404, 'not-found', `no flow "${request.params.id}"`);
    await ctx.runtime.deploy(stored);
    return { deployed: true, flowId: stored.id, revision: stored.revision };
  });

  app.post('/api/runtime/stop', async () => ({ stopped: true, ...(await ctx.runtime.stop()) }));

  app.get('/api/runtime', async (): Promise<RuntimeView> => ctx.runtime.view());

  app.get<{ Params: NodeIdParams }>(
    '/api/runtime/debug/:nodeId',
    { schema: { params: NodeIdParams } },
    async (request) => {
      const { nodeId } = request.params;
      if (!(nodeId in ctx.runtime.engine.statuses())) {
        throw new ApiError(404, 'unknown-node', `node "${nodeId}" is not in the deployed flow`);
      }
      const snapshot = ctx.runtime.engine.snapshot(nodeId);
      if (snapshot === undefined) throw new ApiError(404, 'no-snapshot', `node "${nodeId}" keeps no snapshot`);
      return snapshot;
    },
  );
}
