/**
 * The runtime's own HTTP listeners for http-in: one node:http (or node:https) server per host and port in the
 * process, shared by every flow and node that names the same address (several flows under `sluice serve` can serve
 * different paths on port 8080), opened on first use and closed when the last user releases it. Independent of the
 * admin server: `sluice run` (headless) and `sluice serve` behave the same.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { compileRoute, type RoutePattern } from './route-pattern.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => void;

export interface ListenerOptions {
  host: string;
  /** 0: a free port chosen by the system (never shared). */
  port: number;
  tls?: { cert: string; key: string };
  /** Time to receive a whole request (headers and body). */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

interface Route {
  method: string;
  pattern: RoutePattern;
  handler: RouteHandler;
  owner: string;
}

/** One user's hold on a shared server. */
export interface ListenerLease {
  readonly host: string;
  readonly port: number;
  /** Serve `method` requests on `path` (a route pattern, the base path already joined); returns the removal. */
  route(method: string, path: string, owner: string, handler: RouteHandler): () => void;
  release(): Promise<void>;
}

class SharedListener {
  readonly routes: Route[] = [];
  users = 0;
  readonly server: Server;
  readonly ready: Promise<void>;

  constructor(
    readonly key: string,
    readonly options: ListenerOptions,
  ) {
    const handle = (req: IncomingMessage, res: ServerResponse) => this.dispatch(req, res);
    this.server = options.tls
      ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
      : createHttpServer(handle);
    this.server.requestTimeout = options.requestTimeoutMs;
    this.server.keepAliveTimeout = options.keepAliveTimeoutMs;
    this.ready = new Promise((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException) => {
        const why =
          err.code === 'EADDRINUSE'
            ? `port ${options.port} on ${options.host} is in use by another program`
            : err.code === 'EACCES'
              ? `not allowed to listen on port ${options.port} (ports below 1024 need privileges)`
              : err.message;
        reject(new Error(`cannot listen on ${options.host}:${options.port}: ${why}`));
      };
      this.server.once('error', failed);
      this.server.listen({ host: options.host, port: options.port }, () => {
        this.server.off('error', failed);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let allowed: string[] | undefined;
    for (const r of this.routes) {
      const params = r.pattern.match(path);
      if (!params) continue;
      if (r.method === req.method) {
        r.handler(req, res, params);
        return;
      }
      if (allowed) allowed.push(r.method);
      else allowed = [r.method];
    }
    // Not ours: tell the client plainly, and read nothing more of the request.
    const status = allowed ? 405 : 404;
    res.writeHead(status, {
      'content-type': 'application/json',
      connection: 'close',
      ...(allowed ? { allow: allowed.join(', ') } : {}),
    });
    res.end(
      JSON.stringify({ error: allowed ? `method ${req.method} not allowed on ${path}` : `no route for ${path}` }),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Keep-alive connections would hold the port (and a restart of the flow) until they time out.
      this.server.closeAllConnections();
    });
  }
}

const listeners = new Map<string, SharedListener>();
let unshared = 0;

function sameTls(a: ListenerOptions['tls'], b: ListenerOptions['tls']): boolean {
  return a?.cert === b?.cert && a?.key === b?.key;
}

/** Takes a hold on the listener for host:port, opening it on first use. Rejects when the port cannot be opened. */
export async function acquireListener(options: ListenerOptions): Promise<ListenerLease> {
  const key = options.port === 0 ? `unshared:${++unshared}` : `${options.host}:${options.port}`;
  let shared = listeners.get(key);
  if (shared && !sameTls(shared.options.tls, options.tls)) {
    throw new Error(
      `${key} is already served with other TLS settings by another connection; give each TLS setting its own port`,
    );
  }
  if (!shared) {
    shared = new SharedListener(key, options);
    listeners.set(key, shared);
    const opened = shared;
    opened.ready.catch(() => {
      if (listeners.get(key) === opened) listeners.delete(key);
    });
  }
  shared.users++;
  const s = shared;
  try {
    await s.ready;
  } catch (err) {
    s.users--;
    throw err;
  }
  let released = false;
  return {
    host: options.host,
    port: s.port,
    route(method, path, owner, handler) {
      const m = method.toUpperCase();
      const taken = s.routes.find((r) => r.method === m && r.pattern.source === path);
      if (taken) {
        throw new Error(`${m} ${path} on port ${s.port} is already served by ${taken.owner}`);
      }
      const r: Route = { method: m, pattern: compileRoute(path), handler, owner };
      s.routes.push(r);
      return () => {
        const i = s.routes.indexOf(r);
        if (i >= 0) s.routes.splice(i, 1);
      };
    },
    async release() {
      if (released) return;
      released = true;
      s.users--;
      if (s.users > 0) return;
      if (listeners.get(s.key) === s) listeners.delete(s.key);
      await s.close();
    },
  };
}
