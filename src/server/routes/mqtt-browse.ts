/**
 * The topic browser's API: open a browser on an MQTT connection of a saved flow, poll what it saw, close it.
 * The connection is the one the saved flow holds, with its references resolved as a deploy would: the request
 * names it and never carries settings of its own, so it cannot aim the server's secrets at another broker.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { filterProblem } from '../../../nodes/mqtt-in/topic-filter.js';
import type { MqttSettings } from '../../connectors/mqtt/settings.js';
import { applyDefaults, processEnv, resolveReferences } from '../../runtime/resolve-config.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { STORE_ID_PATTERN } from '../flow-id.js';
import { TopicBrowser } from '../mqtt-browse.js';

const OpenBody = Type.Object(
  {
    flowId: Type.String({ pattern: STORE_ID_PATTERN, maxLength: 128 }),
    connectionId: Type.String({ minLength: 1, maxLength: 128 }),
    filter: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
const BrowseParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) }, { additionalProperties: false });

interface OpenRequest {
  flowId: string;
  connectionId: string;
  filter?: string;
}

export function mqttBrowseRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const browser = new TopicBrowser(ctx.log);
  app.addHook('onClose', () => browser.closeAll());

  app.post<{ Body: OpenRequest }>('/api/mqtt/browse', { schema: { body: OpenBody } }, async (request, reply) => {
    const { flowId, connectionId } = request.body;
    const filter = request.body.filter ?? '#';
    const problem = filterProblem(filter);
    if (problem) throw new ApiError(400, 'bad-filter', `filter "${filter}": ${problem}`);
    const stored = ctx.store.get(flowId);
    if (!stored) throw new ApiError(404, 'not-found', `no flow ${flowId}: save the flow first`);
    const connections = (stored.flow.connections ?? []) as Array<{ id?: unknown; kind?: unknown; config?: unknown }>;
    const conn = connections.find((c) => c.id === connectionId);
    if (!conn) {
      throw new ApiError(
        404,
        'not-found',
        `flow ${flowId} has no connection ${connectionId} (saved): save the flow first`,
      );
    }
    const kind = ctx.catalog.connections.find((k) => k.kind === conn.kind);
    if (conn.kind !== 'mqtt' || !kind) {
      throw new ApiError(400, 'not-mqtt', `connection ${connectionId} is a ${String(conn.kind)} connection, not mqtt`);
    }
    let settings: MqttSettings;
    try {
      settings = resolveReferences(
        applyDefaults(kind.config, conn.config),
        `connection "${connectionId}"`,
        processEnv,
      ) as unknown as MqttSettings;
    } catch (err) {
      throw new ApiError(400, 'unresolved', (err as Error).message);
    }
    const id = await browser.open(settings, filter);
    reply.code(201);
    return { id };
  });

  app.get<{ Params: { id: string } }>('/api/mqtt/browse/:id', { schema: { params: BrowseParams } }, async (request) =>
    browser.view(request.params.id),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/mqtt/browse/:id',
    { schema: { params: BrowseParams } },
    async (request, reply) => {
      if (!(await browser.close(request.params.id))) throw new ApiError(404, 'not-found', 'no such topic browser');
      reply.code(204);
    },
  );
}
