/**
 * The piece the HTTP bench measures, in a process of its own (forked with tsx and IPC) so that its CPU is counted
 * alone: the load client and the target server run in the parent.
 *  - `sluice-relay`: an engine with http-in -> http-out to the target (answered after the target's 2xx);
 *  - `raw-relay`: node:http server that parses the JSON body and forwards it with undici, answering after the 2xx;
 *  - `sluice-in`: http-in -> a sink that acks at once;
 *  - `raw-in`: node:http server that parses the JSON body and answers 200.
 * Parent -> child: `{ cmd: 'cpu' }`, `{ cmd: 'exit' }` (a clean exit writes a `--cpu-prof` profile); child -> parent: `{ ready: port }`, `{ cpu: microseconds }`.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { benchEngine } from './ack-sink.js';

const [mode, target] = process.argv.slice(2);

async function raw(relay: boolean): Promise<number> {
  const agent = new Agent({ connections: 16, pipelining: 1 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // The same work as the codec: parse the JSON (and, relaying, write it again).
      const payload = JSON.parse(body.toString('utf8')) as unknown;
      if (!relay) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      request(target, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      }).then(
        async (r) => {
          await r.body.dump();
          res.writeHead(r.statusCode < 300 ? 200 : 503, { 'content-type': 'application/json' }).end('{}');
        },
        () => res.writeHead(503).end(),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function sluice(relay: boolean): Promise<number> {
  const { createServer: probe } = await import('node:net');
  const s = probe().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  const engine = benchEngine();
  await engine.start({
    format: 'sluice/flow@1',
    settings: { maxInFlight: 1000 },
    connections: [{ id: 'web', kind: 'http-server', config: { host: '127.0.0.1', port, keepAliveTimeoutMs: 60_000 } }],
    nodes: [
      { id: 'in', type: 'http-in', config: { connection: 'web', path: '/bench' } },
      relay
        ? { id: 'out', type: 'http-out', config: { url: target, method: 'POST', connections: 16 } }
        : { id: 'out', type: 'bench-sink', config: {} },
    ],
    edges: [{ source: 'in', sourcePort: 'out', target: 'out', targetPort: 'in' }],
  });
  return port;
}

const port =
  mode === 'raw-relay' ? await raw(true) : mode === 'raw-in' ? await raw(false) : await sluice(mode === 'sluice-relay');
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'exit') process.exit(0);
  if (m.cmd === 'cpu') {
    const c = process.cpuUsage();
    process.send?.({ cpu: c.user + c.system });
  }
});
process.send?.({ ready: port });
