import amqplib from 'amqplib';
const conn = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
const ch = await conn.createConfirmChannel();
const q = `scratch-cpu-${Math.random().toString(16).slice(2)}`;
await ch.assertQueue(q, { durable: true });
const cons = await conn.createChannel();
await cons.consume(q, () => {}, { noAck: true });
for (const withProps of [false, true, false, true]) {
  let outstanding = 0; const N = 40000; const t0 = performance.now(); const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    while (outstanding >= 1000) await new Promise((r) => setTimeout(r, 1));
    outstanding++;
    const opts = withProps ? { persistent: true, mandatory: true, messageId: crypto.randomUUID(), contentType: 'application/json', timestamp: Math.floor(Date.now() / 1000), headers: { 'mqtt-qos': '1' } } : { persistent: true, mandatory: true };
    ch.publish('', q, Buffer.from(JSON.stringify({ device: 'dev-1', tempF: 70.5, ts: Date.now() + 0.123 })), opts, () => { outstanding--; });
  }
  while (outstanding > 0) await new Promise((r) => setTimeout(r, 5));
  const c = process.cpuUsage(c0);
  console.log(`plain amqplib confirm publish${withProps ? ' + Sluice-like properties' : ''}: ${Math.round(N / (performance.now() - t0) * 1000)} msg/s, ${((c.user + c.system) / N).toFixed(1)} us/msg`);
}
await ch.deleteQueue(q);
await conn.close();
