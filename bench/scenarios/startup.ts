/**
 * Start-up: exec -> the "flow started" log line of `sluice run` (MQTT -> SQLite, MQTT -> PostgreSQL), and
 * `sluice --version`, on the bundled CLI (`bin/sluice.js`, what ships; `npm run bench` builds it) and, for
 * comparison, from source through tsx. Median of RUNS runs each. `node -e 0` is printed too: on a loaded machine
 * every figure grows with it. The first run of a flow compiles its schemas into the cache (its figure is printed
 * separately as "cold cache"); the others are a restart after a crash. Needs Mosquitto on 127.0.0.1:1883.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reachable } from '../support/services.js';
import { type BenchResult, median } from '../types.js';

const RUNS = Number(process.env.STARTUP_RUNS ?? 7);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Wall time, and the CPU time the process used: on a machine shared with other work, CPU time varies less. */
interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** At exit, the child prints its CPU time on stderr (for commands that exit on their own). */
const CPU_AT_EXIT =
  'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write(`\\nCPU ${(u.user+u.system)/1000}\\n`)})';

/** utime + stime of a live process, from /proc (Linux; 10 ms ticks). */
function cpuOfLive(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** From spawn to the first stdout containing `until`, or to exit when `until` is absent. */
function timeTo(args: string[], env: Record<string, string>, until?: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const argv = until ? args : ['--import', CPU_AT_EXIT, ...args];
    const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    let at: Timing | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until && at === undefined && out.includes(until)) {
        at = { wallMs: performance.now() - t0, cpuMs: cpuOfLive(child.pid) };
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      if (!until && code === 0) resolve({ wallMs, cpuMs: Number(/\nCPU ([\d.]+)\n/.exec(err)?.[1] ?? Number.NaN) });
      else if (at !== undefined) resolve(at);
      else reject(new Error(`${args.join(' ')}: exit ${code}: ${err.slice(-300) || out.slice(-300)}`));
    });
  });
}

async function medianOf(runs: number, f: () => Promise<Timing>): Promise<Timing> {
  const all: Timing[] = [];
  for (let i = 0; i < runs; i++) all.push(await f());
  return { wallMs: median(all.map((t) => t.wallMs)), cpuMs: median(all.map((t) => t.cpuMs)) };
}

function figures(name: string, t: Timing, note?: string): BenchResult[] {
  return [
    { name, value: t.wallMs, unit: 'ms', ...(note ? { note } : {}) },
    { name: `  CPU time (user + system)`, value: t.cpuMs, unit: 'ms' },
  ];
}

function mqttFlow(id: string, sink: Record<string, unknown>, connections: unknown[] = []) {
  return {
    format: 'sluice/flow@1',
    id,
    connections: [{ id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } }, ...connections],
    nodes: [
      // QoS 1 with a clean session: the start-up path of a durable flow without leaving a session behind.
      { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [`bench/startup/${id}/#`], qos: 1 } },
      { id: 'store', ...sink },
    ],
    edges: [{ source: 'in', sourcePort: 'out', target: 'store', targetPort: 'in' }],
  };
}

export async function run(): Promise<BenchResult[]> {
  if (!(await reachable('127.0.0.1', 1883))) throw new Error('Mosquitto is not on 127.0.0.1:1883');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-startup-'));
  // The SQLite file lives in the bench's temporary directory: that is the data directory.
  const env = { SLUICE_CACHE_DIR: join(dir, 'cache'), SLUICE_DATA_DIR: dir };
  const results: BenchResult[] = [];
  const started = '"msg":"flow started"';
  try {
    const flows: Array<[string, string]> = [];
    const sqlite = join(dir, 'sqlite.json');
    writeFileSync(
      sqlite,
      JSON.stringify({
        ...mqttFlow('startup-sqlite', { type: 'sqlite-out', config: { file: join(dir, 'bench.db') } }),
        connections: [{ id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883', clean: true } }],
      }),
    );
    flows.push(['MQTT -> SQLite', sqlite]);
    if (await reachable('127.0.0.1', 5432)) {
      const pgFlow = join(dir, 'pg.json');
      const flow = mqttFlow(
        'startup-pg',
        {
          type: 'postgres-out',
          config: {
            connection: 'pg',
            table: 'bench_startup',
            createTable: true,
            columns: { id: 'id', payload: 'payload' },
            types: { id: 'text', payload: 'json' },
            key: ['id'],
          },
        },
        [{ id: 'pg', kind: 'postgres', config: { host: '127.0.0.1', database: 'test', user: 'postgres' } }],
      );
      flow.connections[0] = { id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883', clean: true } };
      writeFileSync(pgFlow, JSON.stringify(flow));
      flows.push(['MQTT -> PostgreSQL', pgFlow]);
    }

    const few = Math.min(RUNS, 3);
    results.push(...figures('node -e 0 (this machine, now)', await medianOf(RUNS, () => timeTo(['-e', '0'], env))));
    results.push(
      ...figures(
        'sluice --version (bin/sluice.js, bundled)',
        await medianOf(RUNS, () => timeTo(['bin/sluice.js', '--version'], env)),
        'goal < 150 ms',
      ),
    );
    results.push(
      ...figures(
        'sluice --version (src through tsx)',
        await medianOf(few, () => timeTo(['--import', 'tsx', 'src/cli/main.ts', '--version'], env)),
      ),
    );
    for (const [label, file] of flows) {
      const cold = await timeTo(['bin/sluice.js', 'run', file], env, started);
      results.push(...figures(`run ${label}: exec -> flow started, cold cache`, cold));
      results.push(
        ...figures(
          `run ${label}: exec -> flow started`,
          await medianOf(RUNS, () => timeTo(['bin/sluice.js', 'run', file], env, started)),
          'goal < 300 ms',
        ),
      );
    }
    results.push(
      ...figures(
        'run MQTT -> SQLite from source through tsx',
        await medianOf(few, () => timeTo(['--import', 'tsx', 'src/cli/main.ts', 'run', sqlite], env, started)),
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
