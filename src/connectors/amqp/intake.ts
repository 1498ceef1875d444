/**
 * amqp-in's delivery path: a delivery becomes a message, goes into the flow, and is acked (or nacked) on its own
 * channel when its lineage settles. Deliveries wait here, in order, while the flow's in-flight window is full;
 * the broker sends at most `prefetch` unacked deliveries, so this queue is bounded by it.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { createMessage, type Message, newMessageId } from '../../spec/message.js';
import type { Logger, Outcome, Settle } from '../../spec/runtime-contract.js';
import { type Codec, decode } from './codec.js';
import { errorText } from './link-status.js';
import { headersFromDelivery } from './properties.js';

export interface IntakeOptions {
  codec: Codec;
  onFailure: 'requeue' | 'dead-letter';
  requeueDelayMs: number;
  ingest(msg: Message, settle: Settle): undefined | Promise<void>;
  ingestFailed(msg: Message, reason: string, settle: Settle): undefined | Promise<void>;
  /** Whether the channel of this generation is still open (acks for a dead channel are dropped). */
  isLive(generation: number): boolean;
  log: Logger;
}

interface Delivery {
  m: ConsumeMessage;
  ch: Channel;
  generation: number;
}

export class Intake {
  private readonly waitingRoom: Delivery[] = [];
  private blocked = false;
  private taking = true;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: IntakeOptions) {}

  push(m: ConsumeMessage, ch: Channel, generation: number): void {
    // Sent before the broker saw our cancel: hand it straight back.
    if (!this.taking) {
      this.nack({ m, ch, generation }, true);
      return;
    }
    this.waitingRoom.push({ m, ch, generation });
    if (!this.blocked) this.pump();
  }

  /** Stop taking deliveries: those still waiting go back to the queue now, for this or another consumer. */
  stopTaking(): void {
    this.taking = false;
    for (const d of this.waitingRoom.splice(0)) this.nack(d, true);
  }

  /** Forget pending delayed requeues: closing the channel requeues those messages anyway. */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private pump(): void {
    while (this.taking && this.waitingRoom.length > 0) {
      const d = this.waitingRoom.shift()!;
      // Its channel is gone: the broker has put it back already.
      if (!this.o.isLive(d.generation)) continue;
      const wait = this.enter(d);
      if (wait) {
        this.blocked = true;
        wait.then(() => {
          this.blocked = false;
          this.pump();
        });
        return;
      }
    }
  }

  private enter(d: Delivery): undefined | Promise<void> {
    const { m } = d;
    const decoded = decode(m.content, this.o.codec);
    const id =
      typeof m.properties.messageId === 'string' && m.properties.messageId ? m.properties.messageId : newMessageId();
    const { headers, wire } = headersFromDelivery(m);
    const msg = createMessage({ id, topic: m.fields.routingKey, payload: decoded.payload, headers, wire });
    const settle = (outcome: Outcome) => this.settle(d, outcome);
    return decoded.ok ? this.o.ingest(msg, settle) : this.o.ingestFailed(msg, decoded.reason, settle);
  }

  private settle(d: Delivery, outcome: Outcome): void {
    if (outcome.ok) {
      // Dropped by the flow (a failure redelivery cannot fix): the queue's dead-letter exchange keeps it, if asked to.
      if (outcome.dropped !== undefined && this.o.onFailure === 'dead-letter') this.nack(d, false);
      else this.ack(d);
    } else if (this.o.onFailure === 'dead-letter') {
      this.nack(d, false);
    } else if (this.o.requeueDelayMs > 0 && this.taking) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.nack(d, true);
      }, this.o.requeueDelayMs);
      this.timers.add(t);
    } else {
      this.nack(d, true);
    }
  }

  private ack(d: Delivery): void {
    // Never ack on a newer channel: delivery tags belong to the channel they came on.
    if (!this.o.isLive(d.generation)) return;
    try {
      d.ch.ack(d.m);
    } catch (err) {
      this.o.log.debug({ err: errorText(err) }, 'ack on a closing channel dropped; the broker redelivers');
    }
  }

  private nack(d: Delivery, requeue: boolean): void {
    if (!this.o.isLive(d.generation)) return;
    try {
      d.ch.nack(d.m, false, requeue);
    } catch (err) {
      this.o.log.debug({ err: errorText(err) }, 'nack on a closing channel dropped; the broker redelivers');
    }
  }
}
