/**
 * kafka-in beyond the conformance suite: back pressure, offsets under nacks, and a broker outage. Committed offsets
 * are read with a plain kafkajs admin client; fault injection runs on a private mock cluster.
 */
import type { Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/runtime/engine.js';
import { eventually, payloads } from '../../conformance/harness.js';
import { kafkaForTests, uniqueTopic } from '../../support/kafka.js';
import { type KafkaTestCluster, startKafkaMock } from '../../support/kafka-mock/index.js';
import { loadTestRuntime, type SinkHandle, sinks, testCatalog } from '../../support/test-nodes.js';
import { committedOffsets, FAST_GROUP, flowWith, kafkaConnection, plainProducer, publishJson } from './support.js';

const kafka = kafkaForTests();
const faults = kafka !== null && !kafka.external;

let engine: Engine | undefined;
let producer: Producer | undefined;
let own: KafkaTestCluster | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 1000 });
  engine = undefined;
  await producer?.disconnect();
  producer = undefined;
  await own?.stop();
  own = undefined;
});

async function startSource(
  brokers: string[],
  config: Record<string, unknown>,
  sink: Record<string, unknown>,
  settings: Record<string, unknown> = {},
) {
  engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  await engine.start(
    flowWith(
      [kafkaConnection(brokers)],
      [
        ['src', 'kafka-in', { connection: 'kafka', start: 'earliest', ...FAST_GROUP, ...config }],
        ['sink', 'test-sink', sink],
      ],
      [['src', 'sink']],
      settings,
    ),
  );
  return { e: engine, sink: sinks.get('sink') as SinkHandle };
}

const idsOf = (sink: SinkHandle) => sink.delivered.map((m) => (m.payload as { id: string }).id);

async function publisher(brokers: string[]): Promise<Producer> {
  producer = plainProducer(brokers);
  await producer.connect();
  return producer;
}

describe.runIf(kafka)('kafka-in', () => {
  it('pauses under a slow sink: in flight stays within the window, and every offset is committed at the end', async () => {
    const k = kafka!;
    const topic = uniqueTopic('in-slow');
    const groupId = uniqueTopic('g-slow');
    await k.createTopic(topic, 2);
    await publishJson(await publisher(k.brokers), topic, payloads(600, 's'));
    const { e, sink } = await startSource(
      k.brokers,
      { topics: [topic], groupId },
      { delayMs: 20, batchSize: 10, lingerMs: 5 },
      { maxInFlight: 25 },
    );
    let maxInFlight = 0;
    let sawPaused = false;
    await eventually(
      () => {
        maxInFlight = Math.max(maxInFlight, e.counters().src.inFlight ?? 0);
        sawPaused ||= (e.snapshot('src') as { paused: boolean } | undefined)?.paused === true;
        return new Set(idsOf(sink)).size;
      },
      (n) => n >= 600,
      30_000,
      '600 messages at the slow sink',
    );
    expect(sawPaused).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(25);
    expect(sink.maxPending).toBeLessThanOrEqual(25);
    await e.stop();
    engine = undefined;
    const committed = await committedOffsets(k.brokers, groupId, topic);
    expect([...committed.values()].reduce((a, b) => a + b, 0)).toBe(600);
  });

  it('never commits past a failed message and reads its partition again from it', async () => {
    const k = kafka!;
    const topic = uniqueTopic('in-nack');
    const groupId = uniqueTopic('g-nack');
    await k.createTopic(topic, 1);
    const p = await publisher(k.brokers);
    // One partition, offsets 0..19; offset 7 always fails in the sink, and nothing takes the failure.
    const all = payloads(20, 'n').map((x, i) => (i === 7 ? { ...x, fail: true } : x));
    await publishJson(p, topic, all);
    const { e, sink } = await startSource(k.brokers, { topics: [topic], groupId, rewindDelayMs: 100 }, {});
    await eventually(
      () => sink.failed,
      (n) => n >= 3,
      20_000,
      'the failing message redelivered',
    );
    // Everything before it is delivered; the group's position stays at the failing record.
    expect(idsOf(sink)).toEqual(expect.arrayContaining(all.slice(0, 7).map((x) => x.id)));
    await eventually(
      () => committedOffsets(k.brokers, groupId, topic),
      (c) => c.get(0) === 7,
      10_000,
      'offset 7 committed',
    );
    await e.stop();
    engine = undefined;
    expect((await committedOffsets(k.brokers, groupId, topic)).get(0)).toBe(7);
  });

  it('a rebalance commits nothing unsettled: a second member takes over what the first never finished', async () => {
    const k = kafka!;
    const topic = uniqueTopic('in-rebalance');
    const groupId = uniqueTopic('g-rebalance');
    await k.createTopic(topic, 4);
    const all = payloads(800, 'r');
    await publishJson(await publisher(k.brokers), topic, all);
    const config = { topics: [topic], groupId };
    // The first member's sink is slow, so it holds many unsettled records when the second one joins.
    const first = await startSource(k.brokers, config, { delayMs: 200, batchSize: 20 }, { maxInFlight: 100 });
    await eventually(
      () => first.sink.delivered.length,
      (n) => n >= 20,
      20_000,
      'the first member delivering',
    );
    const second = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    try {
      await second.start(
        flowWith(
          [kafkaConnection(k.brokers)],
          [
            ['src2', 'kafka-in', { connection: 'kafka', start: 'earliest', ...FAST_GROUP, ...config }],
            ['sink2', 'test-sink', {}],
          ],
          [['src2', 'sink2']],
        ),
      );
      const secondSink = sinks.get('sink2') as SinkHandle;
      await eventually(
        () => secondSink.delivered.length,
        (n) => n > 0,
        30_000,
        'the second member to get partitions',
      );
      // The first member stops without draining: what it holds is nacked, never committed.
      await first.e.stop({ deadlineMs: 0 });
      engine = undefined;
      const seen = new Set(idsOf(first.sink));
      await eventually(
        () => {
          for (const id of idsOf(secondSink)) seen.add(id);
          return seen.size;
        },
        (n) => n >= all.length,
        40_000,
        'every id across both members',
      );
      expect(all.filter((x) => !seen.has(x.id)).map((x) => x.id)).toEqual([]);
    } finally {
      await second.stop({ deadlineMs: 1000 });
    }
  }, 90_000);

  it.runIf(faults)(
    'loses nothing when the broker goes down mid-stream and comes back',
    async () => {
      own = await startKafkaMock();
      const topic = uniqueTopic('in-bounce');
      await own.createTopic(topic, 3);
      const all = payloads(3000, 'd');
      const p = await publisher(own.brokers);
      await publishJson(p, topic, all.slice(0, 1500));
      const { sink } = await startSource(
        own.brokers,
        { topics: [topic], groupId: uniqueTopic('g-bounce') },
        { delayMs: 5, batchSize: 50 },
        { maxInFlight: 200 },
      );
      await eventually(
        () => sink.delivered.length,
        (n) => n >= 300,
        20_000,
        'the first messages',
      );
      await own.faults!.brokerDown(-1);
      await new Promise((r) => setTimeout(r, 2000));
      await own.faults!.brokerUp(-1);
      await publishJson(p, topic, all.slice(1500));
      await eventually(
        () => new Set(idsOf(sink)).size,
        (n) => n >= 3000,
        45_000,
        'all 3000 ids at the sink',
      );
      const seen = new Set(idsOf(sink));
      expect(all.filter((x) => !seen.has(x.id)).map((x) => x.id)).toEqual([]);
    },
    60_000,
  );
});
