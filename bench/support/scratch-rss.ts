import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { catalog } from '../../nodes/catalog.js';
import { Engine } from '../../src/runtime/engine.js';
import { sleep } from './clock.js';
import { startPublisher } from './load.js';

const mb = (n: number) => (n / 2 ** 20).toFixed(0);
const show = (label: string) => {
  const m = process.memoryUsage();
  console.log(label.padEnd(30), 'rss', mb(m.rss), 'heapTotal', mb(m.heapTotal), 'heapUsed', mb(m.heapUsed), 'external', mb(m.external), 'ab', mb(m.arrayBuffers));
};
const sink = process.argv[2] ?? 'pg';
show('start');
const pub = await startPublisher('mqtt://127.0.0.1:1883');
const id = randomBytes(4).toString('hex');
const table = `sluice_scratch_${id}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await admin.connect();
await admin.query(`CREATE TABLE ${table} (msg_id text PRIMARY KEY, device text, temp_f double precision, ts double precision)`);
const root = `scratch-${id}`;
const engine = new Engine({ catalog });
const out = sink === 'pg' ? {
  id: 'out', type: 'postgres-out', config: { connection: 'pg', table, columns: { msg_id: 'id', device: 'payload.device', temp_f: 'payload.tempF', ts: 'payload.ts' }, types: { msg_id: 'text', device: 'text', temp_f: 'double', ts: 'double' }, key: ['msg_id'], batchSize: 500, lingerMs: 5 },
} : { id: 'out', type: 'mqtt-out', config: { connection: 'broker', topic: `scratch-out-${id}/{{payload.device}}`, qos: 1 } };
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
    out,
  ],
  edges: [
    { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
    { source: 'map', sourcePort: 'out', target: 'keep', targetPort: 'in' },
    { source: 'keep', sourcePort: 'out', target: 'out', targetPort: 'in' },
  ],
});
show('engine started');
for (let r = 0; r < 4; r++) {
  const base = engine.counters().in.acked ?? 0;
  const { run, done } = pub.publish(root, 60_000);
  let maxRss = 0;
  let t = 0;
  while ((engine.counters().in.acked ?? 0) - base < 60_000) {
    pub.grant(run, (engine.counters().in.acked ?? 0) - base + 1000);
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
    if (++t % 100 === 0) show(`  run ${r} t=${t * 5}ms`);
    await sleep(5);
  }
  await done;
  show(`after run ${r} (max rss ${mb(maxRss)})`);
  if (global.gc) { global.gc(); show('  after gc'); }
}
await engine.stop();
await admin.query(`DROP TABLE ${table}`);
await admin.end();
await pub.close();
process.exit(0);
