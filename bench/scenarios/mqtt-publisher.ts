/**
 * Child process of bench/scenarios/mqtt.ts: publishes QoS 1 JSON messages to Mosquitto as fast as the parent's
 * credit allows (the parent grants `delivered + 500`, which keeps the subscriber's session inside Mosquitto's
 * receive maximum + max_queued_messages, so the broker never drops). Does nothing when imported.
 *
 *   node --import tsx bench/scenarios/mqtt-publisher.ts <broker url> <topic> <count>
 */
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';

async function main(url: string, topic: string, count: number): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5 });
  let allowed = 0;
  let wake: (() => void) | undefined;
  process.on('message', (m: { allowed: number }) => {
    allowed = m.allowed;
    wake?.();
  });
  process.send?.({ ready: true });
  let sent = 0;
  let outstanding = 0;
  while (sent < count) {
    if (sent >= allowed || outstanding >= 500) {
      await new Promise<void>((r) => {
        wake = r;
      });
      continue;
    }
    const body = JSON.stringify({
      id: `b${sent}`,
      device: `dev-${sent % 10}`,
      temp: 21.5,
      text: 'a typical small reading',
    });
    outstanding++;
    sent++;
    client.publish(topic, body, { qos: 1 }, () => {
      outstanding--;
      wake?.();
    });
    if (sent % 256 === 0) await new Promise((r) => setImmediate(r));
  }
  while (outstanding > 0) await new Promise<void>((r) => (wake = r));
  await client.endAsync();
  process.send?.({ done: true, cpu: process.cpuUsage() });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, topic, count] = process.argv.slice(2);
  await main(url, topic, Number(count));
  process.exit(0);
}
