/**
 * An at-least-once MQTT subscriber: hands each PUBLISH to the flow as it arrives and acknowledges it to the broker
 * only once the flow has settled it (see docs/delivery.md).
 *
 * - gate mode (normal): mqtt.js's callbacks run at once; the PUBACK/PUBREC is withheld by the AckGate and released
 *   in arrival order when the engine settles the message. Throughput is not bound by the sink's round trip.
 * - hold mode (fallback when the start-up probe or the ungated-ack counter says mqtt.js changed): mqtt.js's
 *   callback is held until the message settles, so its ack cannot go out early. One message at a time: slow, safe.
 *
 * Back pressure: while the engine's `ingest` promise is pending or the gate holds `window` acks, the next packet
 * waits, which stalls mqtt.js's serial packet handler and so stops reading from the socket.
 * A nack stops intake on that connection, releases what came before the nacked message, then drops the
 * connection without acking: the broker redelivers the rest (DUP=1) after the reconnect.
 */
import './quiet-debug.js'; // before mqtt: see quiet-debug.ts
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger, NodeStatus, Outcome, Settle } from '../../spec/runtime-contract.js';
import { AckGate, bypassGate, type GateEntry } from './ack-gate.js';
import { ReconnectBackoff } from './backoff.js';
import { probeAckHook } from './hook-probe.js';
import { getSendPacket, setAckHook, simulatedChange, VERIFIED_MQTT_VERSION } from './internals.js';
import { endClient, type Subscription, subscribeOnce } from './lifecycle.js';
import { reportStatus } from './status.js';

export interface SubscriberOptions {
  url: string;
  client: IClientOptions;
  subscriptions: Subscription[];
  /** At most this many messages received and not yet acknowledged to the broker. */
  window: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  log: Logger;
  status(s: NodeStatus): void;
  /** Hand a PUBLISH to the flow; `settle` fires once. Returns the engine's back-pressure promise, if any. */
  deliver(packet: IPublishPacket, settle: Settle): undefined | Promise<void>;
}

export type DeliveryMode = 'gate' | 'hold';

/** After a nack, how long to wait for earlier messages to settle before dropping the connection anyway. */
const NACK_DRAIN_MS = 1000;

export class MqttSubscriber {
  mode: DeliveryMode = 'gate';
  private client: MqttClient | undefined;
  private gate: AckGate | undefined;
  private backoff: ReconnectBackoff | undefined;
  private detachStatus: (() => void) | undefined;
  /** QoS 2 packets (all QoS 1/2 ones if not handleInDone) the arrival hook has seen: already in the flow. */
  private seen = new WeakSet<object>();
  /** The QoS 1/2 packet whose `done` is running: mqtt.js calls handleMessage for QoS 1 from inside it. */
  private arriving: IPublishPacket | undefined;
  /** The start-up probe saw mqtt.js call handleMessage for QoS 1 inside `done` (else `seen` tracks QoS 1 too). */
  private handleInDone = false;
  private pending: Promise<void> | undefined;
  private waiters: Array<() => void> = [];
  private intake = true;
  private stopping = false;
  /** A connection being dropped (after a nack): it takes no more messages. */
  private closingConn: object | undefined;
  private nackTimer: NodeJS.Timeout | undefined;
  private modeNote: string | undefined;
  readonly counters = { connects: 0, delivered: 0, nacked: 0, redeliveryReconnects: 0, qos0Failed: 0, hookMissed: 0 };

  constructor(private readonly o: SubscriberOptions) {}

