/**
 * redis-in's read loop: one consumer of a consumer group on one stream, at least once.
 *
 * - At start, the consumer first re-reads its own pending entries (read before a crash, never acknowledged), then
 *   reads new ones (`>`), blocking up to `blockMs` per read on a client of its own.
 * - An entry is acknowledged (XACK) only when its message settles ok (delivered, dropped on purpose, or taken by an
 *   error route). One that failed stays pending and is claimed again (XCLAIM, which counts the delivery) after
 *   `redeliveryDelayMs`.
 * - Every `claimIdleMs`, entries another consumer has held longer than that (a crashed replica) are claimed with
 *   XAUTOCLAIM and taken in. Entries of this consumer that are still in the flow are skipped.
 * - Back pressure: the loop reads no more while the flow's in-flight window is full (ingest returns a promise).
 */
import type { Redis } from 'ioredis';
import { backoffDelay, sleep } from '../../kit/retry.js';
import type { Message } from '../../spec/message.js';
import type { Logger, Outcome, Settle } from '../../spec/runtime-contract.js';
import type { RedisLink } from './client.js';
import { type Codec, inboundMessage, parseEntries, parseReadReply, type StreamEntry } from './entries.js';
import { isReplyError } from './errors.js';
import { errorText } from './status.js';

export interface ReaderOptions {
  stream: string;
  group: string;
  consumer: string;
  /** Where a new group starts: `0` (all the stream holds) or `$` (only new entries). */
  startId: '0' | '$';
  batchSize: number;
  blockMs: number;
  /** 0: never claim other consumers' entries. */
  claimIdleMs: number;
  redeliveryDelayMs: number;
  codec: Codec;
  bodyField: string;
  /** Reads (blocking) on this client. */
  reader: RedisLink;
  /** Acknowledges and claims failed entries back on this (shared) client. */
  commands: RedisLink;
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
  ingest(msg: Message, settle: Settle): undefined | Promise<void>;
  ingestFailed(msg: Message, reason: string, settle: Settle): undefined | Promise<void>;
  log: Logger;
}

export class StreamReader {
  private taking = true;
  /** Entries in the flow (or waiting for redelivery): claims skip them, and they are never taken in twice. */
  private readonly held = new Set<string>();
  private acks: string[] = [];
  private ackScheduled = false;
  private waitingForAckLink = false;
  private acking: Promise<unknown> = Promise.resolve();
  /** Failed entries whose redelivery delay has passed: claimed back and taken in by the loop. */
  private redeliver: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private groupReady = false;
  private nextClaimAt = 0;
  private loop: Promise<void> | undefined;
  /** Counters for the snapshot and tests. */
  readonly counts = { read: 0, pendingReread: 0, claimed: 0, redelivered: 0, acked: 0 };

  constructor(private readonly o: ReaderOptions) {}

  start(): void {
    this.nextClaimAt = Date.now() + this.o.claimIdleMs;
    this.loop = this.run();
  }

  /** Stop reading: entries read and not yet in the flow stay pending, and are re-read at the next start. */
  stopIntake(): void {
    this.taking = false;
    // A blocked XREADGROUP returns only when its connection closes.
    this.o.reader.redis.disconnect();
  }

  /** After the engine drained: send the last acknowledgements. */
  async stop(): Promise<void> {
    this.stopIntake();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.loop;
    this.flushAcks();
    // Settled entries are acknowledged before the client closes; with Redis down they stay pending (re-read later).
    if (this.o.commands.redis.status === 'ready') await this.acking;
  }

  get inFlight(): number {
    return this.held.size;
  }

  private get redis(): Redis {
    return this.o.reader.redis;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let cursor: string | undefined = '0'; // own pending entries first; undefined: new entries
    /** The next read, sent while the current batch goes into the flow (one round trip saved per batch). */
    let next: Promise<StreamEntry[]> | undefined;
    while (this.taking) {
      try {
        if (this.redis.status !== 'ready' && !next) {
          await this.waitReady();
          continue;
        }
        if (!this.groupReady) await this.createGroup();
        if (this.redeliver.length > 0) await this.claimBack();
        if (this.o.claimIdleMs > 0 && Date.now() >= this.nextClaimAt) await this.autoclaim();
        const reading: Promise<StreamEntry[]> = next ?? this.read(cursor);
        next = undefined;
        const entries: StreamEntry[] = await reading;
        failures = 0;
        if (cursor !== undefined) {
          // The history is read when a read from the cursor comes back empty.
          if (entries.length === 0) cursor = undefined;
          else cursor = entries[entries.length - 1].id;
          this.counts.pendingReread += entries.length;
        }
        if (entries.length > 0 && this.taking) {
          next = this.read(cursor);
          // Awaited on the next turn; until then a failure must not count as unhandled.
          next.catch(() => {});
        }
        for (const e of entries) {
          if (!this.taking) return;
          const wait = this.enter(e);
          if (wait) await wait;
        }
      } catch (err) {
        next = undefined;
        if (!this.taking) return;
        if (isReplyError(err) && err.message.startsWith('NOGROUP')) {
          // The stream or the group was deleted under us: make them again.
          this.groupReady = false;
          this.o.log.warn(
            { stream: this.o.stream, group: this.o.group },
            'the consumer group is gone; creating it again',
          );
          continue;
        }
        failures++;
        const delay = backoffDelay(failures, this.o.reconnectDelayMs, this.o.reconnectMaxDelayMs);
        this.o.log.warn({ err: errorText(err), stream: this.o.stream, delayMs: delay }, 'reading the stream failed');
        await sleep(delay);
      }
    }
  }

