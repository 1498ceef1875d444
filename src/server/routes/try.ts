/** Try a sample message through a flow without deploying it. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { TryResult } from '../protocol.js';
import { TryBody } from '../schemas.js';
import { DEFAULT_TRY_LIMITS, runTry, type TryLimits } from '../try-run.js';

/** Trials run real transforms in this process: a few at a time is plenty for editors and bounds the load. */
const MAX_CONCURRENT_TRIALS = 4;

export function tryRoutes(app: FastifyInstance, ctx: ServerContext, limits: TryLimits = DEFAULT_TRY_LIMITS): void {
  let running = 0;
  app.post<{ Body: TryBody }>('/api/try', { schema: { body: TryBody } }, async (request): Promise<TryResult> => {
    if (running >= MAX_CONCURRENT_TRIALS) {
      throw new ApiError(429, 'busy', `${MAX_CONCURRENT_TRIALS} trials are already running; try again in a moment`);
    }
    running++;
    try {
      return await runTry(request.body, ctx.catalog, ctx.log, limits);
    } finally {
      running--;
    }
  });
}
