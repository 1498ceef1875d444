/**
 * The PUBACK gate: a QoS 1/2 message is handed to the flow at once, but its acknowledgement (PUBACK, or PUBREC
 * for QoS 2) is withheld until the engine settles the message, then released in arrival order (MQTT requires
 * acknowledgements in the order the PUBLISH packets arrived). mqtt.js still does its own bookkeeping: it builds
 * the ack packet and hands it to `_sendPacket`, which the gate wraps to hold the packet back.
 *
 * Safety rules (docs/delivery.md): an ack the gate did not release that reaches the wire is counted and reported
 * (`onUngated`: the caller disconnects and falls back to holding mqtt.js's callback); held acks are dropped
 * when the connection closes (packet ids are per connection: the broker redelivers those messages); a late
 * settle of a message from a closed connection is ignored.
 */
import type { MqttClient } from 'mqtt';
import { Ring } from '../../kit/ring.js';
import { coalesceWrites } from '../coalesce-writes.js';
import {
  type AckPacket,
  getSendPacket,
  isAckPacket,
  type OutPacket,
  type SendPacket,
  setSendPacket,
} from './internals.js';
import { PacketIdTable } from './packet-id-table.js';

const PENDING = 0;
const OK = 1;
const FAILED = 2;
/** The broker reused a packet id we had not acked (a protocol anomaly): skip the stale entry. */
const SUPERSEDED = 3;

export interface GateEntry {
  readonly messageId: number;
  /** The connection generation the message arrived on. */
  readonly generation: number;
  ack: AckPacket | undefined;
  state: number;
}

export interface AckGateEvents {
  /** An ack went out that the gate did not release: mqtt.js no longer routes acks through `_sendPacket`. */
  onUngated(packet: AckPacket): void;
  /** The oldest held message was nacked: everything before it is released; drop the connection to get it back. */
  onBlocked(): void;
  /** Acks were released (the window has room again). */
  onReleased(count: number): void;
}

export interface GateStats {
  released: number;
  /** Acks held when their connection closed: the broker redelivers those messages. */
  droppedOnClose: number;
  /** Acks mqtt.js produced for messages the gate did not track (an old connection): never sent. */
  stale: number;
  /** Acks that reached the wire without the gate: must stay 0. */
  ungated: number;
}

export class AckGate {
  /** Held acks in arrival order (a ring, not an array reset at every batch: see ring.ts). */
  private readonly queue: Ring<GateEntry>;
  private readonly byId: PacketIdTable<GateEntry>;
  private generation = 0;
  private send: SendPacket | undefined;
  private releasing = false;
  /** Hold mode: acks are produced only after settle, so they go straight out (still never while offline). */
  passThrough = false;
  readonly stats: GateStats = { released: 0, droppedOnClose: 0, stale: 0, ungated: 0 };

  constructor(
    private readonly client: MqttClient,
    private readonly events: AckGateEvents,
    /** The most acks held at once (the subscriber's window), to size the tables. */
    window = 1000,
  ) {
    this.queue = new Ring<GateEntry>(window);
    this.byId = new PacketIdTable<GateEntry>(window);
  }

  get held(): number {
    return this.queue.size;
  }

  /** Wrap the client's packet writer. False when mqtt.js does not have the hook (the caller must hold callbacks). */
  install(): boolean {
    const original = getSendPacket(this.client);
    if (!original) return false;
    this.send = original;
    const client = this.client;
    setSendPacket(client, (packet, cb, cbStorePut, noStore) => {
      if (isAckPacket(packet)) this.intercept(packet, cb);
      else original.call(client, packet, cb, cbStorePut, noStore);
    });
    client.on('packetsend', (p: OutPacket) => {
      if (!this.releasing && isAckPacket(p)) {
        this.stats.ungated++;
        this.events.onUngated(p);
      }
    });
    client.on('close', () => this.dropAll());
    return true;
  }

  /** Record a QoS 1/2 message on arrival, before mqtt.js builds its ack. */
  track(messageId: number): GateEntry {
    const entry: GateEntry = { messageId, generation: this.generation, ack: undefined, state: PENDING };
    const previous = this.byId.get(messageId);
    this.byId.set(entry);
    this.queue.push(entry);
    if (previous) {
      previous.state = SUPERSEDED;
      // At the head it would hold back every later ack: skip it now.
      if (previous === this.queue.peek()) this.flush();
    }
    return entry;
  }

  ok(entry: GateEntry): void {
    if (entry.generation !== this.generation || entry.state !== PENDING) return;
    entry.state = OK;
    if (entry === this.queue.peek()) this.flush();
  }

  /** Whether the entry's ack is still held on the open connection (false: the broker redelivers its message). */
  holds(entry: GateEntry): boolean {
    return entry.generation === this.generation && entry.state === PENDING;
  }

  /** False when the entry belongs to a connection that is already gone (nothing to do: it will be redelivered). */
  fail(entry: GateEntry): boolean {
    if (entry.generation !== this.generation || entry.state !== PENDING) return false;
    entry.state = FAILED;
    if (entry === this.queue.peek()) this.events.onBlocked();
    return true;
  }

  /** Forget every held ack (the connection is gone or being dropped): their messages will be redelivered. */
  dropAll(): void {
    this.stats.droppedOnClose += this.held;
    this.generation++;
    this.queue.clear();
    this.byId.clear();
  }

  /** Send an ack the way mqtt.js would have, marked as released by the gate. */
  private write(ack: AckPacket): boolean {
    if (!this.client.connected || !this.send) return false;
    this.releasing = true;
    try {
      this.send.call(this.client, ack);
    } finally {
      this.releasing = false;
    }
    return true;
  }

  private intercept(packet: AckPacket, cb: ((err?: Error) => void) | undefined): void {
    if (this.passThrough) {
      if (!this.write(packet)) this.stats.stale++;
    } else {
      const entry = this.byId.get(packet.messageId);
      if (!entry || entry.ack !== undefined || entry.state === SUPERSEDED) {
        // Never acknowledge what this connection's gate did not track: the id may belong to another message now.
        this.stats.stale++;
      } else {
        entry.ack = packet;
        if (entry === this.queue.peek()) this.flush();
      }
    }
    // mqtt.js waits for this callback before it handles the next packet: the ack itself goes out later.
    cb?.();
  }

  private flush(): void {
    let count = 0;
    for (let e = this.queue.peek(); e !== undefined; e = this.queue.peek()) {
      if (e.state === SUPERSEDED) {
        this.queue.shift();
        continue;
      }
      if (e.state === FAILED) {
        this.events.onBlocked();
        break;
      }
      if (e.state !== OK || e.ack === undefined) break;
      // Acks released in this turn (one sink batch, or one at a time) go out in one socket write.
      if (count === 0) coalesceWrites(this.client.stream);
      if (!this.write(e.ack)) break;
      e.ack = undefined; // sent: a late settle may still hold the entry, its packet need not stay alive
      this.queue.shift();
      count++;
      this.byId.delete(e);
    }
    if (count > 0) {
      this.stats.released += count;
      this.events.onReleased(count);
    }
  }
}
