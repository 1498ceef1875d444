/**
 * The README's five-minute tutorial, followed as written on a fresh data directory: its tables (connections, nodes
 * by their form labels, wires) become the flow, created and deployed through the API of a real `sluice serve
 * --embedded-mqtt`, watched until rows reach SQLite, exported, validated and run headless with `sluice run`; then the
 * Kafka step's tables, run with `sluice run` against the test Kafka cluster.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../nodes/catalog.js';
import type { FlowRuntimeView } from '../src/server/protocol.js';
import { repoRoot } from './support/cli.js';
import { kafkaForTests, TEST_CONSUMER_CONFIG, uniqueTopic } from './support/kafka.js';

const README = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const TUTORIAL_PORT = '18830';
const tsx = import.meta.resolve('tsx');
const main = join(repoRoot, 'src/cli/main.ts');
const kafka = kafkaForTests();

/** The lines between `<!-- tutorial:NAME -->` and `<!-- /tutorial:NAME -->`. */
function block(name: string): string[] {
  const m = new RegExp(`<!-- tutorial:${name} -->\\n([\\s\\S]*?)<!-- /tutorial:${name} -->`).exec(README);
  if (!m) throw new Error(`README has no tutorial:${name} block`);
  return m[1].split('\n').filter((l) => l.trim());
}

/** A markdown table's rows as cells, backticks removed (header and rule skipped). */
function rows(name: string): string[][] {
  return block(name)
    .slice(2)
    .map((l) =>
      l
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((c) => c.trim().replace(/^`(.*)`$/, '$1')),
    );
}

function wires(name: string): Array<[string, string]> {
  return block(name).map((l) => {
    const [from, to] = l.replace(/^- /, '').split(' → ');
    return [from.trim(), to.trim()];
  });
}

const slug = (label: string) => label.toLowerCase().replace(/[^a-z0-9]+/g, '-');

type Schema = { properties: Record<string, { title?: string; type?: string }> };

/** What a user types into the field with this label, as the form stores it. */
function fieldValue(schema: Schema, label: string, text: string, where: string): [string, unknown] {
  const entry = Object.entries(schema.properties).find(([, p]) => p.title === label);
  if (!entry) throw new Error(`${where}: no field labelled "${label}" (the README must use the form's labels)`);
  const [key, prop] = entry;
  if (prop.type === 'integer' || prop.type === 'number') return [key, Number(text)];
  if (prop.type === 'array') return [key, [text]];
  return [key, text];
}

function connectionsFrom(name: string, port: string) {
  const out = new Map<string, { id: string; kind: string; name: string; config: Record<string, unknown> }>();
  for (const [conn, kind, label, value] of rows(name)) {
    const def = catalog.connections.find((c) => c.kind === kind);
    if (!def) throw new Error(`README: no connection kind "${kind}"`);
    const c = out.get(conn) ?? { id: conn, kind, name: conn, config: {} };
    const [key, v] = fieldValue(def.config as unknown as Schema, label, value.replace(TUTORIAL_PORT, port), conn);
    c.config[key] = v;
    out.set(conn, c);
  }
  return [...out.values()];
}

function nodesFrom(name: string, port: string) {
  const out = new Map<
    string,
    { id: string; type: string; name: string; position: object; config: Record<string, unknown> }
  >();
  for (const [label, type, field, value] of rows(name)) {
    const def = catalog.nodes.find((n) => n.type === type);
    if (!def) throw new Error(`README: no node type "${type}"`);
    const n = out.get(label) ?? {
      id: slug(label),
      type,
      name: label,
      position: { x: out.size * 220, y: 0 },
      config: {},
    };
    if (field) {
      const [key, v] = fieldValue(def.config as unknown as Schema, field, value.replace(TUTORIAL_PORT, port), label);
      n.config[key] = v;
    }
    out.set(label, n);
  }
  return [...out.values()];
}

const edgesFrom = (list: Array<[string, string]>) =>
  list.map(([from, to]) => ({ source: slug(from), sourcePort: 'out', target: slug(to), targetPort: 'in' }));

