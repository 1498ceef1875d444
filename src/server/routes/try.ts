/** Try a sample message through a flow without deploying it. */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { TryResult } from '../protocol.js';
import { TryBody } from '../schemas.js';
import { DEFAULT_TRY_LIMITS, runTry, type TryLimits } from '../try-run.js';

/**
 * Trials run real transforms (user code in a sandbox worker pool of their own): a few at a time is plenty for
 * editors and bounds the load. Per client, so one client cannot take every slot.
 */
export const MAX_CONCURRENT_TRIALS = 4;
export const MAX_TRIALS_PER_CLIENT = 2;

/** Who asks: the address and the credential it presents (hashed, so no token is kept). */
function clientOf(request: FastifyRequest): string {
  const auth = request.headers.authorization;
  const credential = typeof auth === 'string' ? createHash('sha256').update(auth).digest('base64url') : '-';
  return `${request.ip} ${credential}`;
}

export function tryRoutes(app: FastifyInstance, ctx: ServerContext, limits: TryLimits = DEFAULT_TRY_LIMITS): void {
  let running = 0;
  const perClient = new Map<string, number>();
  app.post<{ Body: TryBody }>('/api/try', { schema: { body: TryBody } }, async (request, reply): Promise<TryResult> => {
    const client = clientOf(request);
    const mine = perClient.get(client) ?? 0;
    if (mine >= MAX_TRIALS_PER_CLIENT || running >= MAX_CONCURRENT_TRIALS) {
      reply.header('retry-after', '1');
      throw mine >= MAX_TRIALS_PER_CLIENT
        ? new ApiError(
            429,
            'busy',
            `this client already runs ${MAX_TRIALS_PER_CLIENT} trials; wait for one to finish (at most ${MAX_TRIALS_PER_CLIENT} at a time per client)`,
          )
        : new ApiError(429, 'busy', `${MAX_CONCURRENT_TRIALS} trials are already running; try again in a moment`);
    }
    running++;
    perClient.set(client, mine + 1);
    try {
      return await runTry(request.body, ctx.catalog, ctx.log, limits);
    } finally {
      running--;
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    }
  });
}
