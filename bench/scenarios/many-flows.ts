/**
 * Many flows in one runtime: `sluice run DIR` on a directory of FLOWS flow files against the same with one flow,
 * the same total load offered flat out to each. Every flow is e2e's mqtt-in (QoS 1, json, persistent session) ->
 * transform -> filter -> mqtt-out (QoS 1, acked after the broker's PUBACK), each flow with its own connections and
 * its own input topic `<root>/dev-<k>/#`; the one flow takes `<root>/#`. The MQTT sink because it is the cheapest
 * one e2e measures and needs no other service: what is compared is the runtime, not a database.
 *
 * One MQTT 5 QoS 1 publisher (a child process) sends COUNT messages round robin over FLOWS topics, on credit: at
 * most CREDIT ahead of what arrived at the sink (a plain subscriber, another child process, on the output topics),
 * so Mosquitto's per-session queue (1000) never overflows, whichever flow lags. Both runtimes run side by side; after
 * a warm-up each, their RUNS flat-out runs alternate.
 *
 * Measured from outside, as a user would see it (/proc, bench/support/proc-use.ts): total msg/s at the sink (first
 * to last arrival), CPU per message of the `sluice run` process (all its threads), its resident memory idle after
 * start (before any traffic), the largest during the runs (sampled every 20 ms) and idle again after the runs.
 *
 *   SLUICE_BENCH_MANY_FLOWS (20), SLUICE_BENCH_MANY_COUNT (30000), SLUICE_BENCH_MANY_RUNS (3)
 *   npm run build && node --import tsx bench/scenarios/many-flows.ts     (`npm run bench many-flows` builds first)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { now, sleep } from '../support/clock.js';
import { type LoadPublisher, type LoadReader, startPublisher, startReader } from '../support/load.js';
import { ProcSampler, rssOf } from '../support/proc-use.js';
import { reachableUrl } from '../support/services.js';
import { type SluiceRun, startSluiceRun } from '../support/sluice-run.js';
import { type BenchResult, median, printResults } from '../types.js';
import { sluiceFlow } from './e2e.js';

const MQTT_URL = process.env.SLUICE_BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const intEnv = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number >= 1, not ${process.env[name]}`);
  return v;
};
const FLOWS = intEnv('SLUICE_BENCH_MANY_FLOWS', 20);
const COUNT = intEnv('SLUICE_BENCH_MANY_COUNT', 30_000);
const RUNS = intEnv('SLUICE_BENCH_MANY_RUNS', 3);
const WARMUP_COUNT = Math.min(COUNT, 20_000);
/** The publisher stays at most this many messages ahead of what arrived at the sink (all flows together). */
const CREDIT = 1_000;
/** A run ends when nothing arrived for this long (messages dropped), or after RUN_LIMIT_MS. */
const STALL_MS = 3_000;
const RUN_LIMIT_MS = 60_000;
/** After the start (connections, subscriptions, JIT of start-up code) and after the runs, before reading idle RSS. */
const SETTLE_MS = 2_000;

const hex = (n = 4) => randomBytes(n).toString('hex');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const MB = 2 ** 20;

interface Runtime {
  flows: number;
  /** The publisher's root: flow k of many takes `<root>/dev-<k>/#`, a single flow `<root>/#`. */
  root: string;
  run: SluiceRun;
  idleRssMb: number;
  stop(): Promise<void>;
}

interface Throughput {
  /** Messages per second at the sink, first to last arrival. */
  rate: number;
  cpuUsPerMsg: number;
  /** Socket (and other) read + write calls per message: fewer messages per call cost more CPU each. */
  ioCallsPerMsg: number;
  maxRssMb: number;
  missing: number;
}

