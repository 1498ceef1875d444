/**
 * Child process for number-cache.test.ts: runs MQTT clients in a fresh process (mqtt-packet's number cache is
 * global to a process), then prints how many entries the cache holds.
 *
 *   node --import tsx test/nodes/mqtt-support/number-cache-child.ts <broker url> <root topic> sluice|embedded|plain
 *
 * sluice: a flow mqtt-in (QoS 1) -> mqtt-out (QoS 1) moves one message; embedded: the embedded broker (aedes)
 * passes one message between two clients that do not build the cache; plain: a plain mqtt.js client with its
 * defaults publishes one (the control: shows the count is a real measure).
 */
import { createRequire } from 'node:module';
import mqtt from 'mqtt';
import { catalog } from '../../../nodes/catalog.js';
import { startEmbeddedBroker } from '../../../src/connectors/mqtt/embedded-broker.js';
import { Engine } from '../../../src/runtime/engine.js';

const [url, root, mode] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const cacheSize = () => {
  const numbers = require(require.resolve('mqtt-packet/numbers', { paths: [require.resolve('mqtt')] })) as {
    cache: Record<number, Buffer>;
  };
  return Object.keys(numbers.cache).length;
};

async function viaSluice(): Promise<void> {
  const engine = new Engine({ catalog });
  await engine.start({
    format: 'sluice/flow@1',
    id: `number-cache-${process.pid}`,
    connections: [{ id: 'broker', kind: 'mqtt', config: { url, protocolVersion: '5' } }],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [`${root}/in`], qos: 1, codec: 'text' } },
      { id: 'out', type: 'mqtt-out', config: { connection: 'broker', topic: `${root}/out`, qos: 1, codec: 'text' } },
    ],
    edges: [{ source: 'in', sourcePort: 'out', target: 'out', targetPort: 'in' }],
  });
  const reader = await mqtt.connectAsync(url, { writeCache: false, reconnectPeriod: 0 });
  await reader.subscribeAsync(`${root}/out`, { qos: 1 });
  const arrived = new Promise<void>((resolve) => reader.once('message', () => resolve()));
  await reader.publishAsync(`${root}/in`, 'hello', { qos: 1 });
  await arrived;
  await reader.endAsync();
  await engine.stop();
}

async function viaEmbeddedBroker(): Promise<void> {
  const broker = await startEmbeddedBroker({ port: 0 });
  const options = { reconnectPeriod: 0 }; // mqtt.js's defaults would build the cache, as in `plain`
  const reader = await mqtt.connectAsync(broker.url, options);
  await reader.subscribeAsync(`${root}/embedded`, { qos: 1 });
  const arrived = new Promise<void>((resolve) => reader.once('message', () => resolve()));
  const writer = await mqtt.connectAsync(broker.url, options);
  await writer.publishAsync(`${root}/embedded`, 'hello', { qos: 1 });
  await arrived;
  await writer.endAsync();
  await reader.endAsync();
  await broker.close();
}

async function plain(): Promise<void> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  await client.publishAsync(`${root}/plain`, 'hello', { qos: 1 });
  await client.endAsync();
}

await (mode === 'sluice' ? viaSluice() : mode === 'embedded' ? viaEmbeddedBroker() : plain());
process.stdout.write(`${JSON.stringify({ cacheSize: cacheSize() })}\n`);
process.exit(0);
