/**
 * The container without a container engine: the production install made by deploy/install.sh exactly as the
 * Dockerfile runs it (pack, `npm ci --omit=dev`, the packed tarball over it), then the image's ENTRYPOINT + CMD with
 * the image's environment, run on "mounted" flows against the real services: MQTT in, PostgreSQL and SQLite out.
 *
 * The first run builds better-sqlite3 from source (minutes here); the dependency step is then cached under a hash of
 * package.json, package-lock.json and install.sh (see test/support/production-install.ts), as Docker caches its
 * layer.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { connectAsync } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/private-mosquitto.js';
import { type ProductionInstall, productionInstall } from '../support/production-install.js';
import { requireService } from '../support/services.js';
import { readDockerfile } from './dockerfile.js';

const run = (await requireService('mosquitto')) && (await requireService('postgres'));
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const MESSAGES = 300;

/** path -> size and mtime of every file under `dir`: what a read-only root file system would have refused. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const s = statSync(p, { throwIfNoEntry: false });
        out.set(p, s ? `${s.size}:${s.mtimeMs}` : 'dangling');
      }
    }
  };
  walk(dir);
  return out;
}

describe.runIf(run)('production install (the Dockerfile steps, no Docker engine)', () => {
  let install: ProductionInstall;
  beforeAll(async () => {
    install = await productionInstall();
    console.log(
      `[production install] pack ${install.packFromCache ? 'from cache' : `${install.seconds.pack.toFixed(1)} s`}, deps ${install.depsFromCache ? 'from cache' : `${install.seconds.deps.toFixed(1)} s`}, app ${install.seconds.app.toFixed(1)} s`,
    );
  }, 900_000);
  afterAll(() => {
    if (install) rmSync(install.root, { recursive: true, force: true });
  });

  it('holds the built application and production dependencies only', () => {
    const modules = join(install.appDir, 'node_modules');
    for (const dev of ['typescript', 'vitest', 'vite', '@biomejs/biome', 'electron', 'playwright-core', 'react']) {
      expect(existsSync(join(modules, dev)), `dev dependency ${dev} in the production install`).toBe(false);
    }
    for (const prod of ['better-sqlite3', 'mqtt', 'pg', 'kafkajs', 'amqplib', 'prom-client']) {
      expect(existsSync(join(modules, prod)), `dependency ${prod} missing`).toBe(true);
    }
    expect(existsSync(join(install.appDir, 'dist/src/cli/main.js'))).toBe(true);
    expect(existsSync(join(install.appDir, 'renderer/dist/index.html'))).toBe(true);
    // The editor ships React's production build, though this test packs it with NODE_ENV=test: no dev-only message.
    const assets = join(install.appDir, 'renderer/dist/assets');
    const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const f of scripts) {
      const text = readFileSync(join(assets, f), 'utf8');
      expect(text.includes('cannot be a child of'), `${f} holds React's development build`).toBe(false);
    }
    expect(existsSync(join(install.appDir, 'src'))).toBe(false);
    expect(existsSync(join(install.appDir, 'test'))).toBe(false);
  });

  it('runs the image entry command on the mounted flows: MQTT into PostgreSQL and SQLite', async () => {
    const image = readDockerfile();
    expect(image.user).not.toBe('root');
    expect(image.entrypoint).toEqual(['sluice', 'run']);
    expect(image.cmd).toEqual(['/flows']);
    // Relative paths (a SQLite file) land on the data volume: the working directory is the data directory.
    expect(image.workdir).toBe(image.env.SLUICE_DATA_DIR);
    expect(image.volumes).toEqual([image.env.SLUICE_DATA_DIR]);

    const name = `prod_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const flowsDir = join(install.root, 'flows'); // mounted at /flows
    const dataDir = join(install.root, 'data'); // the /data volume
    const home = join(install.root, 'home');
    for (const d of [flowsDir, dataDir, home]) mkdirSync(d, { recursive: true });
    const topic = `prod/${name}`;
    const flowFile = join(flowsDir, 'ingest.json');
    writeFileSync(
      flowFile,
      JSON.stringify({
        format: 'sluice/flow@1',
        id: 'ingest',
        name: 'readings into PostgreSQL and SQLite',
        connections: [
          {
            id: 'broker',
            kind: 'mqtt',
            config: { url: 'mqtt://127.0.0.1:1883', protocolVersion: '5', clientId: name, sessionExpirySeconds: 60 },
          },
          { id: 'pg', kind: 'postgres', config: PG },
        ],
        nodes: [
          {
            id: 'readings',
            type: 'mqtt-in',
            position: { x: 0, y: 0 },
            config: { connection: 'broker', topics: [`${topic}/#`], qos: 1, codec: 'json' },
          },
          {
            id: 'warehouse',
            type: 'postgres-out',
            position: { x: 300, y: 0 },
            config: {
              connection: 'pg',
              table: name,
              columns: { msg_id: 'payload.id', temp: 'payload.temp' },
              types: { msg_id: 'text', temp: 'double' },
              key: ['msg_id'],
              createTable: true,
            },
          },
          {
            id: 'local',
            type: 'sqlite-out',
            position: { x: 300, y: 150 },
            config: {
              file: 'readings.db',
              table: 'readings',
              columns: { msg_id: 'payload.id', temp: 'payload.temp' },
              key: ['msg_id'],
              createTable: true,
            },
          },
        ],
        edges: [
          { source: 'readings', sourcePort: 'out', target: 'warehouse', targetPort: 'in' },
          { source: 'readings', sourcePort: 'out', target: 'local', targetPort: 'in' },
        ],
      }),
    );

    // The image's environment, with /app where the install is and the ports the test can use.
    const opsPort = await freePort();
    const env: Record<string, string> = { HOME: home };
    for (const [k, v] of Object.entries(image.env)) {
      env[k] = v.replaceAll('/app', install.appDir).replace('$PATH', `${dirname(process.execPath)}:/usr/bin:/bin`);
    }
    Object.assign(env, { SLUICE_DATA_DIR: dataDir, SLUICE_OPS_PORT: String(opsPort), SLUICE_OPS_HOST: '127.0.0.1' });
    expect(env.PATH.startsWith(install.binDir)).toBe(true);

    const before = snapshot(install.appDir);
    const start = (args: string[]) => {
      const child = spawn(image.entrypoint[0], [...image.entrypoint.slice(1), ...args], { cwd: dataDir, env });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const ready = new Promise<boolean>((resolve) => {
        const timer = setInterval(() => {
          if (/"msg":"running/.test(out)) resolve(true);
        }, 50);
        void exited.then(() => resolve(false));
        void Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]).then(() => clearInterval(timer));
      });
      return { child, ready, exited, output: () => out };
    };

    // The image's CMD: every flow in the mounted /flows directory.
    const runner = start(image.cmd.map((arg) => (arg === '/flows' ? flowsDir : arg)));
    expect(await runner.ready, runner.output()).toBe(true);
    const child: ChildProcess = runner.child;

    const db = new pg.Client(PG);
    await db.connect();
    const publisher = await connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5, clean: true });
    try {
      for (let i = 0; i < MESSAGES; i++) {
        await publisher.publishAsync(`${topic}/d${i % 5}`, JSON.stringify({ id: `r${i}`, temp: i / 10 }), { qos: 1 });
      }
      const deadline = Date.now() + 30_000;
      let stored = 0;
      while (Date.now() < deadline) {
        const r = await db.query<{ n: string }>(`SELECT count(DISTINCT msg_id) AS n FROM "${name}"`).catch(() => null);
        stored = r ? Number(r.rows[0].n) : 0;
        if (stored === MESSAGES) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(stored, runner.output().slice(-3000)).toBe(MESSAGES);

      // The ops port and the image's HEALTHCHECK command, where the runner serves them.
      const health = await fetch(`http://127.0.0.1:${opsPort}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
      expect(ready.status, await ready.text()).toBe(200);
      const check = spawnSync(image.healthcheck[0], image.healthcheck.slice(1), { env, timeout: 10_000 });
      expect(check.status, String(check.stderr)).toBe(0);
    } finally {
      await publisher.endAsync();
      await db.query(`DROP TABLE IF EXISTS "${name}"`).catch(() => {});
      await db.end();
    }

    child.kill('SIGTERM');
    expect(await runner.exited, runner.output().slice(-2000)).toBe(0);

    // The SQLite file is on the data volume, complete; nothing was written under /app.
    const sqlite = new Database(join(dataDir, 'readings.db'), { readonly: true });
    const rows = sqlite.prepare('SELECT count(*) AS n FROM readings').get() as { n: number };
    sqlite.close();
    expect(rows.n).toBe(MESSAGES);
    expect(snapshot(install.appDir)).toEqual(before);
  }, 120_000);
});