  private async waitReady(): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearInterval(poll);
        this.redis.off('ready', done);
        resolve();
      };
      // Also wake on stop (the client is disconnected then and never becomes ready).
      const poll = setInterval(() => {
        if (!this.taking || this.redis.status === 'ready') done();
      }, 200);
      this.redis.on('ready', done);
    });
  }

  private async createGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.o.stream, this.o.group, this.o.startId, 'MKSTREAM');
      this.o.log.info({ stream: this.o.stream, group: this.o.group }, 'consumer group created');
    } catch (err) {
      if (!(isReplyError(err) && err.message.startsWith('BUSYGROUP'))) throw err;
    }
    this.groupReady = true;
  }

  private async read(cursor: string | undefined): Promise<StreamEntry[]> {
    const o = this.o;
    const reply =
      cursor === undefined
        ? await this.redis.callBuffer('XREADGROUP', [
            'GROUP',
            o.group,
            o.consumer,
            'COUNT',
            o.batchSize,
            'BLOCK',
            o.blockMs,
            'STREAMS',
            o.stream,
            '>',
          ])
        : await this.redis.callBuffer('XREADGROUP', [
            'GROUP',
            o.group,
            o.consumer,
            'COUNT',
            o.batchSize,
            'STREAMS',
            o.stream,
            cursor,
          ]);
    return parseReadReply(reply);
  }

  /** Entries idle longer than claimIdleMs at other (dead) consumers become ours. */
  private async autoclaim(): Promise<void> {
    const o = this.o;
    let start = '0-0';
    do {
      const reply = (await this.redis.callBuffer('XAUTOCLAIM', [
        o.stream,
        o.group,
        o.consumer,
        o.claimIdleMs,
        start,
        'COUNT',
        o.batchSize,
      ])) as unknown[];
      start = String(reply[0]);
      const entries = parseEntries(reply[1]).filter((e) => !this.held.has(e.id));
      this.counts.claimed += entries.length;
      if (entries.length > 0)
        o.log.info({ stream: o.stream, entries: entries.length }, 'claimed entries of an idle consumer');
      for (const e of entries) {
        if (!this.taking) return;
        const wait = this.enter(e);
        if (wait) await wait;
      }
    } while (start !== '0-0' && this.taking);
    this.nextClaimAt = Date.now() + Math.max(1000, o.claimIdleMs / 2);
  }

  /** Failed entries after their delay: XCLAIM counts the delivery and gives the entry (null if it was deleted). */
  private async claimBack(): Promise<void> {
    const ids = this.redeliver.splice(0);
    const o = this.o;
    let reply: unknown;
    try {
      reply = await this.o.commands.redis.callBuffer('XCLAIM', [o.stream, o.group, o.consumer, 0, ...ids]);
    } catch (err) {
      this.redeliver.unshift(...ids);
      throw err;
    }
    const found = parseEntries(reply);
    const present = new Set(found.map((e) => e.id));
    for (const id of ids) {
      if (!present.has(id)) {
        // Trimmed or deleted meanwhile: nothing left to deliver.
        this.held.delete(id);
        this.ack(id);
      }
    }
    for (const e of found) {
      this.held.delete(e.id);
      this.counts.redelivered++;
      if (!this.taking) return;
      const wait = this.enter(e);
      if (wait) await wait;
    }
  }

  private enter(e: StreamEntry): undefined | Promise<void> {
    if (e.fields === null) {
      // A pending entry that was deleted (XDEL, trimming): acknowledge it away.
      this.ack(e.id);
      return undefined;
    }
    if (this.held.has(e.id)) return undefined;
    this.held.add(e.id);
    this.counts.read++;
    const { message, failure } = inboundMessage(this.o.stream, e, this.o);
    const settle = (outcome: Outcome) => this.settle(e.id, outcome);
    return failure === undefined ? this.o.ingest(message, settle) : this.o.ingestFailed(message, failure, settle);
  }

  private settle(id: string, outcome: Outcome): void {
    if (outcome.ok) {
      this.held.delete(id);
      this.ack(id);
      return;
    }
    // Not acknowledged: pending until claimed back after the delay (or re-read at the next start).
    if (!this.taking) {
      this.held.delete(id);
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.redeliver.push(id);
    }, this.o.redeliveryDelayMs);
    this.timers.add(t);
  }

  private ack(id: string): void {
    this.acks.push(id);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    // One XACK for what settled in this turn of the event loop.
    setImmediate(() => this.flushAcks());
  }

  private flushAcks(): void {
    this.ackScheduled = false;
    if (this.acks.length === 0) return;
    const redis = this.o.commands.redis;
    if (redis.status !== 'ready') {
      // Kept until the shared client is back (XACK is idempotent); lost only if the process dies first.
      if (!this.waitingForAckLink) {
        this.waitingForAckLink = true;
        redis.once('ready', () => {
          this.waitingForAckLink = false;
          this.flushAcks();
        });
      }
      return;
    }
    const ids = this.acks;
    this.acks = [];
    this.acking = redis.xack(this.o.stream, this.o.group, ...ids).then(
      () => {
        this.counts.acked += ids.length;
      },
      (err: unknown) => {
        if (isReplyError(err)) {
          // The group is gone (NOGROUP): nothing is pending to acknowledge any more.
          this.o.log.warn({ err: errorText(err), entries: ids.length }, 'XACK refused');
          return;
        }
        this.o.log.debug({ err: errorText(err), entries: ids.length }, 'XACK failed; trying again when connected');
        this.acks.push(...ids);
        this.flushAcks();
      },
    );
  }
}
