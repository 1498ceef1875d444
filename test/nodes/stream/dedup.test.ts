import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dedup } from '../../../nodes/dedup/definition.js';
import { create } from '../../../nodes/dedup/runtime.js';
import { DurableKeys } from '../../../nodes/dedup/store.js';
import { Engine } from '../../../src/runtime/engine.js';
import { failureKindOf } from '../../../src/spec/index.js';
import { configFor, startNode, testMessage } from '../../support/node-context.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function passed(node: Awaited<ReturnType<typeof startNode>>, payload: unknown, id = 'm') {
  return (await node.send(testMessage({ payload, id }))).length === 1;
}

describe('dedup', () => {
  it('passes the first message of a key and drops the rest (default key: payload.id, else the message id)', async () => {
    const node = await startNode(create, configFor(dedup, {}));
    expect(await passed(node, { id: 1 })).toBe(true);
    expect(await passed(node, { id: 1, other: true })).toBe(false);
    expect(await passed(node, { id: '1' })).toBe(false); // keys compare as text
    expect(await passed(node, { id: 2 })).toBe(true);
    expect(await passed(node, 'no id here', 'msg-a')).toBe(true);
    expect(await passed(node, 'no id here', 'msg-a')).toBe(false);
    expect(node.runtime.snapshot?.()).toMatchObject({ keys: 3, passed: 3, duplicates: 3, evicted: 0 });
  });

  it('with a window, a key is seen only for windowMs after it passed', async () => {
    const node = await startNode(create, configFor(dedup, { key: 'payload.k', windowMs: 80 }));
    expect(await passed(node, { k: 'a' })).toBe(true);
    expect(await passed(node, { k: 'a' })).toBe(false);
    await sleep(120);
    expect(await passed(node, { k: 'a' })).toBe(true);
  });

  it('at the bound, the least recently seen key is forgotten and a later copy of it passes again', async () => {
    const node = await startNode(create, configFor(dedup, { key: 'payload', maxKeys: 3 }));
    for (const k of ['a', 'b', 'c']) expect(await passed(node, k)).toBe(true);
    expect(await passed(node, 'a')).toBe(false); // a is now the most recent
    expect(await passed(node, 'd')).toBe(true); // evicts b, the least recent
    expect(await passed(node, 'a')).toBe(false);
    expect(await passed(node, 'c')).toBe(false);
    expect(await passed(node, 'b')).toBe(true); // forgotten at the bound: passes again (evicts d)
    expect(node.runtime.snapshot?.()).toMatchObject({ keys: 3, maxKeys: 3, evicted: 2 });
  });

  it('fails a message whose key has no value', async () => {
    const node = await startNode(create, configFor(dedup, { key: 'payload.nope' }));
    await expect(node.send(testMessage({ payload: {} }))).rejects.toThrow(/the key expression gave no value/);
  });

  it('in a flow: duplicates are dropped on purpose and acknowledged; counters reconcile', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['dd', 'dedup', { key: 'payload.n' }],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'dd'],
          ['dd', 'sink'],
        ],
      ),
    );
    const src = sources.get('src')!;
    for (let i = 0; i < 20; i++) await src.push({ n: i % 5 }, `m${i}`);
    await engine.whenIdle(5000);
    expect(sinks.get('sink')!.delivered.map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect([...src.outcomes.values()].flat().every((o) => o.ok && o.dropped === undefined)).toBe(true);
    const c = engine.counters().dd;
    expect(c).toMatchObject({ in: 20, out: 5, dropped: 15, failed: 0, inFlight: 0 });
    expect(engine.counters().src).toMatchObject({ acked: 20, nacked: 0, inFlight: 0 });
  });

  it('a message that was not delivered (the sink failed, the source redelivers) is not a duplicate on redelivery', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['dd', 'dedup', { key: 'payload.n' }],
          ['sink', 'test-sink', { batchSize: 1 }],
        ],
        [
          ['src', 'dd'],
          ['dd', 'sink'],
        ],
      ),
    );
    const src = sources.get('src')!;
    await src.push({ n: 1, fail: true }, 'first');
    await engine.whenIdle(5000);
    expect(src.outcomes.get('first')?.[0].ok).toBe(false); // nacked: the broker would redeliver
    await src.push({ n: 1 }, 'redelivered');
    await src.push({ n: 1 }, 'copy');
    await engine.whenIdle(5000);
    expect(sinks.get('sink')!.delivered.map((m) => m.id)).toEqual(['redelivered']);
    expect(engine.snapshot('dd')).toMatchObject({ passed: 2, duplicates: 1, forgotten: 1 });
  });

  it('durable: copies redelivered after a restart are recognised from the SQLite file; other flows are not affected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-dedup-'));
    const previous = process.env.SLUICE_DATA_DIR;
    process.env.SLUICE_DATA_DIR = dir;
    try {
      const flow = (id: string) => ({
        id,
        ...flowOf(
          [
            ['src', 'test-source'],
            ['dd', 'dedup', { key: 'payload.order', durable: true, stateFile: join(dir, 'state', 'dedup.db') }],
            ['sink', 'test-sink'],
          ],
          [
            ['src', 'dd'],
            ['dd', 'sink'],
          ],
        ),
      });
      engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
      await engine.start(flow('orders'));
      for (const o of ['o1', 'o2', 'o3']) await sources.get('src')!.push({ order: o }, o);
      await engine.whenIdle(5000);
      expect(sinks.get('sink')!.delivered).toHaveLength(3);
      await engine.stop(); // memory state gone with the deployment; the file stays

      engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
      await engine.start(flow('orders'));
      const src = sources.get('src')!;
      for (const o of ['o2', 'o3', 'o4']) await src.push({ order: o }, `again-${o}`);
      await engine.whenIdle(5000);
      expect(sinks.get('sink')!.delivered.map((m) => m.id)).toEqual(['again-o4']);
      expect([...src.outcomes.values()].flat().every((o) => o.ok)).toBe(true);
      await engine.stop();

      // Another flow using the same file has its own keys.
      engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
      await engine.start(flow('invoices'));
      await sources.get('src')!.push({ order: 'o1' }, 'other-flow');
      await engine.whenIdle(5000);
      expect(sinks.get('sink')!.delivered.map((m) => m.id)).toEqual(['other-flow']);
    } finally {
      if (previous === undefined) delete process.env.SLUICE_DATA_DIR;
      else process.env.SLUICE_DATA_DIR = previous;
    }
  });

  it('durable: a state file outside the data directory stops the flow from starting, saying why', async () => {
    const previous = process.env.SLUICE_DATA_DIR;
    process.env.SLUICE_DATA_DIR = mkdtempSync(join(tmpdir(), 'sluice-dedup-data-'));
    try {
      engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
      await expect(
        engine.start(
          flowOf(
            [
              ['src', 'test-source'],
              ['dd', 'dedup', { durable: true, stateFile: '/var/lib/sluice-not-allowed/dedup.db' }],
            ],
            [['src', 'dd']],
          ),
        ),
      ).rejects.toThrow(
        /dedup "dd": cannot open the state file: the SQLite file \/var\/lib\/sluice-not-allowed\/dedup.db is outside the data directory/,
      );
    } finally {
      if (previous === undefined) delete process.env.SLUICE_DATA_DIR;
      else process.env.SLUICE_DATA_DIR = previous;
    }
  });

  it('durable: the file keeps at most maxKeys keys per node (the newest), pruned as it grows', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-dedup-bound-')), 'keys.db');
    const keys = new DurableKeys(file, 'flow/dd', 1000, 0);
    const other = new DurableKeys(file, 'flow/other', 1000, 0);
    other.record('k0', 1);
    for (let i = 0; i < 3000; i++) keys.record(`k${i}`, 1_000_000 + i);
    expect(keys.count()).toBe(1000);
    expect(keys.seenAt('k1999')).toBeUndefined();
    expect(keys.seenAt('k2000')).toBe(1_002_000);
    expect(other.seenAt('k0')).toBe(1);
    keys.close();
    other.close();
  });

  it('durable: a state file that cannot be read fails the message as transient (redelivered, not dropped)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-dedup-closed-')), 'keys.db');
    const node = await startNode(create, configFor(dedup, { key: 'payload', durable: true, stateFile: file }));
    await node.runtime.stop?.(); // the file is closed under the node
    const err = await node.send(testMessage({ payload: 'k1' })).catch((e: unknown) => e);
    expect(String(err)).toContain('cannot read the state file');
    expect(failureKindOf(err)).toBe('transient');
  });

  it('durable: a copy redelivered after a crash (delivered, ack never sent: SIGKILL) is recognised and dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-dedup-crash-'));
    const file = join(dir, 'dedup.db');
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./support/dedup-crash-child.ts', import.meta.url)), file, 'o-42'],
      { env: { ...process.env, SLUICE_DATA_DIR: dir }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(child.stdout).toContain('settled {"ok":true}');
    const previous = process.env.SLUICE_DATA_DIR;
    process.env.SLUICE_DATA_DIR = dir;
    try {
      engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
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
      const src = sources.get('src')!;
      await src.push({ order: 'o-42' }, 'redelivered');
      await src.push({ order: 'o-43' }, 'new');
      await engine.whenIdle(5000);
      expect(sinks.get('sink')!.delivered.map((m) => m.id)).toEqual(['new']);
      expect(src.outcomes.get('redelivered')).toEqual([{ ok: true }]);
    } finally {
      if (previous === undefined) delete process.env.SLUICE_DATA_DIR;
      else process.env.SLUICE_DATA_DIR = previous;
    }
  }, 90_000);
});
