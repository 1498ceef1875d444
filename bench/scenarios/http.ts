/**
 * HTTP end to end on this machine: a load client (undici, 64 requests in flight on kept-alive connections) POSTs
 * small JSON messages to the piece under test, which runs in a process of its own (bench/support/http-pipe.mjs: plain
 * node, Sluice on the compiled runtime in dist/ as `sluice run` runs it, no TypeScript loader on either side) so that
 * its CPU is counted alone; the relay's target is a plain node:http server in the bench process answering 200.
 *  - http-in -> http-out (each request answered only after the target's 2xx) against a raw relay doing the same
 *    work: node:http server, JSON.parse, undici POST to the target, answer after its 2xx;
 *  - http-in -> a sink that acks at once, against a raw node:http server that parses the JSON and answers 200.
 * Runs interleaved (ours, raw, ours, raw, ...) after a warm-up of each; medians of RUNS. Throughput is requests
 * answered 2xx per second at the client; CPU per message is the piece's process over the run.
 *
 *   npm run bench -- http     (or, with dist/ built by `npx tsc -p tsconfig.build.json`: node --import tsx bench/scenarios/http.ts)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { type BenchResult, median, printResults } from '../types.js';

const COUNT = 20_000;
// Sluice's path is longer than the raw server's: V8 needs ~20,000 requests before it runs optimised (measured: 140 us/msg
// over the first 3,000, 44 over the next 20,000, 30 after), and a shorter warm-up counted JIT time as Sluice's cost.
const WARMUP = 20_000;
const RUNS = Number(process.env.SLUICE_BENCH_HTTP_RUNS) || 3;
// SLUICE_BENCH_HTTP_ONLY=relay or =in runs one of the two comparisons.
const ONLY = process.env.SLUICE_BENCH_HTTP_ONLY;
const IN_FLIGHT = 64;

interface Piece {
  child: ChildProcess;
  port: number;
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

// e.g. SLUICE_BENCH_FLOW_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof-http" profiles every piece (Sluice's and the
// raw one, to compare); a profiled piece is stopped with a clean exit so that the profile is written.
const NODE_ARGS = (process.env.SLUICE_BENCH_FLOW_NODE_ARGS ?? '').split(' ').filter(Boolean);

async function startPiece(mode: string, target: string): Promise<Piece> {
  const profiled = NODE_ARGS.length > 0;
  const child = fork(fileURLToPath(new URL('../support/http-pipe.mjs', import.meta.url)), [mode, target], {
    execArgv: profiled ? NODE_ARGS : [],
    // Profiled: the piece's own output too (--trace-gc and --trace-gc-nvp write to stdout).
    stdio: ['ignore', profiled ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ ready: number }];
  return {
    child,
    port: ready.ready,
    async cpu() {
      child.send({ cmd: 'cpu' });
      const [m] = (await once(child, 'message')) as [{ cpu: number }];
      return m.cpu;
    },
    async stop() {
      if (profiled) child.send({ cmd: 'exit' });
      else child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    },
  };
}

interface Measured {
  rate: number;
  cpuUsPerMsg: number;
}

async function load(piece: Piece, path: string, count: number): Promise<Measured> {
  const pool = new Pool(`http://127.0.0.1:${piece.port}`, { connections: IN_FLIGHT, pipelining: 1 });
  let next = 0;
  let failed = 0;
  const cpu0 = await piece.cpu();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        const n = next++;
        const res = await pool.request({
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n, device: `dev-${n % 10}`, temp: 21.5, text: 'a typical small reading' }),
        });
        await res.body.dump();
        if (res.statusCode >= 300) failed++;
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = (await piece.cpu()) - cpu0;
  await pool.close();
  if (failed) throw new Error(`${failed} requests were not answered 2xx`);
  return { rate: (count / ms) * 1000, cpuUsPerMsg: cpu / count };
}

async function compare(label: string, ours: string, raw: string, rawLabel: string, target: string) {
  const a = await startPiece(ours, target);
  const b = await startPiece(raw, target);
  try {
    await load(a, '/bench', WARMUP);
    await load(b, '/bench', WARMUP);
    const mine: Measured[] = [];
    const theirs: Measured[] = [];
    for (let i = 0; i < RUNS; i++) {
      mine.push(await load(a, '/bench', COUNT));
      theirs.push(await load(b, '/bench', COUNT));
    }
    const rate = median(mine.map((m) => m.rate));
    const rawRate = median(theirs.map((m) => m.rate));
    const note = `median of ${RUNS} x ${COUNT.toLocaleString('en-US')}, ${IN_FLIGHT} in flight`;
    return [
      { name: label, value: rate, unit: 'msg/s', note },
      {
        name: '  CPU of the Sluice process per message',
        value: median(mine.map((m) => m.cpuUsPerMsg)),
        unit: 'us/msg',
      },
      { name: `  raw: ${rawLabel}`, value: rawRate, unit: 'msg/s', note },
      { name: '  CPU of the raw process per message', value: median(theirs.map((m) => m.cpuUsPerMsg)), unit: 'us/msg' },
      { name: '  Sluice / raw throughput', value: (rate / rawRate) * 100, unit: '%' },
    ] satisfies BenchResult[];
  } finally {
    await a.stop();
    await b.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const target = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  target.keepAliveTimeout = 60_000;
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/target`;
  try {
    return [
      ...(ONLY === 'in'
        ? []
        : await compare(
            'http-in -> http-out relay (answer after the 2xx)',
            'sluice-relay',
            'raw-relay',
            'node:http server -> undici POST',
            url,
          )),
      ...(ONLY === 'relay'
        ? []
        : await compare('http-in -> ack sink', 'sluice-in', 'raw-in', 'node:http server, JSON.parse', url)),
    ];
  } finally {
    target.closeAllConnections();
    target.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printResults('http', await run());