async function freePort(): Promise<number> {
  const s = tcp();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Proc {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function sluice(args: string[], cwd: string): Proc {
  const proc = spawn(process.execPath, ['--import', tsx, main, ...args], {
    cwd,
    env: { ...process.env, SLUICE_TOKEN: '', SLUICE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += String(d);
  });
  proc.stderr?.on('data', (d) => {
    out += String(d);
  });
  return { proc, out: () => out, exited: new Promise((r) => proc.on('exit', (code) => r(code))) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function rowCount(db: string): number {
  if (!existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare('select count(*) as n from readings').get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    conn.close();
  }
}

describe('the README tutorial, followed as written', () => {
  let work: string;
  let port: string;
  let serve: Proc | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sluice-tutorial-'));
    port = String(await freePort());
  });

  afterAll(async () => {
    if (serve?.proc.exitCode === null) serve.proc.kill('SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  it('builds, deploys, watches and exports the MQTT -> transform -> filter -> SQLite flow, then runs it headless', async () => {
    // Step 1 (with a free port instead of the README's, and of the MQTT port too: tests share the machine).
    serve = sluice(['serve', '--embedded-mqtt', port, '--port', '0'], work);
    const url = await until(
      'the editor address',
      () => /Sluice editor: (http:\/\/[^/\s]+)\//.exec(serve?.out() ?? '')?.[1],
    );
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          'x-sluice-client': 'tutorial',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    // Steps 2 to 5: the flow, its connection, its nodes and wires, as the README's tables say.
    const flow = {
      format: 'sluice/flow@1',
      name: 'Tutorial',
      connections: connectionsFrom('connections', port),
      nodes: nodesFrom('nodes', port),
      edges: edgesFrom(wires('edges')),
    };
    const created = await api('POST', '/api/flows', { flow });
    const saved = (await created.json()) as { id: string; problems: Array<{ severity: string; message: string }> };
    expect(created.status).toBe(201);
    expect(saved.id).toBe('tutorial');
    // The Problems tab is empty.
    expect(saved.problems.filter((p) => p.severity === 'error')).toEqual([]);

    // Step 6: deploy, watch the counters, rows in tutorial.db where the editor was started.
    expect((await api('POST', '/api/flows/tutorial/deploy', {})).status).toBe(200);
    const view = await until('warm readings stored', async () => {
      const v = (await (await api('GET', '/api/runtime/flows/tutorial')).json()) as FlowRuntimeView;
      return v.state === 'running' && (v.counters.store?.out ?? 0) >= 3 && (v.counters.watch?.in ?? 0) >= 3
        ? v
        : undefined;
    });
    expect(view.counters.warm.out).toBeLessThanOrEqual(view.counters.warm.in);
    expect(view.counters.warm.dropped).toBeGreaterThanOrEqual(0);
    const db = join(work, 'tutorial.db');
    await until('rows in tutorial.db', () => (rowCount(db) > 0 ? true : undefined));
    const debug = await (await api('GET', '/api/runtime/flows/tutorial/debug/watch')).json();
    expect((debug as { messages: Array<{ payload: { tempC: number } }> }).messages[0].payload.tempC).toBeGreaterThan(
      15,
    );

    // Step 7: export, validate.
    const exported = await api('GET', '/api/flows/tutorial/export');
    expect(exported.headers.get('content-disposition')).toContain('filename="tutorial.json"');
    await writeFile(join(work, 'tutorial.json'), await exported.text());
    const validate = sluice(['validate', 'tutorial.json'], work);
    expect(await validate.exited).toBe(0);

    // Step 8: stop the editor (drains), run the exported file headless.
    serve.proc.kill('SIGINT');
    expect(await serve.exited).toBe(0);
    const before = rowCount(db);
    const run = sluice(['run', 'tutorial.json', '--embedded-mqtt', port], work);
    await until('more rows from sluice run', () => (rowCount(db) > before ? true : undefined));
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 120_000);

  it.runIf(kafka)(
    'then sends the warm readings into Kafka (step 9)',
    async () => {
      const k = kafka as NonNullable<typeof kafka>;
      const topic = uniqueTopic('tutorial-readings');
      await k.createTopic(topic, 1);
      const kafkaNodes = nodesFrom('kafka-nodes', port).map((n) =>
        n.type === 'kafka-out' ? { ...n, config: { ...n.config, topic } } : n,
      );
      const kafkaConnections = connectionsFrom('kafka-connections', port).map((c) => ({
        ...c,
        config: { ...c.config, brokers: k.brokers },
      }));
      const base = nodesFrom('nodes', port).filter((n) => n.id !== 'store');
      const flow = {
        format: 'sluice/flow@1',
        id: 'tutorial-kafka',
        name: 'Tutorial',
        connections: [...connectionsFrom('connections', port), ...kafkaConnections],
        nodes: [...base, ...kafkaNodes],
        edges: [...edgesFrom(wires('edges')).filter((e) => e.target !== 'store'), ...edgesFrom(wires('kafka-edges'))],
      };
      await writeFile(join(work, 'tutorial-kafka.json'), JSON.stringify(flow, null, 2));
      const run = sluice(['run', 'tutorial-kafka.json', '--embedded-mqtt', port], work);

      const client = new Kafka({ brokers: k.brokers, logLevel: logLevel.NOTHING });
      const consumer = client.consumer({ groupId: `${topic}-check`, ...TEST_CONSUMER_CONFIG });
      const got: Array<{ tempC: number }> = [];
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            got.push(JSON.parse(String(message.value)) as { tempC: number });
          },
        });
        await until('readings in Kafka', () => (got.length >= 3 ? true : undefined), 60_000);
      } finally {
        await consumer.disconnect();
        run.proc.kill('SIGINT');
      }
      expect(await run.exited).toBe(0);
      expect(got.every((r) => r.tempC > 15)).toBe(true);
    },
    120_000,
  );
});
