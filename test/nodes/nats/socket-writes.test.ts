/**
 * nats-out's publishes and nats-in's acks go to the socket together, once per turn of the event loop, not one write
 * per message (which cost a syscall each: most of both nodes' CPU). Counted on Socket.prototype.write in this
 * process, where the engine and its NATS client run; the test's own admin client is idle while counting.
 */
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, payloads } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { type Started, startFlow } from '../../support/start-flow.js';
import { type SinkHandle, type SourceHandle, sinks, sources } from '../../support/test-nodes.js';
import { Admin, natsConnection, unique } from './support.js';

const COUNT = 2000;

/** Socket writes made by `during` (every socket of this process). */
async function countWrites(during: () => Promise<void>): Promise<number> {
  let writes = 0;
  const original = Socket.prototype.write;
  Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
    writes++;
    return (original as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof original;
  try {
    await during();
  } finally {
    Socket.prototype.write = original;
  }
  return writes;
}

describe.runIf(await requireService('nats'))('NATS socket writes', () => {
  let flow: Started | undefined;
  let admin: Admin | undefined;

  afterEach(async () => {
    await flow?.engine.stop({ deadlineMs: 2000 });
    await admin?.close();
    flow = undefined;
    admin = undefined;
  });

  it('nats-in acks after settle, many acks per socket write', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('WRITES_IN'));
    await admin.publishJson(`${stream}.a`, payloads(COUNT));
    const writes = await countWrites(async () => {
      flow = await startFlow(
        [natsConnection()],
        [
          ['in', 'nats-in', { connection: 'nats', stream, durable: unique('d') }],
          // Each message settles on its own, as with a sink that acks at once.
          ['sink', 'test-sink', { failFlagged: false, batchSize: 1, lingerMs: 0 }],
        ],
        [['in', 'sink']],
        { maxInFlight: 500 },
      );
      await eventually(
        async () => (await admin!.jsm.consumers.list(stream).next()).map((c) => c.num_ack_pending + c.num_pending),
        (n) => n.length === 1 && n[0] === 0,
        30_000,
        'every message acked',
      );
    });
    expect((sinks.get('sink') as SinkHandle).delivered).toHaveLength(COUNT);
    // One write per message before; the consumer's pulls, the setup and the polling above are a few dozen.
    expect(writes).toBeLessThan(COUNT / 10);
  }, 60_000);

  it('nats-out publishes many messages per socket write, each settled on its PubAck', async () => {
    admin = await Admin.open();
    const stream = await admin.stream(unique('WRITES_OUT'));
    flow = await startFlow(
      [natsConnection()],
      [
        ['src', 'test-source', {}],
        ['out', 'nats-out', { connection: 'nats', subject: `${stream}.a` }],
      ],
      [['src', 'out']],
      { maxInFlight: 500 },
    );
    const src = sources.get('src') as SourceHandle;
    const writes = await countWrites(async () => {
      // One at a time as the in-flight window frees, as a source does.
      for (const p of payloads(COUNT)) await src.push(p, p.id);
      await eventually(
        () => [...src.outcomes.values()].filter((o) => o[0]?.ok).length,
        (n) => n === COUNT,
        30_000,
        'every publish acknowledged',
      );
    });
    expect((await admin.messages(stream)).length).toBe(COUNT);
    expect(writes).toBeLessThan(COUNT / 10);
  }, 60_000);
});
