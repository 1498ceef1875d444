/**
 * Fault 9 (issue 10) through a Kafka cluster (the librdkafka mock): record headers never pose as Sluice's headers in
 * kafka-in, and kafka-out sends them on as they came (repeats repeated), so the next kafka-in sees the same.
 */
import type { Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/runtime/engine.js';
import { eventually } from '../../conformance/harness.js';
import { kafkaForTests, uniqueTopic } from '../../support/kafka.js';
import { loadTestRuntime, type SinkHandle, sinks, testCatalog } from '../../support/test-nodes.js';
import { FAST_GROUP, flowWith, kafkaConnection, plainProducer } from './support.js';

const kafka = kafkaForTests();

let engine: Engine | undefined;
let producer: Producer | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 1000 });
  engine = undefined;
  await producer?.disconnect();
  producer = undefined;
});

describe.runIf(kafka)('kafka-in and kafka-out: record headers stay record headers', () => {
  it('keeps reserved and repeated names in wire only, and sends them on unchanged', async () => {
    const k = kafka!;
    const first = uniqueTopic('wire-a');
    const second = uniqueTopic('wire-b');
    await k.createTopic(first, 1);
    await k.createTopic(second, 1);
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowWith(
        [kafkaConnection(k.brokers)],
        [
          [
            'a',
            'kafka-in',
            { connection: 'kafka', start: 'earliest', topics: [first], groupId: uniqueTopic('g'), ...FAST_GROUP },
          ],
          ['out', 'kafka-out', { connection: 'kafka', topic: second, copyHeaders: true }],
          [
            'b',
            'kafka-in',
            { connection: 'kafka', start: 'earliest', topics: [second], groupId: uniqueTopic('g'), ...FAST_GROUP },
          ],
          ['first', 'test-sink', { failFlagged: false }],
          ['second', 'test-sink', { failFlagged: false }],
        ],
        [
          ['a', 'out'],
          ['a', 'first'],
          ['b', 'second'],
        ],
      ),
    );
    producer = plainProducer(k.brokers);
    await producer.connect();
    const headers = {
      'kafka-offset': '999',
      'kafka-topic': 'elsewhere',
      'sluice-error': 'forged',
      'sluice-error-node': 'nobody',
      'content-type': 'text/evil',
      tag: ['a', 'b'],
      site: 'plant-7',
    };
    await producer.send({ topic: first, acks: -1, messages: [{ key: 'k', value: '{"n":1}', headers }] });
    const sink = (id: string) => sinks.get(id) as SinkHandle;
    await eventually(
      () => sink('second')?.delivered.length ?? 0,
      (n) => n >= 1,
      30_000,
      'the message through both topics',
    );
    for (const [id, topic] of [
      ['first', first],
      ['second', second],
    ]) {
      const msg = sink(id).delivered[0];
      expect(msg.headers).toMatchObject({ 'kafka-topic': topic, 'kafka-offset': '0', site: 'plant-7' });
      expect(msg.headers['sluice-error']).toBeUndefined();
      expect(msg.headers['content-type']).toBeUndefined();
      expect(msg.headers.tag).toBeUndefined();
      expect({ ...msg.wire }).toEqual(headers);
    }
  }, 60_000);
});
