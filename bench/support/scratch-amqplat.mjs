import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import amqplib from 'amqplib';
import { catalog } from '../../dist/nodes/catalog.js';
import { Engine } from '../../dist/src/runtime/engine.js';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// instrument amqplib
const atPublish = [], atConfirm = [];
import { createRequire } from 'node:module';
const CC = createRequire(import.meta.url)('/work/main/node_modules/amqplib/lib/channel_model.js').ConfirmChannel;
const orig = CC.prototype.publish;
CC.prototype.publish = function (ex, rk, content, opts, cb) {
  const ts = JSON.parse(content.toString()).ts;
  atPublish.push(now() - ts);
  return orig.call(this, ex, rk, content, opts, (err, ok) => { atConfirm.push(now() - ts); cb(err, ok); });
};
const child = fork(new URL('./load-child.ts', import.meta.url).pathname, ['--publisher', 'mqtt://127.0.0.1:1883'], { execArgv: ['--import', 'tsx'] });
await new Promise((r) => child.once('message', r));
const id = randomBytes(4).toString('hex');
const admin = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
const ach = await admin.createChannel();
const ex = `scratch.${id}`;
await ach.assertExchange(ex, 'topic', { durable: true });
await ach.assertQueue(`${ex}.q`, { durable: true });
await ach.bindQueue(`${ex}.q`, ex, '#');
const atConsumer = [];
await ach.consume(`${ex}.q`, (m) => atConsumer.push(now() - JSON.parse(m.content.toString()).ts), { noAck: true });
const root = `scratch-${id}`;
const engine = new Engine({ catalog });
await engine.start({
  format: 'sluice/flow@1', id: `scratch-${id}`, settings: { maxInFlight: 1000 },
  connections: [
    { id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883', protocolVersion: '5', sessionExpiry: 10 } },
    { id: 'rabbit', kind: 'amqp', config: { url: 'amqp://127.0.0.1:5672' } },
  ],
  nodes: [
    { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [`${root}/#`], qos: 1, codec: 'json' } },
    { id: 'map', type: 'transform', config: { expression: '{"device": $split(topic, "/")[1], "tempF": payload.temp * 1.8 + 32, "ts": payload.ts}' } },
    { id: 'keep', type: 'filter', config: { condition: 'payload.tempF > -1000' } },
    { id: 'out', type: 'amqp-out', config: { connection: 'rabbit', exchange: ex, routingKey: process.env.RK ?? 'readings.{{payload.device}}', copyHeaders: !process.env.NOHDR } },
  ],
  edges: [
    { source: 'in', sourcePort: 'out', target: 'map', targetPort: 'in' },
    { source: 'map', sourcePort: 'out', target: 'keep', targetPort: 'in' },
    { source: 'keep', sourcePort: 'out', target: 'out', targetPort: 'in' },
  ],
});
const rate = Number(process.argv[2] ?? 5000);
for (let r = 0; r < 2; r++) {
  atPublish.length = 0; atConfirm.length = 0; atConsumer.length = 0;
  const run = 100 + r;
  const done = new Promise((res) => child.on('message', (m) => m.op === 'published' && m.run === run && res()));
  const cpu0 = process.cpuUsage();
  child.send({ op: 'publish', run, root, count: rate * 4, rate });
  await done;
  await sleep(500);
  const c = process.cpuUsage(cpu0);
  const q = (a, p) => { const s = a.slice(rate / 2).sort((x, y) => x - y); return s[Math.floor(p * s.length)]?.toFixed(1); };
  console.log(`run ${r} @${rate}/s: n=${atConsumer.length} cpu ${((c.user + c.system) / (rate * 4)).toFixed(1)} us/msg | at amqp publish p50 ${q(atPublish, 0.5)} p99 ${q(atPublish, 0.99)} | confirm p50 ${q(atConfirm, 0.5)} p99 ${q(atConfirm, 0.99)} | consumer p50 ${q(atConsumer, 0.5)} p99 ${q(atConsumer, 0.99)}`);
}
await engine.stop();
await ach.deleteQueue(`${ex}.q`); await ach.deleteExchange(ex); await admin.close();
child.send({ op: 'quit' });
process.exit(0);
