import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/health', async () => ({ ok: true, version: ctx.version }));

  app.get('/api/ready', async () => {
    if (!ctx.store.loaded) throw new ApiError(503, 'not-ready', 'the flow store is still loading');
    return { ready: true };
  });
}
