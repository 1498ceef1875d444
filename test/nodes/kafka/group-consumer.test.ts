/**
 * GroupConsumer against a scripted library consumer (the ConsumerDriver seam, not Sluice's side): the orderings a
 * real cluster produces only by chance (a re-join with records in flight, a seek that did not land) made certain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  BatchControl,
  ConsumerDriver,
  ConsumerEvents,
  InBatch,
  TopicPartition,
} from '../../../src/connectors/kafka/driver.js';
import { GroupConsumer } from '../../../src/connectors/kafka/group-consumer.js';
import type { Message } from '../../../src/spec/message.js';
import type { Outcome, Settle } from '../../../src/spec/runtime-contract.js';
import { eventually } from '../../conformance/harness.js';

class ScriptedDriver implements ConsumerDriver {
  handler!: (batch: InBatch, control: BatchControl) => Promise<void>;
  events!: ConsumerEvents;
  readonly calls: string[] = [];
  readonly commits: Array<Array<TopicPartition & { offset: string }>> = [];
  taken = new Map<number, string>();

  async run(handler: ScriptedDriver['handler'], events: ConsumerEvents) {
    this.handler = handler;
    this.events = events;
  }
  pause(topics: Array<{ topic: string; partitions?: number[] }>) {
    this.calls.push(`pause ${JSON.stringify(topics)}`);
  }
  resume(topics: Array<{ topic: string; partitions?: number[] }>) {
    this.calls.push(`resume ${JSON.stringify(topics)}`);
  }
  seek(tp: TopicPartition, offset: string) {
    this.calls.push(`seek ${tp.partition}@${offset}`);
  }
  async commit(offsets: Array<TopicPartition & { offset: string }>) {
    this.commits.push(offsets);
  }
  async disconnect() {}

  /** Hands a batch of offsets of partition `p` to the consumer, as the library's fetch loop would. */
  deliver(p: number, offsets: number[]): Promise<void> {
    const records = offsets.map((o) => ({
      offset: String(o),
      key: null,
      value: Buffer.from(`{"o":${o}}`),
      timestamp: '0',
    }));
    return this.handler(
      { topic: 't', partition: p, records },
      {
        taken: (offset) => this.taken.set(p, offset),
        heartbeat: async () => {},
        usable: () => true,
      },
    );
  }
}

interface Ingested {
  msg: Message;
  settle: Settle;
}

function setup(window = Number.POSITIVE_INFINITY) {
  const driver = new ScriptedDriver();
  const ingested: Ingested[] = [];
  let room: (() => void) | undefined;
  const consumer = new GroupConsumer({
    createDriver: () => driver,
    topics: ['t'],
    codec: 'json',
    commitIntervalMs: 10,
    rewindDelayMs: 10,
    restartDelayMs: 10,
    restartMaxDelayMs: 10,
    ingest: (msg, settle) => {
      ingested.push({ msg, settle });
      if (ingested.length % window !== 0) return undefined;
      return new Promise<void>((resolve) => {
        room = resolve;
      });
    },
    ingestFailed: (msg, _reason, settle) => {
      ingested.push({ msg, settle });
      return undefined;
    },
    status: () => {},
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  consumer.start();
  const settle = (offset: number, outcome: Outcome = { ok: true }) =>
    ingested.find((i) => i.msg.headers['kafka-offset'] === String(offset))!.settle(outcome);
  const committed = () => driver.commits.flat().map((c) => `${c.partition}@${c.offset}`);
  return { driver, consumer, ingested, settle, committed, makeRoom: () => room?.() };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('GroupConsumer', () => {
  it('commits the settled prefix only, per partition, whatever order settles come in', async () => {
    const { driver, consumer, settle, committed } = setup();
    stop = () => consumer.stop();
    driver.events.joined([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    await driver.deliver(0, [0, 1, 2]);
    await driver.deliver(1, [5, 6]);
    expect(driver.taken.get(0)).toBe('2');
    settle(2);
    settle(6);
    settle(0);
    await eventually(committed, (c) => c.includes('0@1'), 2000, 'partition 0 at 1');
    expect(committed()).not.toContain('0@3');
    expect(committed().some((c) => c.startsWith('1@'))).toBe(false);
    settle(1);
    settle(5);
    await eventually(committed, (c) => c.includes('0@3') && c.includes('1@7'), 2000, 'both partitions done');
  });

  it('a re-join drops the trackers: settles of records taken before it commit nothing', async () => {
    const { driver, consumer, settle, committed } = setup();
    stop = () => consumer.stop();
    driver.events.joined([{ topic: 't', partition: 0 }]);
    await driver.deliver(0, [0, 1]);
    driver.events.joined([{ topic: 't', partition: 0 }]);
    settle(0);
    settle(1);
    await consumer.stop();
    stop = undefined;
    expect(committed()).toEqual([]);
  });

  it('pauses every partition when the flow is full and resumes when there is room', async () => {
    const { driver, consumer, ingested, makeRoom } = setup(3);
    stop = () => consumer.stop();
    driver.events.joined([{ topic: 't', partition: 0 }]);
    const inHand = driver.deliver(0, [0, 1, 2, 3]);
    await eventually(
      () => driver.calls,
      (c) => c.includes('pause [{"topic":"t"}]'),
      2000,
      'a pause',
    );
    expect(ingested).toHaveLength(3);
    makeRoom();
    await inHand;
    expect(driver.calls.at(-1)).toBe('resume [{"topic":"t"}]');
    expect(ingested.map((i) => i.msg.id)).toEqual(['t/0/0', 't/0/1', 't/0/2', 't/0/3']);
  });

  it('after a nack, seeks back to the failed record, and again if a batch does not start there', async () => {
    const { driver, consumer, settle, committed, ingested } = setup();
    stop = () => consumer.stop();
    driver.events.joined([{ topic: 't', partition: 0 }]);
    await driver.deliver(0, [0, 1, 2, 3]);
    settle(0);
    settle(3);
    settle(1, { ok: false, reason: 'sink down' });
    await eventually(
      () => driver.calls,
      (c) => c.includes('seek 0@1'),
      2000,
      'a seek to the failed record',
    );
    expect(committed().every((c) => c === '0@1')).toBe(true);
    // The seek did not land: a batch from further on must not be taken.
    const before = ingested.length;
    await driver.deliver(0, [4, 5]);
    expect(ingested.length).toBe(before);
    expect(driver.calls.filter((c) => c === 'seek 0@1')).toHaveLength(2);
    await driver.deliver(0, [1, 2, 3, 4]);
    for (const o of [1, 2, 3, 4]) {
      const again = ingested.filter((i) => i.msg.headers['kafka-offset'] === String(o)).at(-1)!;
      again.settle({ ok: true });
    }
    settle(2); // a late settle of the first delivery: dropped by the rewind, it changes nothing
    await eventually(committed, (c) => c.includes('0@5'), 2000, 'committed through 4');
  });
});
