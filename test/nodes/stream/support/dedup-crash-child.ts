/**
 * Child process for the dedup crash test: runs src -> dedup (durable, the file given) -> sink, ingests one order,
 * and dies with SIGKILL inside the source's settle callback: the message was delivered, the broker never got its
 * ack (the moment a crash makes a broker redeliver).
 */
import { Engine } from '../../../../src/runtime/engine.js';
import { createMessage } from '../../../../src/spec/index.js';
import { flowOf, loadTestRuntime, sources, testCatalog } from '../../../support/test-nodes.js';

const [file, order] = process.argv.slice(2);
const engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
await engine.start({
  id: 'orders',
  ...flowOf(
    [
      ['src', 'test-source'],
      ['dd', 'dedup', { key: 'payload.order', durable: true, stateFile: file }],
      ['sink', 'test-sink'],
    ],
    [
      ['src', 'dd'],
      ['dd', 'sink'],
    ],
  ),
});
sources.get('src')!.ctx.ingest(createMessage({ id: 'first', payload: { order } }), (outcome) => {
  process.stdout.write(`settled ${JSON.stringify(outcome)}\n`);
  process.kill(process.pid, 'SIGKILL');
});
