import type { FastifyInstance } from 'fastify';
import { FLOW_FORMAT } from '../../flow/document.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // An editor compares `formats` with a flow's `format` before deploying it to this server (a remote runner).
  app.get('/api/health', async () => ({ ok: true, version: ctx.version, role: ctx.role, formats: [FLOW_FORMAT] }));

  app.get('/api/ready', async () => {
    if (!ctx.store.loaded) throw new ApiError(503, 'not-ready', 'the flow store is still loading');
    return { ready: true };
  });
}
