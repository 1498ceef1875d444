/** The editors' live feed (server -> client only); auth, Host and Origin were checked before the upgrade. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { WsQuery } from '../schemas.js';

export const WS_PATH = '/api/ws';

export function wsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(WS_PATH, { websocket: true, schema: { querystring: WsQuery } }, (socket) => {
    ctx.hub.add(socket);
  });
}
