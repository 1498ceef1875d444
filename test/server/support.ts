/** Test helpers: a real server on 127.0.0.1:0 over a temp flows dir, and JSON requests through inject(). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { FlowManager } from '../../src/runtime/flow-manager.js';
import { createServer, type ServerOptions, type SluiceServer } from '../../src/server/app.js';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { type Catalog, defineNode, Type } from '../../src/spec/index.js';
import { Secret } from '../../src/spec/schema.js';
import { loadTestRuntime, testCatalog } from '../support/test-nodes.js';

/** A sink with a secret field, to see secrets stripped on save and export. Never run. */
const secretSink = defineNode({
  type: 'test-secret-sink',
  version: 1,
  category: 'sink',
  title: 'Secret sink',
  summary: '',
  docs: '',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object({ url: Type.String(), token: Type.Optional(Secret()) }),
});

export const serverCatalog: Catalog = {
  nodes: [...testCatalog.nodes, secretSink],
  connections: testCatalog.connections,
};

export interface TestServer {
  server: SluiceServer;
  app: FastifyInstance;
  dir: string;
  close(): Promise<void>;
}

export async function startServer(options: Partial<ServerOptions> & { dir?: string } = {}): Promise<TestServer> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'sluice-server-')));
  const manager = new FlowManager({ catalog: serverCatalog, loadRuntime: loadTestRuntime });
  const server = await createServer({
    host: '127.0.0.1',
    port: 0,
    flowsDir: join(dir, 'flows'),
    manager,
    catalog: serverCatalog,
    staticDir: join(dir, 'no-editor-here'),
    ...options,
  });
  return {
    server,
    app: server.app,
    dir,
    async close() {
      await server.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface JsonReply<T> {
  status: number;
  /** The parsed JSON (typed by the caller), or the text when the reply is not JSON. */
  body: T;
  text: string;
  headers: Record<string, unknown>;
}

/** inject() with a JSON body; the reply parsed when it is JSON. */
export async function call<T = unknown>(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply<T>> {
  // Every client of the API sends the client header (see security.ts); tests that check its absence use inject().
  const base = { [CLIENT_HEADER]: 'test', ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const res = await app.inject({
    method,
    url,
    headers: { ...base, ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const isJson = String(res.headers['content-type'] ?? '').includes('json') && res.body !== '';
  return {
    status: res.statusCode,
    body: (isJson ? JSON.parse(res.body) : res.body) as T,
    text: res.body,
    headers: res.headers,
  };
}

/** Poll until `check` returns a value (not undefined), or fail after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const flowDoc = (
  id: string | undefined,
  nodes: unknown[],
  edges: unknown[] = [],
  extra: Record<string, unknown> = {},
) => ({
  format: 'sluice/flow@1',
  ...(id ? { id } : {}),
  ...extra,
  nodes,
  edges,
});

export const edge = (source: string, target: string, sourcePort = 'out', targetPort = 'in') => ({
  source,
  sourcePort,
  target,
  targetPort,
});
