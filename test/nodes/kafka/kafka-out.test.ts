/**
 * kafka-out beyond the conformance suite: what a record carries, and failures. Fault injection runs on a private
 * mock cluster so that taking brokers down cannot disturb other test files sharing the global one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type StatusEvent } from '../../../src/runtime/engine.js';
import { createMessage } from '../../../src/spec/message.js';
import type { Outcome } from '../../../src/spec/runtime-contract.js';
import { eventually } from '../../conformance/harness.js';
import { kafkaForTests, uniqueTopic } from '../../support/kafka.js';
import { type KafkaTestCluster, startKafkaMock } from '../../support/kafka-mock/index.js';
import { loadTestRuntime, type SourceHandle, sources, testCatalog } from '../../support/test-nodes.js';
import { flowWith, idsIn, kafkaConnection, readTopic } from './support.js';

const kafka = kafkaForTests();
const faults = kafka !== null && !kafka.external;

let engine: Engine | undefined;
let own: KafkaTestCluster | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 1000 });
  engine = undefined;
  await own?.stop();
  own = undefined;
});

async function startSink(brokers: string[], config: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  const statuses: StatusEvent[] = [];
  engine.on('status', (s: StatusEvent) => {
    if (s.nodeId === 'sink') statuses.push(s);
  });
  await engine.start(
    flowWith(
      [kafkaConnection(brokers)],
      [
        ['src', 'test-source'],
        ['sink', 'kafka-out', { connection: 'kafka', ...config }],
      ],
      [['src', 'sink']],
      settings,
    ),
  );
  return { e: engine, src: sources.get('src') as SourceHandle, statuses };
}

function outcomesOf(src: SourceHandle): Outcome[] {
  return [...src.outcomes.values()].map((o) => o[0]);
}

describe.runIf(kafka)('kafka-out', () => {
  it('sends key, headers, the message id header and a JSON value, gzip-compressed, to a templated topic', async () => {
    const k = kafka!;
    const suffix = uniqueTopic('x');
    const { e, src } = await startSink(k.brokers, {
      topic: `out.{{payload.kind}}.${suffix}`,
      compression: 'gzip',
      batchSize: 10,
      idHeader: 'sluice-id',
    });
    const done: Outcome[] = [];
    for (let i = 0; i < 20; i++) {
      const msg = createMessage({
        id: `m${i}`,
        key: `dev-${i % 3}`,
        payload: { id: `m${i}`, kind: i % 2 ? 'odd' : 'even' },
        headers: { site: 'plant-7', 'kafka-offset': '99' },
      });
      const w = src.ctx.ingest(msg, (o) => done.push(o));
      if (w) await w;
    }
    await e.whenIdle();
    expect(done.filter((o) => !o.ok)).toEqual([]);
    const odd = await readTopic(k.brokers, `out.odd.${suffix}`);
    expect(odd).toHaveLength(10);
    const one = odd.find((r) => r.headers['sluice-id'] === 'm1');
    expect(one).toMatchObject({ key: 'dev-1', headers: { site: 'plant-7', 'sluice-id': 'm1' } });
    expect(one?.headers['kafka-offset']).toBeUndefined();
    expect(JSON.parse(one?.payload ?? '')).toEqual({ id: 'm1', kind: 'odd' });
    // Same key, same partition: Java-compatible murmur2 keeps a device's records in order.
    const partitions = new Set(odd.filter((r) => r.key === 'dev-1').map((r) => r.partition));
    expect(partitions.size).toBe(1);
  });

  it('with several batches in flight, keeps the order of messages with the same key', async () => {
    const k = kafka!;
    const topic = uniqueTopic('out-lanes');
    await k.createTopic(topic, 3);
    const { e, src } = await startSink(k.brokers, { topic, batchesInFlight: 4, batchSize: 7, lingerMs: 1 });
    const pending: Array<Promise<void> | undefined> = [];
    for (let n = 0; n < 600; n++) {
      const msg = createMessage({ id: `o${n}`, key: `dev-${n % 10}`, payload: { id: `o${n}`, n } });
      pending.push(src.ctx.ingest(msg));
    }
    await Promise.all(pending);
    await e.whenIdle();
    const landed = await readTopic(k.brokers, topic);
    expect(landed).toHaveLength(600);
    const byKey = new Map<string, number[]>();
    for (const r of [...landed].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      const list = byKey.get(r.key ?? '') ?? [];
      list.push((JSON.parse(r.payload ?? '') as { n: number }).n);
      byKey.set(r.key ?? '', list);
    }
    expect(byKey.size).toBe(10);
    for (const ns of byKey.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b));
  });

  it('drops (deterministic) only the messages a template or codec cannot handle', async () => {
    const k = kafka!;
    const topic = uniqueTopic('out-mixed');
    await k.createTopic(topic, 1);
    const { e, src } = await startSink(k.brokers, { topic: `{{payload.to}}`, codec: 'text' });
    await src.push('no topic field', 'a');
    await src.push({ to: topic }, 'b'); // text codec: an object has no text form
    await e.whenIdle();
    expect(src.outcomes.get('a')?.[0]).toMatchObject({ ok: true, dropped: expect.stringMatching(/no value/) });
    expect(src.outcomes.get('b')?.[0]).toMatchObject({ ok: true, dropped: expect.stringMatching(/cannot send/) });
  });

  it.runIf(faults)('reports the cluster down, fails messages after the retry budget, and recovers', async () => {
    own = await startKafkaMock();
    const topic = uniqueTopic('out-down');
    await own.createTopic(topic, 2);
    await own.faults!.brokerDown(-1);
    const { e, src, statuses } = await startSink(own.brokers, {
      topic,
      attempts: 3,
      retryDelayMs: 50,
      retryMaxDelayMs: 200,
    });
    await eventually(
      () => statuses.map((s) => s.state),
      (s) => s.includes('error'),
      20_000,
      'status error',
    );
    expect(statuses.find((s) => s.state === 'error')?.reason).toBeTruthy();
    const early = Array.from({ length: 5 }, (_, i) => ({ id: `early${i}` }));
    await Promise.all(early.map((p) => src.push(p, p.id)));
    await e.whenIdle();
    // Nothing buffered without bound: each one failed after its attempts.
    expect(outcomesOf(src).every((o) => !o.ok)).toBe(true);

    await own.faults!.brokerUp(-1);
    await eventually(
      () => statuses.at(-1)?.state,
      (s) => s === 'connected',
      30_000,
      'status connected again',
    );
    const late = Array.from({ length: 50 }, (_, i) => ({ id: `late${i}` }));
    await Promise.all(late.map((p) => src.push(p, p.id)));
    await e.whenIdle();
    expect(late.map((p) => src.outcomes.get(p.id)?.[0].ok)).toEqual(late.map(() => true));
    expect(new Set(await idsIn(own.brokers, topic))).toEqual(new Set(late.map((p) => p.id)));
  });

  it.runIf(faults)(
    'loses nothing when the broker goes down mid-stream and comes back',
    async () => {
      own = await startKafkaMock();
      const topic = uniqueTopic('out-bounce');
      await own.createTopic(topic, 3);
      const { e, src } = await startSink(
        own.brokers,
        { topic, batchSize: 100, lingerMs: 2, attempts: 30, retryDelayMs: 100, retryMaxDelayMs: 500 },
        { maxInFlight: 500 },
      );
      const all = Array.from({ length: 4000 }, (_, i) => ({ id: `b${i}`, n: i }));
      let pushed = 0;
      const producer = (async () => {
        for (const p of all) {
          await src.push(p, p.id);
          pushed++;
        }
      })();
      await eventually(
        () => pushed,
        (n) => n >= 1000,
        20_000,
        '1000 pushed',
      );
      await own.faults!.brokerDown(-1);
      await new Promise((r) => setTimeout(r, 1500));
      await own.faults!.brokerUp(-1);
      await producer;
      await e.whenIdle();
      const failed = outcomesOf(src).filter((o) => !o.ok);
      expect(failed).toEqual([]);
      const landed = new Set(await idsIn(own.brokers, topic));
      expect(all.filter((p) => !landed.has(p.id)).map((p) => p.id)).toEqual([]);
    },
    60_000,
  );
});
