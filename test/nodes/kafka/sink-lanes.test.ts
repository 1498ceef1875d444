/**
 * How kafka-out spreads records over its lanes (batches in flight). The produce call is the sink's injected
 * `send`, recorded here: what is checked is which records go out together, not the cluster (kafka-out.test.ts
 * covers the same settings against the broker).
 */
import { describe, expect, it } from 'vitest';
import type { OutRecord } from '../../../src/connectors/kafka/driver.js';
import { KafkaSink } from '../../../src/connectors/kafka/sink.js';
import { createLogger } from '../../../src/runtime/log.js';

function record(n: number, key: string | null = null): OutRecord {
  return { topic: 't', key, value: Buffer.from(String(n)), headers: {}, timestamp: '0' };
}

function sinkWith(sendMs: number) {
  const batches: OutRecord[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sink = new KafkaSink({
    async send(records) {
      batches.push(records);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, sendMs));
      inFlight--;
    },
    sendOptions: { acks: -1, compression: 'none', timeoutMs: 1000 },
    batchSize: 500,
    lingerMs: 5,
    lanes: 4,
    attempts: 1,
    retryDelayMs: 1,
    retryMaxDelayMs: 1,
    signal: new AbortController().signal,
    log: createLogger({ level: 'silent' }),
  });
  return { sink, batches, maxInFlight: () => maxInFlight };
}

describe('kafka-out lanes (batchesInFlight 4)', () => {
  it('keyless records arriving together go out as one batch, not one per lane', async () => {
    const { sink, batches } = sinkWith(1);
    await Promise.all(Array.from({ length: 100 }, (_, n) => sink.add(record(n))));
    expect(batches.map((b) => b.length)).toEqual([100]);
  });

  it('a new keyless batch collects in another lane while the first awaits its ack', async () => {
    const { sink, batches, maxInFlight } = sinkWith(60);
    const first = Array.from({ length: 10 }, (_, n) => sink.add(record(n)));
    await new Promise((r) => setTimeout(r, 20)); // the first batch lingered and is being sent
    const second = Array.from({ length: 10 }, (_, n) => sink.add(record(10 + n)));
    await Promise.all([...first, ...second]);
    expect(batches.map((b) => b.length)).toEqual([10, 10]);
    expect(maxInFlight()).toBe(2);
  });

  it('records with a key stay in their lane whatever else is sending', async () => {
    const { sink, batches } = sinkWith(30);
    const pending = Array.from({ length: 40 }, (_, n) => sink.add(record(n, `k${n % 2}`)));
    await Promise.all(pending);
    for (const b of batches) expect(new Set(b.map((r) => r.key)).size).toBe(1);
    const order = batches.flat().filter((r) => r.key === 'k0');
    expect(order.map((r) => Number(String(r.value)))).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });
});
