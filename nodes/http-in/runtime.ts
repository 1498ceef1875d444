import { joinPaths } from '../../src/connectors/http/route-pattern.js';
import { Webhook } from '../../src/connectors/http/webhook.js';
import { nodeProblem } from '../../src/kit/index.js';
import type { Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { HttpServerHandle } from '../connections/http-server/runtime.js';
import type { httpIn } from './definition.js';

type Config = Static<typeof httpIn.config>;

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const hook = new Webhook(
    {
      ...c,
      csv: { header: c.csvHeader, delimiter: c.csvDelimiter },
    },
    {
      ingest: (m, settle) => ctx.ingest(m, settle),
      ingestFailed: (m, reason, settle) =>
        ctx.ingestFailed(
          m,
          nodeProblem('http-in', ctx.nodeId, reason, "send a body the node's codec can decode"),
          settle,
        ),
      log: ctx.log,
    },
  );
  let unroute: (() => void) | undefined;

  return {
    async start() {
      ctx.status({ state: 'connecting' });
      const server = await ctx.connection<HttpServerHandle>(c.connection);
      const path = joinPaths(server.basePath, c.path);
      try {
        unroute = server.lease.route(c.method, path, `node "${ctx.nodeId}"`, hook.handle);
      } catch (err) {
        throw new Error(`http-in "${ctx.nodeId}": ${(err as Error).message}; give this node another path or method`);
      }
      ctx.status({ state: 'connected', reason: `${c.method} ${path} on port ${server.lease.port}` });
    },
    stopIntake() {
      // The route stays until stop: requests now get 503 + Retry-After rather than 404.
      hook.stopTaking();
    },
    stop() {
      unroute?.();
      hook.abandon();
    },
    snapshot: () => ({ ...hook.counts }),
  };
};
