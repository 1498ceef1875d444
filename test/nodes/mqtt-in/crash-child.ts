/**
 * Child process for crash.test.ts: an engine running mqtt-in (QoS 1, persistent session) -> a sink that appends
 * each message's id to a file after a delay, then resolves. The parent kills it with SIGKILL mid-stream.
 *
 *   node --import tsx test/nodes/mqtt-in/crash-child.ts <broker url> <topic filter> <client id> <out file>
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { catalog } from '../../../nodes/catalog.js';
import { Engine } from '../../../src/runtime/engine.js';
import { loadNodeRuntime } from '../../../src/runtime/loader.js';
import { defineNode, type Message, Type } from '../../../src/spec/index.js';
import type { CreateRuntime } from '../../../src/spec/runtime-contract.js';

const [url, filter, clientId, outFile] = process.argv.slice(2);

const fileSink = defineNode({
  type: 'file-sink',
  version: 1,
  category: 'sink',
  title: 'File sink',
  summary: 'Appends payload.id lines to a file.',
  docs: 'Test only.',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object({}),
});

/** Batches for 5 ms, waits 20 ms (a database round trip), appends the ids, then resolves the whole batch. */
const createFileSink: CreateRuntime<unknown> = () => {
  let batch: Array<{ id: string; done: () => void }> = [];
  let _timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    _timer = undefined;
    const items = batch;
    batch = [];
    await sleep(20);
    appendFileSync(outFile, `${items.map((i) => i.id).join('\n')}\n`);
    for (const i of items) i.done();
  };
  return {
    handle(msg: Message) {
      return new Promise<void>((done) => {
        batch.push({ id: (msg.payload as { id: string }).id, done });
        _timer ??= setTimeout(flush, 5);
      });
    },
  };
};

const engine = new Engine({
  catalog: { ...catalog, nodes: [...catalog.nodes, fileSink] },
  loadRuntime: async (type) => (type === 'file-sink' ? createFileSink : loadNodeRuntime(type)),
});
await engine.start({
  format: 'sluice/flow@1',
  connections: [{ id: 'broker', kind: 'mqtt', config: { url, protocolVersion: '5' } }],
  nodes: [
    { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [filter], qos: 1, clientId } },
    { id: 'file', type: 'file-sink', config: {} },
  ],
  edges: [{ source: 'in', sourcePort: 'out', target: 'file', targetPort: 'in' }],
});
process.stdout.write(`ready ${JSON.stringify(engine.snapshot('in'))}\n`);
