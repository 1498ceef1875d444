/** Output.onSettled: a node hears how its message's lineage ended, once, just before the source does. */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import type { Outcome } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import { flowOf, loadTestRuntime, sources, testCatalog } from '../support/test-nodes.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

describe('Output.onSettled', () => {
  it('tells the node each outcome once, before the source settles; ok or not as the source hears it', async () => {
    const events: string[] = [];
    // A transform (the `json` type's slot, with its own runtime) that listens to every message it passes on.
    const listening: CreateRuntime<unknown> = () => ({
      handle(msg, out) {
        out.onSettled?.((o: Outcome) => events.push(`node ${msg.id} ${o.ok ? 'ok' : 'nack'}`));
        out.emit('out', msg);
      },
    });
    engine = new Engine({
      catalog: testCatalog,
      loadRuntime: (t) => (t === 'json' ? Promise.resolve(listening) : loadTestRuntime(t)),
    });
    await engine.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['n', 'json'],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'n'],
          ['n', 'sink'],
        ],
      ),
    );
    const src = sources.get('src')!;
    const settle = src.ctx.ingest.bind(src.ctx);
    src.ctx.ingest = (msg, s) =>
      settle(msg, (o) => {
        events.push(`source ${msg.id} ${o.ok ? 'ok' : 'nack'}`);
        s?.(o);
      });
    await src.push({ n: 1 }, 'good');
    await src.push({ n: 2, fail: true }, 'bad');
    await engine.whenIdle(5000);
    expect(events).toEqual(['node good ok', 'source good ok', 'node bad nack', 'source bad nack']);
  });
});
