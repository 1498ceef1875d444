import amqplib from 'amqplib';
const conn = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
const ch = await conn.createConfirmChannel();
const now = () => performance.timeOrigin + performance.now();
for (const persistent of [true, false]) {
  const q = `scratch-lat-${Math.random().toString(16).slice(2)}`;
  await ch.assertQueue(q, { durable: persistent });
  const cons = await conn.createChannel();
  await cons.consume(q, () => {}, { noAck: true });
  const lats = [];
  const t0 = now();
  const N = 15000;
  let outstanding = 0;
  for (let i = 0; i < N; i++) {
    while (i > ((now() - t0) / 1000) * 5000) await new Promise((r) => setTimeout(r, 1));
    const ts = now();
    outstanding++;
    ch.publish('', q, Buffer.from(`{"ts":${ts}}`), { persistent, mandatory: true }, () => { lats.push(now() - ts); outstanding--; });
  }
  while (outstanding > 0) await new Promise((r) => setTimeout(r, 5));
  lats.sort((a, b) => a - b);
  const p = (q) => lats[Math.floor(q * lats.length)].toFixed(1);
  console.log(persistent ? 'persistent durable' : 'transient', 'confirm latency p50', p(0.5), 'p99', p(0.99), 'max', lats[lats.length - 1].toFixed(1));
  await ch.deleteQueue(q);
  await cons.close();
}
// flat-out: confirms/s with 1000 in flight
{
  const q = `scratch-flat-${Math.random().toString(16).slice(2)}`;
  await ch.assertQueue(q, { durable: true });
  const cons = await conn.createChannel();
  await cons.consume(q, () => {}, { noAck: true });
  let outstanding = 0, done = 0; const N = 40000; const t0 = now();
  for (let i = 0; i < N; i++) {
    while (outstanding >= 1000) await new Promise((r) => setTimeout(r, 1));
    outstanding++;
    ch.publish('', q, Buffer.from('{"device":"dev-1","tempF":70,"ts":1}'), { persistent: true, mandatory: true }, () => { outstanding--; done++; });
  }
  while (outstanding > 0) await new Promise((r) => setTimeout(r, 5));
  const c = process.cpuUsage();
  console.log('plain amqplib flat out, 1000 in flight, persistent:', Math.round(N / (now() - t0) * 1000), 'msg/s');
  await ch.deleteQueue(q);
}
await conn.close();
