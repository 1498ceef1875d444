/** The editors' live feed (server -> client only); auth, Host and Origin were checked before the upgrade. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { WsQuery } from '../schemas.js';

export const WS_PATH = '/api/ws';

export function wsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.route({
    method: 'GET',
    url: WS_PATH,
    schema: { querystring: WsQuery },
    // A plain GET (no upgrade) gets the documented error shape, not the plugin's empty 404.
    handler: async () => {
      throw new ApiError(426, 'upgrade-required', `${WS_PATH} is the live feed: connect with a WebSocket client`);
    },
    wsHandler: (socket) => {
      ctx.hub.add(socket);
    },
  });
}