/** Writes `flows` flow files to a directory and starts `sluice run` on it. */
async function startRuntime(flows: number, outRoot: string): Promise<Runtime> {
  const root = `sluice-many-${hex()}`;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-many-flows-'));
  const clientIds: string[] = [];
  for (let k = 0; k < flows; k++) {
    const clientId = `sluice-many-${hex()}`;
    clientIds.push(clientId);
    const flow = sluiceFlow(flows === 1 ? root : `${root}/dev-${k}`, clientId, {
      connections: [],
      type: 'mqtt-out',
      config: { connection: 'broker', topic: `${outRoot}/{{payload.device}}`, qos: 1 },
    });
    writeFileSync(join(dir, `flow-${k}.json`), JSON.stringify({ ...flow, id: `many-${flows}-${k}` }));
  }
  let run: SluiceRun;
  try {
    run = await startSluiceRun([dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  if (run.running !== flows) {
    await run.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sluice run started ${run.running} of ${flows} flows (${run.failed} failed)`);
  }
  await sleep(SETTLE_MS);
  return {
    flows,
    root,
    run,
    idleRssMb: rssOf(run.pid) / MB,
    async stop() {
      await run.stop();
      rmSync(dir, { recursive: true, force: true });
      // Remove the persistent sessions mqtt-in left on the broker.
      await Promise.all(clientIds.map((id) => dropSession(id)));
    },
  };
}

async function dropSession(clientId: string): Promise<void> {
  const c = await mqtt.connectAsync(MQTT_URL, {
    clientId,
    clean: true,
    protocolVersion: 5,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: 0 },
  });
  await c.endAsync();
}

/** `count` messages flat out on credit through `rt`, counted at the sink by `reader`. */
async function flatOut(pub: LoadPublisher, rt: Runtime, reader: LoadReader, count = COUNT): Promise<Throughput> {
  await reader.reset();
  const use = new ProcSampler(rt.run.pid).start();
  const started = performance.now();
  const { run, done } = pub.publish(rt.root, count, { devices: FLOWS });
  pub.grant(run, CREDIT);
  let granted = CREDIT;
  let last = { n: 0, at: started };
  for (;;) {
    const n = await reader.count();
    const t = performance.now();
    if (n !== last.n) last = { n, at: t };
    if (n + CREDIT - granted >= 50) {
      granted = n + CREDIT;
      pub.grant(run, granted);
    }
    if (n >= count || t - last.at > STALL_MS || t - started > RUN_LIMIT_MS) break;
    await sleep(5);
  }
  const u = use.stop();
  pub.grant(run, count); // after a stall: let the publisher finish
  await done;
  const got = await reader.report(count, { waitMs: STALL_MS });
  return {
    rate: got.count > 1 ? ((got.count - 1) / (got.lastAt - got.firstAt)) * 1000 : 0,
    cpuUsPerMsg: u.cpuUs / Math.max(1, last.n),
    ioCallsPerMsg: u.ioCalls / Math.max(1, last.n),
    maxRssMb: u.maxRss / MB,
    missing: count - got.count,
  };
}

interface Figures {
  rt: Runtime;
  flat: Throughput[];
  idleAfterMb: number;
}

function results(one: Figures, many: Figures, load0: number): BenchResult[] {
  const rate = (f: Figures) => median(f.flat.map((r) => r.rate));
  const cpu = (f: Figures) => median(f.flat.map((r) => r.cpuUsPerMsg));
  const peak = (f: Figures) => median(f.flat.map((r) => r.maxRssMb));
  const note = (f: Figures) => {
    const missing = f.flat.reduce((s, r) => s + r.missing, 0);
    const rates = f.flat.map((r) => fmt(r.rate)).join(', ');
    return `median of ${f.flat.length} x ${fmt(COUNT)} (${rates}), credit ${fmt(CREDIT)}${missing ? `; ${fmt(missing)} not read back` : ''}`;
  };
  const label = (f: Figures) => `${f.rt.flows} flow${f.rt.flows === 1 ? '' : 's'}`;
  const rows: BenchResult[] = [];
  for (const f of [one, many]) {
    rows.push(
      { name: `${label(f)}: total flat out`, value: rate(f), unit: 'msg/s', note: note(f) },
      {
        name: `${label(f)}: CPU per message (sluice run process)`,
        value: cpu(f),
        unit: 'us/msg',
        note: `${median(f.flat.map((r) => r.ioCallsPerMsg)).toFixed(2)} read + write calls per message`,
      },
      { name: `${label(f)}: RSS idle after start`, value: f.rt.idleRssMb, unit: 'MB', note: 'goal < 150' },
      { name: `${label(f)}: RSS at full load (max)`, value: peak(f), unit: 'MB' },
      { name: `${label(f)}: RSS idle after the runs`, value: f.idleAfterMb, unit: 'MB' },
    );
  }
  rows.push(
    {
      name: `ratio ${label(many)} / 1 flow: throughput`,
      value: (rate(many) / rate(one)) * 100,
      unit: '%',
      note: 'goal >= 85',
    },
    { name: `ratio ${label(many)} / 1 flow: CPU per message`, value: (cpu(many) / cpu(one)) * 100, unit: '%' },
    { name: `ratio ${label(many)} / 1 flow: RSS idle`, value: (many.rt.idleRssMb / one.rt.idleRssMb) * 100, unit: '%' },
    {
      name: 'machine load (1-min load average, end)',
      value: loadavg()[0],
      unit: '',
      note: `${load0.toFixed(1)} at the start; ${availableParallelism()} cores shared with the broker, the load processes and whatever else runs`,
    },
  );
  return rows;
}

export async function run(): Promise<BenchResult[]> {
  if (process.platform !== 'linux') throw new Error('reads the runtime process from /proc: Linux only');
  if (!(await reachableUrl(MQTT_URL, 1883))) throw new Error(`Mosquitto not reachable at ${MQTT_URL}`);
  const load0 = loadavg()[0];
  const outRoot = `sluice-many-out-${hex()}`;
  let pub: LoadPublisher | undefined;
  let reader: LoadReader | undefined;
  let one: Runtime | undefined;
  let many: Runtime | undefined;
  try {
    pub = await startPublisher(MQTT_URL);
    reader = await startReader({ kind: 'mqtt', url: MQTT_URL, topic: `${outRoot}/#` });
    // Started one after the other: each idle RSS is read before anything else of the bench runs.
    one = await startRuntime(1, outRoot);
    many = await startRuntime(FLOWS, outRoot);
    const a: Figures = { rt: one, flat: [], idleAfterMb: 0 };
    const b: Figures = { rt: many, flat: [], idleAfterMb: 0 };
    await flatOut(pub, one, reader, WARMUP_COUNT);
    await flatOut(pub, many, reader, WARMUP_COUNT);
    for (let i = 0; i < RUNS; i++) {
      a.flat.push(await flatOut(pub, one, reader));
      b.flat.push(await flatOut(pub, many, reader));
    }
    await sleep(SETTLE_MS);
    a.idleAfterMb = rssOf(one.run.pid) / MB;
    b.idleAfterMb = rssOf(many.run.pid) / MB;
    return results(a, b, load0);
  } finally {
    await one?.stop();
    await many?.stop();
    await reader?.close();
    await pub?.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = now();
  printResults('many-flows', await run());
  console.log(`\n  (${((now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(0);
}
