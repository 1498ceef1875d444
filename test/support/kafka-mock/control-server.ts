/**
 * HTTP control channel: the shared cluster lives in vitest's main process (global setup) and tests run in worker
 * processes, so workers create topics by POSTing here. Bound to 127.0.0.1 under a random path token so that nothing
 * else on the machine can drive it by accident. Faults are deliberately not offered: the cluster is shared by test
 * files running in parallel, so fault tests start a private mock instead.
 *
 *   POST {url}/topic   {"name": "orders", "partitions": 3}
 * Replies 204 on success, 4xx/5xx with the error text otherwise.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KafkaTestCluster } from './index.js';

const MAX_BODY = 4096;

export interface ControlServer {
  /** Base URL, token included; publish it to workers. */
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_BODY) throw new HttpError(413, 'body too large');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  return { ...parsed };
}

function int(body: Record<string, unknown>, key: string, fallback?: number): number {
  const value = body[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new HttpError(400, `'${key}' must be an integer`);
  return value;
}

async function dispatch(cluster: KafkaTestCluster, route: string, body: Record<string, unknown>): Promise<void> {
  if (route === 'topic') {
    if (typeof body.name !== 'string') throw new HttpError(400, "'name' must be a string");
    return cluster.createTopic(body.name, int(body, 'partitions', 1));
  }
  throw new HttpError(404, `unknown route '${route}'`);
}

export async function startControlServer(cluster: KafkaTestCluster): Promise<ControlServer> {
  const token = randomBytes(12).toString('hex');
  const server = createServer((req, res) => {
    const [, reqToken, route = ''] = (req.url ?? '').split('/');
    const work =
      reqToken !== token
        ? Promise.reject(new HttpError(403, 'bad token'))
        : req.method !== 'POST'
          ? Promise.reject(new HttpError(405, 'POST only'))
          : readJson(req).then((body) => dispatch(cluster, route, body));
    work.then(
      () => res.writeHead(204).end(),
      (err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(err instanceof Error ? err.message : String(err));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${token}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
