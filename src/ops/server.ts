/**
 * The ops HTTP server (`--ops-port`): `/healthz` (liveness), `/readyz` (readiness), `/metrics` (Prometheus). Small,
 * read-only, no token: bind it to loopback or a pod network, never to the public.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SluiceLogger } from '../runtime/log.js';
import type { Catalog } from '../spec/node-definition.js';
import { DEFAULT_MAX_LAG_MS, LagSampler } from './lag.js';
import { FlowMetrics } from './metrics.js';
import { readiness } from './readiness.js';
import type { OpsSource } from './source.js';

export interface OpsServerOptions {
  source: OpsSource;
  catalog: Catalog;
  host?: string;
  port: number;
  /** `/healthz` is unhealthy while the event loop lagged more than this over the last window (ms). */
  maxLagMs?: number;
  /** How long a stall stays visible to `/healthz` (ms). */
  lagWindowMs?: number;
  log?: SluiceLogger;
}

export interface OpsServer {
  /** `http://host:port` */
  url: string;
  metrics: FlowMetrics;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export async function startOpsServer(o: OpsServerOptions): Promise<OpsServer> {
  const maxLagMs = o.maxLagMs ?? DEFAULT_MAX_LAG_MS;
  const lag = new LagSampler({ windowMs: o.lagWindowMs });
  const metrics = new FlowMetrics(o.source, o.catalog);
  // New flows get their latency observer within a second even when nobody scrapes.
  const attach = setInterval(() => metrics.attach(), 1000);
  attach.unref();
  metrics.attach();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const lagMs = lag.maxLagMs();
      const healthy = lagMs <= maxLagMs;
      send(res, healthy ? 200 : 503, {
        status: healthy ? 'ok' : 'unhealthy',
        eventLoopLagMs: lagMs,
        maxEventLoopLagMs: maxLagMs,
        ...(!healthy && {
          reason: `the event loop lagged ${lagMs} ms within the last ${lag.window} ms (bound ${maxLagMs} ms)`,
        }),
      });
    } else if (path === '/readyz') {
      const r = readiness(o.source, o.catalog);
      send(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', ...r });
    } else if (path === '/metrics') {
      const text = await metrics.scrape();
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      res.end(text);
    } else {
      send(res, 404, { error: `no such endpoint: ${path} (there are /healthz, /readyz and /metrics)` });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.log?.error({ err: err instanceof Error ? err.message : String(err), path: req.url }, 'ops endpoint failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  const host = o.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, host, () => resolve());
    });
  } catch (err) {
    clearInterval(attach);
    lag.close();
    metrics.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  o.log?.info({ url, endpoints: ['/healthz', '/readyz', '/metrics'] }, 'ops server listening');
  return {
    url,
    metrics,
    close: async () => {
      clearInterval(attach);
      lag.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      metrics.close();
    },
  };
}
