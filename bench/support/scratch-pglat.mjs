import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { catalog } from '../../dist/nodes/catalog.js';
import { Engine } from '../../dist/src/runtime/engine.js';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const child = fork(new URL('./load-child.ts', import.meta.url).pathname, ['--publisher', 'mqtt://127.0.0.1:1883'], { execArgv: ['--import', 'tsx'] });
await new Promise((r) => child.once('message', r));
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await admin.connect();
for (const linger of (process.argv[2] ?? '0,5,50').split(',').map(Number)) {
  const id = randomBytes(4).toString('hex');
  const table = `sluice_scratch_${id}`;
  await admin.query(`CREATE TABLE ${table} (msg_id text PRIMARY KEY, device text, temp_f double precision, ts double precision, written_at timestamptz default clock_timestamp())`);
  const root = `scratch-${id}`;
  const engine = new Engine({ catalog });
  await engine.start({
    format: 'sluice/flow@1', id: `scratch-${id}`, settings: { maxInFlight: 1000 },
    connections: [
      { id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883', protocolVersion: '5', sessionExpiry: 10 } },
      { id: 'pg', kind: 'postgres', config: { host: '127.0.0.1', user: 'postgres', database: 'test' } },
    ],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [`${root}/#`], qos: 1, codec: 'json' } },
      { id: 'map', type: 'transform', config: { expression: '{"device": $split(topic, "/")[1], "tempF": payload.temp * 1.8 + 32, "ts": payload.ts}' } },
      { id: 'keep', type: 'filter', config: { condition: 'payload.tempF > -1000' } },
      { id: 'out', type: 'postgres-out', config: { connection: 'pg', table, columns: { msg_id: 'id', device: 'payload.device', temp_f: 'payload.tempF', ts: 'payload.ts' }, types: { msg_id: 'text', device: 'text', temp_f: 'double', ts: 'double' }, key: ['msg_id'], batchSize: 500, lingerMs: linger } },
    ],
    edges: [
      { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
      { source: 'map', sourcePort: 'out', target: 'keep', targetPort: 'in' },
      { source: 'keep', sourcePort: 'out', target: 'out', targetPort: 'in' },
    ],
  });
  const run = 1000 + linger;
  const done = new Promise((res) => child.on('message', (m) => m.op === 'published' && m.run === run && res()));
  const c0 = process.cpuUsage();
  child.send({ op: 'publish', run, root, count: 15000, rate: 5000 });
  await done; await sleep(300);
  const c = process.cpuUsage(c0);
  const { rows } = await admin.query(`SELECT count(*) n, percentile_cont(array[0.5,0.99]) within group (order by extract(epoch from written_at)*1000 - ts) p, count(distinct date_trunc('milliseconds', written_at)) batches FROM ${table} WHERE ts > (SELECT min(ts) + 500 FROM ${table})`);
  console.log(`linger ${linger}: n=${rows[0].n} insert-time latency p50 ${rows[0].p[0].toFixed(1)} ms p99 ${rows[0].p[1].toFixed(1)} ms; cpu ${((c.user + c.system) / 15000).toFixed(1)} us/msg`);
  await engine.stop();
  await admin.query(`DROP TABLE ${table}`);
}
await admin.end();
child.send({ op: 'quit' });
process.exit(0);
