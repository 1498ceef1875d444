import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/kit/batcher.js';
import { RetriedDelivery, type RetryOptions, withRetry } from '../../src/kit/retry.js';

describe('Batcher', () => {
  it('flushes by size, then by linger, one batch at a time, in order', async () => {
    const flushed: number[][] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const b = new Batcher<number>({
      maxSize: 3,
      lingerMs: 20,
      flush: async (items) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 5));
        flushed.push(items);
        concurrent--;
      },
    });
    const all = [1, 2, 3, 4, 5, 6, 7].map((n) => b.add(n));
    await Promise.all(all);
    expect(flushed).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(maxConcurrent).toBe(1);
  });

  it('a failed batch rejects each of its items; partial failures reject only those items', async () => {
    const b = new Batcher<number>({
      maxSize: 2,
      lingerMs: 5,
      flush: async () => {
        throw new Error('db down');
      },
    });
    await expect(b.add(1)).rejects.toThrow('db down');
    const p = new Batcher<number>({
      maxSize: 3,
      lingerMs: 5,
      flush: async () => undefined,
      flushPartial: async (items) =>
        new Map(items.flatMap((n, i) => (n < 0 ? [[i, new Error(`bad ${n}`)] as const] : []))),
    });
    const results = await Promise.allSettled([p.add(1), p.add(-2), p.add(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('items that arrive during a long flush go out right after it when they have lingered enough', async () => {
    const flushed: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const b = new Batcher<number>({
      maxSize: 100,
      lingerMs: 50,
      flush: async (items) => {
        flushed.push(items);
        if (flushed.length === 1) await gate; // the first flush is slow
      },
    });
    const first = b.add(1);
    void b.drain(); // start flushing [1] now
    const second = b.add(2);
    await new Promise((r) => setTimeout(r, 60)); // 2 has now waited longer than the linger
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    // Flushed at once after the slow flush, not after a fresh 50 ms linger.
    expect(flushed).toEqual([[1], [2]]);
    await second;
  });

  it('drain flushes what is pending', async () => {
    const flushed: number[] = [];
    const b = new Batcher<number>({ maxSize: 100, lingerMs: 10_000, flush: async (i) => void flushed.push(...i) });
    const p = b.add(1);
    await b.drain();
    await p;
    expect(flushed).toEqual([1]);
  });
});

describe('withRetry', () => {
  it('retries retryable errors with backoff and gives up after the budget', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('transient');
        },
        { attempts: 3, baseMs: 1, maxMs: 4 },
      ),
    ).rejects.toThrow('transient');
    expect(calls).toBe(3);
    calls = 0;
    const v = await withRetry(
      async (a) => {
        calls++;
        if (a < 2) throw new Error('once');
        return 'ok';
      },
      { attempts: 5, baseMs: 1, maxMs: 2 },
    );
    expect([v, calls]).toEqual(['ok', 2]);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('fatal');
        },
        { attempts: 5, baseMs: 1, maxMs: 2, retryable: () => false },
      ),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
  });
});

describe('RetriedDelivery', () => {
  /** Attempts fail with the given errors in turn, then succeed; a thrown entry throws synchronously. */
  class Scripted extends RetriedDelivery {
    attempts: number[] = [];
    constructor(
      retry: RetryOptions,
      private readonly script: Array<Error | 'throw'>,
    ) {
      super(retry);
    }
    protected attempt(n: number): void {
      this.attempts.push(n);
      const step = this.script[n - 1];
      if (step === 'throw') throw new Error('thrown at once');
      // Answers come later, as a broker's would.
      setTimeout(() => (step ? this.failed(step) : this.succeeded()), 1);
    }
  }

  it('retries failed attempts (thrown or reported) with backoff until one succeeds', async () => {
    const retries: number[] = [];
    const d = new Scripted({ attempts: 5, baseMs: 1, maxMs: 4, onRetry: (_e, n) => retries.push(n) }, [
      new Error('away'),
      'throw',
    ]).start();
    await expect(d).resolves.toBeUndefined();
    expect(d.attempts).toEqual([1, 2, 3]);
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after the budget, at once on what retrying cannot fix, and when aborted', async () => {
    const budget = new Scripted({ attempts: 2, baseMs: 1, maxMs: 2 }, [new Error('a'), new Error('b')]).start();
    await expect(budget).rejects.toThrow('b');
    expect(budget.attempts).toEqual([1, 2]);

    const fatal = new Scripted(
      { attempts: 5, baseMs: 1, maxMs: 2, retryable: (e) => (e as Error).message !== 'refused' },
      [new Error('refused')],
    ).start();
    await expect(fatal).rejects.toThrow('refused');
    expect(fatal.attempts).toEqual([1]);

    const stop = new AbortController();
    stop.abort();
    const aborted = new Scripted({ attempts: 5, baseMs: 1, maxMs: 2, signal: stop.signal }, [
      new Error('away'),
    ]).start();
    await expect(aborted).rejects.toThrow('away');
    expect(aborted.attempts).toEqual([1]);
  });
});