  async start(): Promise<void> {
    const probe = await probeAckHook();
    this.handleInDone = probe.handleInDone;
    const wantsQos2 = this.o.subscriptions.some((s) => s.qos === 2);
    if (!probe.arrivalHook && wantsQos2) {
      throw new Error(
        `mqtt ${probe.version} no longer lets Sluice withhold PUBREC, so QoS 2 cannot be delivered at least once; subscribe with QoS 1`,
      );
    }
    if (!probe.gate) this.fallBack(`start-up check failed: ${probe.reason}`);
    else if (probe.version !== VERIFIED_MQTT_VERSION) {
      this.o.log.warn(
        { version: probe.version },
        `mqtt is not the verified ${VERIFIED_MQTT_VERSION}; the start-up check passed`,
      );
    }

    const client = connect(this.o.url, { ...this.o.client, manualConnect: true });
    this.client = client;
    const original = getSendPacket(client);
    this.gate = new AckGate(
      client,
      {
        onUngated: (p) => this.onUngated(p.cmd, p.messageId),
        onBlocked: () => this.dropForRedelivery('a message was nacked'),
        onReleased: () => {
          this.backoff?.progress();
          this.wake();
        },
      },
      this.o.window,
    );
    if (!this.gate.install() && this.mode === 'gate') this.fallBack('mqtt.js has no packet writer to gate');
    this.gate.passThrough = this.mode === 'hold';
    if (simulatedChange() === 'acks-bypass-gate' && original) bypassGate(client, original);
    // Both hooks are in place before the connection opens, or session messages queued at the broker
    // would be handled (and acked) by mqtt.js's defaults.
    setAckHook(client, (_topic, _payload, packet, done) => this.onArrival(packet, done));
    client.handleMessage = (packet, cb) => this.onMessage(packet, cb);
    this.backoff = new ReconnectBackoff(client, this.o.reconnectMinMs, this.o.reconnectMaxMs);
    client.on('error', (err) => this.o.log.warn({ err: err.message }, 'mqtt connection error'));
    client.on('close', () => this.onClose());
    client.on('connect', () => this.counters.connects++);
    this.detachStatus = reportStatus(client, this.o.status, () => this.modeNote);
    client.connect();
    await subscribeOnce(client, this.o.subscriptions, this.o.client.connectTimeout ?? 30_000, this.o);
  }

  /** Stop taking messages; acks of messages already in the flow still go out as they settle. */
  stopIntake(): void {
    this.intake = false;
    this.stopping = true;
  }

  /** Disconnect. Held acks are dropped, never sent: the broker redelivers those messages to the next session. */
  async stop(): Promise<void> {
    this.stopIntake();
    clearTimeout(this.nackTimer);
    this.detachStatus?.();
    const client = this.client;
    if (!client) return;
    this.gate?.dropAll();
    await endClient(client);
    this.wake();
  }

  snapshot() {
    return {
      mode: this.mode,
      clientId: this.o.client.clientId,
      connected: this.client?.connected ?? false,
      heldAcks: this.gate?.held ?? 0,
      ...this.counters,
      ...(this.gate?.stats ?? {}),
    };
  }

  // ---- the packet path (runs inside mqtt.js's serial packet handler: keep it a few microseconds) ------------

  /** mqtt.js's arrival hook for QoS 1/2 (`customHandleAcks`): `done` lets it go on to build the ack. */
  private onArrival(packet: IPublishPacket, done: (err: Error | null, code?: number) => void): void {
    // QoS 2 reaches handleMessage later (at PUBREL), from mqtt.js's store: remember the packet until then; so
    // must QoS 1 if this mqtt.js does not call handleMessage inside `done` (see arrived()).
    if (packet.qos === 2 || !this.handleInDone) this.seen.add(packet);
    const conn = this.client!.stream;
    // Usually there is room: no promise and no closure per message then.
    const wait = this.room();
    if (wait) void wait.then(() => this.admitArrival(packet, done, conn));
    else this.admitArrival(packet, done, conn);
  }

  private admitArrival(packet: IPublishPacket, done: (err: Error | null, code?: number) => void, conn: object): void {
    if (!this.admits(conn)) return; // parked: neither delivered nor acked; the broker redelivers it
    const client = this.client!;
    if (this.mode === 'gate') {
      this.deliver(packet, this.gatedSettle(this.gate!.track(packet.messageId ?? 0)));
      this.arrived(packet, done);
    } else {
      this.deliver(packet, (o) => {
        if (!o.ok) this.nack(conn, o.reason);
        else if (client.stream === conn && client.connected) this.arrived(packet, done);
      });
    }
  }

  /**
   * Let mqtt.js go on with `packet`. For QoS 1 it calls handleMessage from inside `done`, which must know that the
   * packet is already in the flow: marked for that call only, which costs less per message than a WeakSet.
   */
  private arrived(packet: IPublishPacket, done: (err: Error | null, code?: number) => void): void {
    this.arriving = packet;
    try {
      done(null, 0);
    } finally {
      this.arriving = undefined;
    }
  }

