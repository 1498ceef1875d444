/**
 * The admin server: flows store, the flow manager (one engine per deployed flow), the editors' WebSocket feed and the static editor,
 * behind Host/Origin checks and (off loopback, or whenever configured) a bearer token.
 */
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { catalog as defaultCatalog } from '../../nodes/catalog.js';
import { createFlowValidator } from '../flow/validate.js';
import { FlowManager } from '../runtime/flow-manager.js';
import { createLogger, type SluiceLogger } from '../runtime/log.js';
import type { Catalog } from '../spec/node-definition.js';
import { packageVersion } from '../version.js';
import { BODY_LIMIT, registerBodyParsers } from './body.js';
import { registerBodyPolicy } from './body-policy.js';
import type { ServerContext } from './context.js';
import { DeployedRecord } from './deployed.js';
import { errorHandler, frameworkErrorHandler } from './errors.js';
import { Hub, type HubOptions } from './hub.js';
import { flowRoutes } from './routes/flows.js';
import { healthRoutes } from './routes/health.js';
import { mqttBrowseRoutes } from './routes/mqtt-browse.js';
import { runtimeRoutes } from './routes/runtime.js';
import { tryRoutes } from './routes/try.js';
import { WS_PATH, wsRoutes } from './routes/ws.js';
import { RuntimeControl } from './runtime-control.js';
import { createGuard, isLoopback, isWildcard, tokenProblem } from './security.js';
import { defaultStaticDir, registerStatic } from './static.js';
import { FlowStore } from './store.js';
import type { TryLimits } from './try-run.js';

export interface ServerOptions {
  /** Default 127.0.0.1. Any non-loopback address requires `token`. */
  host?: string;
  /** Default 1880; 0 picks a free port (see `url`). */
  port?: number;
  flowsDir: string;
  token?: string;
  /** The runtime; the server stops it (draining) on close. Default: a new flow manager over `catalog`. */
  manager?: FlowManager;
  catalog?: Catalog;
  log?: SluiceLogger;
  /** The built editor; default `renderer/dist`. */
  staticDir?: string;
  /** Extra Host names to accept (e.g. a reverse proxy's public name). */
  allowedHosts?: string[];
  /** Extra origins to accept (e.g. the editor's dev server, `http://localhost:5173`). */
  allowedOrigins?: string[];
  /**
   * False for a headless runner (`sluice run --api`): the flows, runtime and live-feed routes without the editor's
   * pages and without try-it. Default true.
   */
  editor?: boolean;
  /** Routes added by the composition root (e.g. the remote runners of `serve`), registered behind the same guard. */
  extraRoutes?: (app: FastifyInstance, context: ServerContext) => void;
  /** Tests only: tighter debug-stream and try-it limits. */
  hub?: HubOptions;
  tryLimits?: TryLimits;
}

export interface SluiceServer {
  app: FastifyInstance;
  /** `http://host:port` with the real port; a wildcard host is reported as loopback. */
  url: string;
  context: ServerContext;
  /** Settles when the flows deployed at the last shutdown have been started again (or failed to). */
  resumed: Promise<void>;
  close(): Promise<void>;
}

/** A configuration the server refuses to start with (the CLI prints it as a usage error). */
export class ServerConfigError extends Error {}

function checkAccess(host: string, token: string | undefined): void {
  const problem = token === undefined ? undefined : tokenProblem(token);
  if (problem) throw new ServerConfigError(problem);
  if (!isLoopback(host) && token === undefined) {
    throw new ServerConfigError(
      `refusing to listen on ${host} without authentication: pass --token (or set SLUICE_TOKEN), or bind 127.0.0.1`,
    );
  }
}

function urlOf(host: string, port: number): string {
  const shown = isWildcard(host) ? (host.includes(':') ? '[::1]' : '127.0.0.1') : host;
  return `http://${shown.includes(':') && !shown.startsWith('[') ? `[${shown}]` : shown}:${port}`;
}

export async function createServer(options: ServerOptions): Promise<SluiceServer> {
  const host = options.host ?? '127.0.0.1';
  checkAccess(host, options.token);
  const catalog = options.catalog ?? defaultCatalog;
  const log = options.log ?? options.manager?.log ?? createLogger();
  const manager = options.manager ?? new FlowManager({ catalog, log });
  const validator = createFlowValidator(catalog);

  // The hub exists before the store and runtime so their notifications reach the editors.
  const hub = new Hub(manager, log, options.hub);
  const notify = hub.broadcast.bind(hub);
  let store: FlowStore;
  let deployed: DeployedRecord;
  try {
    store = await FlowStore.open(options.flowsDir, log, notify);
    deployed = await DeployedRecord.open(options.flowsDir, log);
  } catch (err) {
    hub.close();
    throw err;
  }
  const runtime = new RuntimeControl(manager, validator, deployed, log, notify);
  const editor = options.editor ?? true;
  const context: ServerContext = {
    catalog,
    validator,
    store,
    runtime,
    hub,
    log,
    version: packageVersion(),
    role: editor ? 'editor' : 'runner',
  };

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Unknown fields are errors, not silently dropped; nothing is coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // A URL the router cannot even decode gets the documented error shape too, not Fastify's own.
    frameworkErrors: frameworkErrorHandler,
  });
  registerBodyParsers(app);
  app.setErrorHandler(errorHandler(log));
  // Before the guard: the plugin's own onRequest hook marks upgrade requests, so a refused upgrade's socket is
  // closed after the error reply instead of lingering (and holding up close()).
  await app.register(fastifyWebsocket, { options: { maxPayload: 4096 } });
  app.addHook(
    'onRequest',
    createGuard({
      host,
      token: options.token,
      allowedHosts: options.allowedHosts,
      allowedOrigins: options.allowedOrigins,
      wsPath: WS_PATH,
    }),
  );
  // After the guard: nothing about a body is looked at before the caller is known.
  registerBodyPolicy(app);
  app.addHook('onResponse', async (request, reply) => {
    // The path only: a WebSocket URL may carry the token in its query.
    log.debug(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  if (editor) await registerStatic(app, options.staticDir ?? defaultStaticDir());
  healthRoutes(app, context);
  flowRoutes(app, context);
  runtimeRoutes(app, context);
  if (editor) tryRoutes(app, context, options.tryLimits);
  wsRoutes(app, context);
  options.extraRoutes?.(app, context);
  if (editor) mqttBrowseRoutes(app, context);

  try {
    // `[::1]` is how a URL writes an IPv6 address; the socket wants it bare.
    await app.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port: options.port ?? 1880 });
  } catch (err) {
    hub.close();
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 1880);
  const url = urlOf(host, port);
  log.info(
    { url, flowsDir: options.flowsDir, auth: options.token ? 'token' : 'none (loopback only)' },
    'admin server listening',
  );

  // Every flow that was deployed when the server last ran starts again (each on its own; the API answers meanwhile).
  const resumed = runtime.resume();
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await resumed;
      await runtime.close().catch((err: unknown) => log.warn({ err: String(err) }, 'stopping the runtime failed'));
      hub.close();
      await app.close();
    })();
    return closing;
  };
  return { app, url, context, resumed, close };
}
