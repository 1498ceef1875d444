import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { Engine } from '../../../src/runtime/engine.js';
import { loadTestRuntime, sources, testCatalog } from '../../support/test-nodes.js';

it('dbg', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dbg-'));
  const e = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  e.on('status', (s) => console.log('status', s));
  await e.start({
    format: 'sluice/flow@1',
    nodes: [
      { id: 'src', type: 'test-source', config: {} },
      { id: 'sink', type: 'sqlite-out', config: { file: join(dir, 'x.db'), table: 'r', columns: { id: 'payload.id', n: 'payload.n' }, key: ['id'], batchSize: 100, lingerMs: 10 } },
    ],
    edges: [{ source: 'src', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
  });
  const src = sources.get('src')!;
  const t0 = Date.now();
  const ps = [];
  for (let i = 0; i < 2000; i++) ps.push(src.push({ id: `c${i}`, n: i }, `c${i}`));
  const timer = setInterval(() => console.log(Date.now() - t0, JSON.stringify(e.counters())), 1000);
  await Promise.all(ps);
  console.log('pushed', Date.now() - t0);
  await e.whenIdle();
  clearInterval(timer);
  console.log('idle', Date.now() - t0);
  await e.stop();
}, 60000);
