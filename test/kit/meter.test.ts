/** The kit's batcher and retries report to the node that created them (src/runtime/meter.ts). */
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/kit/batcher.js';
import { currentMeter, enterMeter, type NodeMeter } from '../../src/kit/meter.js';
import { withRetry } from '../../src/kit/retry.js';

function recording() {
  const seen = { batches: [] as number[], retries: 0 };
  const meter: NodeMeter = {
    batch: (size) => seen.batches.push(size),
    retry: () => {
      seen.retries++;
    },
  };
  return { seen, meter };
}

describe('node meter', () => {
  it('a batcher created as a node reports its batch sizes and the retries its flush starts to that node', async () => {
    const { seen, meter } = recording();
    const other = recording();
    let failures = 2;
    const previous = enterMeter(meter);
    const batcher = new Batcher<number>({
      maxSize: 3,
      lingerMs: 5,
      flush: () =>
        withRetry(
          async () => {
            if (failures-- > 0) throw new Error('transient');
          },
          { attempts: 5, baseMs: 1, maxMs: 2 },
        ),
    });
    enterMeter(previous);
    expect(currentMeter()).toBe(previous);
    // Items added while another node is current still count for the batcher's owner.
    enterMeter(other.meter);
    const done = [1, 2, 3, 4].map((n) => batcher.add(n));
    enterMeter(previous);
    await Promise.all(
      done.map((c) => new Promise<void>((resolve, reject) => c.settleInto({ resolved: resolve, rejected: reject }))),
    );
    expect(seen.batches).toEqual([3, 1]);
    expect(seen.retries).toBe(2);
    expect(other.seen).toEqual({ batches: [], retries: 0 });
    expect(currentMeter()).toBe(previous);
  });
});
