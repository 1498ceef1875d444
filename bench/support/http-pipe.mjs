/**
 * The piece the HTTP bench measures, in a process of its own so that its CPU is counted alone (the load client and
 * the target server run in the parent). Plain `node`, no TypeScript loader: Sluice runs on the compiled runtime
 * (dist/, built by `npm run bench`) as `sluice run` does, and the raw pieces run in the same kind of process. (Under
 * tsx both sides paid for its loader thread and Sluice also for esbuild's `__name` wrapper on every closure.)
 *  - `sluice-relay`: an engine with http-in -> http-out to the target (answered after the target's 2xx);
 *  - `raw-relay`: node:http server that parses the JSON body and forwards it with undici, answering after the 2xx;
 *  - `sluice-in`: http-in -> a sink that acks at once;
 *  - `raw-in`: node:http server that parses the JSON body and answers 200.
 * Parent -> child: `{ cmd: 'cpu' }`, `{ cmd: 'exit' }` (a clean exit writes a `--cpu-prof` profile); child -> parent:
 * `{ ready: port }`, `{ cpu: microseconds }`.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const [mode, target] = process.argv.slice(2);
const dist = new URL('../../dist/', import.meta.url);

async function raw(relay) {
  const agent = new Agent({ connections: 16, pipelining: 1 });
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // The same work as the codec: parse the JSON (and, relaying, write it again).
      const payload = JSON.parse(body.toString('utf8'));
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
  return server.address().port;
}

/** An engine that knows `bench-sink` (acks at once) beside the real catalogue, as bench/support/ack-sink.ts. */
async function benchEngine() {
  const [{ catalog }, { Engine }, { loadNodeRuntime }, { defineNode, Type }] = await Promise.all([
    import(new URL('nodes/catalog.js', dist).href),
    import(new URL('src/runtime/engine.js', dist).href),
    import(new URL('src/runtime/loader.js', dist).href),
    import(new URL('src/spec/index.js', dist).href),
  ]);
  const ackSink = defineNode({
    type: 'bench-sink',
    version: 1,
    category: 'sink',
    title: 'Bench sink',
    summary: 'Acks at once.',
    docs: 'Benchmark only.',
    inputs: [{ name: 'in' }],
    outputs: [],
    config: Type.Object({}),
  });
  const createAckSink = () => ({ handle() {} });
  return new Engine({
    catalog: { nodes: [...catalog.nodes, ackSink], connections: catalog.connections },
    loadRuntime: (t) => (t === 'bench-sink' ? Promise.resolve(createAckSink) : loadNodeRuntime(t)),
  });
}

async function sluice(relay) {
  const { existsSync } = await import('node:fs');
  if (!existsSync(new URL('src/runtime/engine.js', dist))) {
    throw new Error('dist/ is not built: run `npx tsc -p tsconfig.build.json` (npm run bench does)');
  }
  const { createServer: probe } = await import('node:net');
  const s = probe().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  const engine = await benchEngine();
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
process.on('message', (m) => {
  if (m.cmd === 'exit') process.exit(0);
  if (m.cmd === 'cpu') {
    const c = process.cpuUsage();
    process.send?.({ cpu: c.user + c.system });
  }
});
process.send?.({ ready: port });