  /** mqtt.js's `handleMessage`: QoS 0 messages, and QoS 1/2 after the arrival hook (already in the flow). */
  private onMessage(packet: IPublishPacket, cb: (err?: Error) => void): void {
    if (packet.qos > 0 && (packet === this.arriving || this.seen.has(packet))) {
      cb();
      return;
    }
    const client = this.client!;
    const conn = client.stream;
    if (packet.qos > 0) {
      // The arrival hook was skipped: mqtt.js changed. Hold this ack until the message settles.
      this.counters.hookMissed++;
      if (this.mode === 'gate') {
        // Acks held so far and acks from now on would no longer go out in arrival order: start over.
        this.fallBack('mqtt.js delivered a QoS 1/2 message without calling the arrival hook');
        this.dropForRedelivery('fail closed');
      }
    }
    const admit = () => {
      if (!this.admits(conn)) return;
      if (packet.qos === 0) {
        this.deliver(packet, (o) => {
          if (!o.ok) this.counters.qos0Failed++; // QoS 0 cannot be redelivered
        });
        cb();
        return;
      }
      this.deliver(packet, (o) => {
        if (!o.ok) this.nack(conn, o.reason);
        else if (client.stream === conn && client.connected) cb();
      });
    };
    const wait = this.room();
    if (wait) void wait.then(admit);
    else admit();
  }

  private admits(conn: object): boolean {
    const client = this.client!;
    return this.intake && client.connected && client.stream === conn && this.closingConn !== conn;
  }

  private deliver(packet: IPublishPacket, settle: Settle): void {
    this.counters.delivered++;
    const wait = this.o.deliver(packet, settle);
    if (wait) {
      this.pending = wait;
      void wait.then(() => {
        if (this.pending === wait) this.pending = undefined;
        this.wake();
      });
    }
  }

  /**
   * The settle callback of a gated message, made in a function of its own: a closure made in admitArrival would
   * share its context, and keep the packet and mqtt.js's `done` (with its own context) alive while the message is
   * in flight: ~490 of the ~2,050 bytes a held message kept (heap snapshots of 1,000 held messages), all of it
   * copied by young-generation GC while the message waits for its sink.
   */
  private gatedSettle(entry: GateEntry): Settle {
    return (o) => this.settledGated(entry, o);
  }

  private settledGated(entry: GateEntry, o: Outcome): void {
    if (o.ok) {
      this.gate!.ok(entry);
      return;
    }
    this.counters.nacked++;
    if (this.gate!.fail(entry)) this.nack(this.client!.stream, o.reason);
  }

  // ---- back pressure ----------------------------------------------------------------------------------------

  /** Undefined when the next message may enter the flow now, else a promise for when it may. */
  private room(): Promise<void> | undefined {
    if (this.hasRoom()) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private hasRoom(): boolean {
    return this.pending === undefined && (this.mode !== 'gate' || (this.gate?.held ?? 0) < this.o.window);
  }

  private wake(): void {
    while (this.waiters.length > 0 && (this.hasRoom() || !this.intake)) this.waiters.shift()!();
  }

  // ---- failures ---------------------------------------------------------------------------------------------

  private nack(conn: object, reason: string): void {
    if (this.stopping) return; // the flow is stopping: held acks are dropped at stop, nothing to reconnect for
    if (this.client?.stream !== conn || this.closingConn === conn) return;
    this.closingConn = conn;
    this.o.log.warn({ reason }, 'message nacked: stopping intake, the broker will redeliver after a reconnect');
    if (this.mode === 'hold') this.dropForRedelivery(reason);
    else this.nackTimer = setTimeout(() => this.dropForRedelivery('nacked messages waiting too long'), NACK_DRAIN_MS);
  }

  /** Close the connection without acking what is held: the broker redelivers it (DUP=1) to the resumed session. */
  private dropForRedelivery(why: string): void {
    const client = this.client;
    if (!client || this.stopping || !client.connected) return;
    clearTimeout(this.nackTimer);
    this.counters.redeliveryReconnects++;
    this.backoff?.strike();
    this.o.log.info(
      { why, held: this.gate?.held ?? 0 },
      'reconnecting so the broker redelivers unacknowledged messages',
    );
    this.closingConn = client.stream;
    this.gate?.dropAll();
    client.stream.destroy();
  }

  private onClose(): void {
    clearTimeout(this.nackTimer);
    this.closingConn = undefined;
    this.wake();
  }

  private onUngated(cmd: string, messageId: number): void {
    if (this.mode !== 'gate') return;
    this.o.log.error(
      { cmd, messageId },
      'mqtt.js sent an acknowledgement the gate did not release: disconnecting and falling back to hold mode',
    );
    this.fallBack('an acknowledgement bypassed the gate');
    this.dropForRedelivery('fail closed');
  }

  private fallBack(why: string): void {
    if (this.mode === 'hold') return;
    this.mode = 'hold';
    if (this.gate) this.gate.passThrough = true;
    this.modeNote = `safe mode (acks held per message): ${why}`;
    this.o.log.warn(
      { why },
      'MQTT acknowledgement gate unavailable: holding each acknowledgement until delivery (slower)',
    );
    this.wake();
  }
}
