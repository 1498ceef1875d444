/** Helpers for the HTTP node tests: a free port, a plain client, and a real node:http server the test controls. */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** A port that was free a moment ago (listen on 0, note it, close). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

/** One request with a plain undici client. */
export async function send(
  url: string,
  o: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await request(url, {
    method: (o.method ?? 'POST') as 'POST',
    body: o.body,
    headers: o.headers,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** Sends until the answer is 2xx (connection refused, 503, ... are retried after `delayMs`); the answers seen. */
export async function sendUntilOk(
  url: string,
  o: { body?: string; headers?: Record<string, string>; delayMs?: number; signal?: AbortSignal } = {},
): Promise<number[]> {
  const seen: number[] = [];
  for (;;) {
    if (o.signal?.aborted) throw new Error('aborted');
    try {
      const a = await send(url, o);
      seen.push(a.status);
      if (a.status >= 200 && a.status < 300) return seen;
    } catch {
      seen.push(0);
    }
    await new Promise((r) => setTimeout(r, o.delayMs ?? 50));
  }
}

export interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Behaviour = (
  r: Received,
  n: number,
) => { status?: number; headers?: Record<string, string>; body?: string; delayMs?: number } | undefined;

/** A real HTTP server on 127.0.0.1 that records every request and answers as `behaviour` says (default 200). */
export class TestServer {
  readonly received: Received[] = [];
  behaviour: Behaviour = () => undefined;
  private server: Server;
  port = 0;

  constructor() {
    this.server = createServer((req, res) => void this.answer(req, res));
  }

  static async start(behaviour?: Behaviour): Promise<TestServer> {
    const s = new TestServer();
    if (behaviour) s.behaviour = behaviour;
    s.server.listen(0, '127.0.0.1');
    await once(s.server, 'listening');
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r: Received = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.received.push(r);
    const b = this.behaviour(r, this.received.length) ?? {};
    if (b.delayMs) await new Promise((x) => setTimeout(x, b.delayMs));
    if (res.destroyed) return;
    res.writeHead(b.status ?? 200, { 'content-type': 'application/json', ...b.headers });
    res.end(b.body ?? '{"ok":true}');
  }

  /** Bodies of the requests that were answered 2xx... and of all requests: parsed JSON. */
  bodies(): unknown[] {
    return this.received.map((r) => (r.body ? JSON.parse(r.body) : null));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
