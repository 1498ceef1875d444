import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { catalog } from '../../dist/nodes/catalog.js';
import { Engine } from '../../dist/src/runtime/engine.js';
import net from 'node:net';
if (process.env.AUTOCORK) {
  const orig = net.Socket.prototype.write;
  net.Socket.prototype.write = function (...args) {
    if (!this.__corked) { this.__corked = true; this.cork(); setImmediate(() => { this.__corked = false; this.uncork(); }); }
    return orig.apply(this, args);
  };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (n) => (n / 2 ** 20).toFixed(0);
const show = (label) => { const m = process.memoryUsage(); console.log(label.padEnd(30), 'rss', mb(m.rss), 'heapTotal', mb(m.heapTotal), 'heapUsed', mb(m.heapUsed)); };
show('start');
const sink = process.argv[2] ?? 'pg';
const RUNS = Number(process.argv[3] ?? 3);
const child = fork(new URL('./load-child.ts', import.meta.url).pathname, ['--publisher', 'mqtt://127.0.0.1:1883'], { execArgv: ['--import', 'tsx'] });
await new Promise((r) => child.once('message', r));
const id = randomBytes(4).toString('hex');
const table = `sluice_scratch_${id}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await admin.connect();
await admin.query(`CREATE TABLE ${table} (msg_id text PRIMARY KEY, device text, temp_f double precision, ts double precision)`);
const root = `scratch-${id}`;
const engine = new Engine({ catalog });
import amqplib from 'amqplib';
const amqpAdmin = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
const ach = await amqpAdmin.createChannel();
await ach.assertExchange(`scratch.${id}`, 'topic', { durable: true });
await ach.assertQueue(`scratch.${id}.q`, { durable: true });
await ach.bindQueue(`scratch.${id}.q`, `scratch.${id}`, '#');
await ach.consume(`scratch.${id}.q`, () => {}, { noAck: true });
await engine.start({
  format: 'sluice/flow@1', id: `scratch-${id}`, settings: { maxInFlight: 1000 },
  connections: [
    { id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883', protocolVersion: '5', sessionExpiry: 10 } },
    { id: 'rabbit', kind: 'amqp', config: { url: 'amqp://127.0.0.1:5672' } },
    { id: 'pg', kind: 'postgres', config: { host: '127.0.0.1', user: 'postgres', database: 'test' } },
  ],
  nodes: [
    { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [`${root}/#`], qos: 1, codec: 'json' } },
    { id: 'map', type: 'transform', config: { expression: '{"device": $split(topic, "/")[1], "tempF": payload.temp * 1.8 + 32, "ts": payload.ts}' } },
    { id: 'keep', type: 'filter', config: { condition: 'payload.tempF > -1000' } },
    sink === 'mqtt' ? { id: 'out', type: 'mqtt-out', config: { connection: 'broker', topic: `scratch-out-${id}/{{payload.device}}`, qos: 1 } } :
    sink === 'amqp' ? { id: 'out', type: 'amqp-out', config: { connection: 'rabbit', exchange: `scratch.${id}`, routingKey: 'readings.{{payload.device}}' } } :
    { id: 'out', type: 'postgres-out', config: { connection: 'pg', table, columns: { msg_id: 'id', device: 'payload.device', temp_f: 'payload.tempF', ts: 'payload.ts' }, types: { msg_id: 'text', device: 'text', temp_f: 'double', ts: 'double' }, key: ['msg_id'], batchSize: 500, lingerMs: 5 } },
  ],
  edges: [
    { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
    { source: 'map', sourcePort: 'out', target: 'keep', targetPort: 'in' },
    { source: 'keep', sourcePort: 'out', target: 'out', targetPort: 'in' },
  ],
});
show('engine started');
for (let r = 0; r < RUNS; r++) {
  const base = engine.counters().in.acked ?? 0;
  const run = 100 + r;
  const done = new Promise((res) => child.on('message', (m) => m.op === 'published' && m.run === run && res()));
  child.send({ op: 'publish', run, root, count: 60000 });
  let maxRss = 0;
  const cpu0 = process.cpuUsage();
  while ((engine.counters().in.acked ?? 0) - base < 60000) {
    child.send({ op: 'grant', run, allowed: (engine.counters().in.acked ?? 0) - base + 1000 });
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
    await sleep(5);
  }
  const c = process.cpuUsage(cpu0);
  await done;
  show(`after run ${r} (max rss ${mb(maxRss)}, ${((c.user + c.system) / 60000).toFixed(1)} us/msg)`);
}
await engine.stop();
await admin.query(`DROP TABLE ${table}`);
await admin.end();
await ach.deleteQueue(`scratch.${id}.q`); await ach.deleteExchange(`scratch.${id}`); await amqpAdmin.close();
child.send({ op: 'quit' });
process.exit(0);
