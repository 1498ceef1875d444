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
 * A nack pauses intake and keeps the connection: the nacked message's ack stays held (so the broker still owns it:
 * after a crash or a disconnect it redelivers it), and the subscriber hands the message to the flow again itself
 * (DUP=1), one message at a time while the flow keeps failing, at most RETRY_MAX_MS apart. Once one goes through,
 * the other nacked messages go in again and intake resumes: within RETRY_MAX_MS of a sink coming back, instead of
 * after a reconnect backoff that grew during the outage (issue 10, fault 3).
 */
import './quiet-debug.js'; // before mqtt: see quiet-debug.ts
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger, NodeStatus, Outcome, Settle } from '../../spec/runtime-contract.js';
import { AckGate, type GateEntry } from './ack-gate.js';
import { ReconnectBackoff } from './backoff.js';
import { probeAckHook } from './hook-probe.js';
import { setAckHook, VERIFIED_MQTT_VERSION } from './internals.js';
import { endClient, type Subscription, subscribeOnce } from './lifecycle.js';
import { reportStatus } from './status.js';
import { negotiateVersion } from './version.js';

export interface SubscriberOptions {
  url: string;
  client: IClientOptions;
  subscriptions: Subscription[];
  /** At most this many messages received and not yet acknowledged to the broker. */
  window: number;
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
  log: Logger;
  status(s: NodeStatus): void;
  /** Hand a PUBLISH to the flow; `settle` fires once. Returns the engine's back-pressure promise, if any. */
  deliver(packet: IPublishPacket, settle: Settle): undefined | Promise<void>;
  /** Each time the connection opens (e.g. to publish on it: a Sparkplug host's STATE goes with its will). */
  connected?(client: MqttClient): void;
}

export type DeliveryMode = 'gate' | 'hold';

/** Delays between attempts to hand a nacked message to the flow again: doubling from the first to the last. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 500;

/** A nacked QoS 1/2 message, its ack still held, waiting to go into the flow again on the connection it came on. */
interface Retry {
  packet: IPublishPacket;
  conn: object;
  /** What a successful settle does: release the ack (gate) or let mqtt.js send it (hold). */
  onOk: () => void;
}

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
  /** A connection being dropped (fail closed): it takes no more messages. */
  private closingConn: object | undefined;
  /** Nacked messages to hand to the flow again, oldest first; intake is paused while there are any. */
  private retries: Retry[] = [];
  /** A retried message is in the flow: the others wait for its outcome. */
  private probing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_MIN_MS;
  private pausedSince = 0;
  private modeNote: string | undefined;
  private versionNote: () => string | undefined = () => undefined;
  readonly counters = {
    connects: 0,
    delivered: 0,
    nacked: 0,
    /** Nacked messages handed to the flow again by the subscriber (no reconnect). */
    retried: 0,
    redeliveryReconnects: 0,
    qos0Failed: 0,
    hookMissed: 0,
  };

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
    // Both hooks are in place before the connection opens, or session messages queued at the broker
    // would be handled (and acked) by mqtt.js's defaults.
    setAckHook(client, (_topic, _payload, packet, done) => this.onArrival(packet, done));
    client.handleMessage = (packet, cb) => this.onMessage(packet, cb);
    this.backoff = new ReconnectBackoff(client, this.o.reconnectDelayMs, this.o.reconnectMaxDelayMs);
    client.on('error', (err) => this.o.log.warn({ err: err.message }, 'mqtt connection error'));
    client.on('close', () => this.onClose());
    client.on('connect', () => {
      this.counters.connects++;
      this.o.connected?.(client);
    });
    const version = negotiateVersion(client, this.o.log);
    this.versionNote = () => version.note();
    this.detachStatus = reportStatus(client, this.o.status, () => this.connectedNote());
    client.connect();
    await subscribeOnce(client, this.o.subscriptions, this.o.client.connectTimeout ?? 30_000, this.o);
  }

  /** What the connected status says: the MQTT version in use, and safe mode if on. */
  private connectedNote(): string | undefined {
    return [this.versionNote(), this.modeNote].filter(Boolean).join('; ') || undefined;
  }

  /** Stop taking messages; acks of messages already in the flow still go out as they settle. */
  stopIntake(): void {
    this.intake = false;
    this.stopping = true;
  }

  /** Disconnect. Held acks are dropped, never sent: the broker redelivers those messages to the next session. */
  async stop(): Promise<void> {
    this.stopIntake();
    this.clearRetries();
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
      retrying: this.retries.length + (this.probing ? 1 : 0),
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
      this.deliver(packet, this.gatedSettle(this.gate!.track(packet.messageId ?? 0), packet));
      this.arrived(packet, done);
    } else {
      const onOk = () => {
        if (client.stream === conn && client.connected) this.arrived(packet, done);
      };
      this.deliver(packet, (o) => (o.ok ? onOk() : this.nacked({ packet, conn, onOk }, o.reason)));
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
      const onOk = () => {
        if (client.stream === conn && client.connected) cb();
      };
      this.deliver(packet, (o) => (o.ok ? onOk() : this.nacked({ packet, conn, onOk }, o.reason)));
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
   * share its context, and keep mqtt.js's `done` (with its own context) alive while the message is in flight (with
   * the packet: ~490 of the ~2,050 bytes a held message kept, heap snapshots of 1,000 held messages), all of it
   * copied by young-generation GC while the message waits for its sink. The packet itself is kept (not `done`): a
   * nacked message goes into the flow again from it.
   */
  private gatedSettle(entry: GateEntry, packet: IPublishPacket): Settle {
    return (o) => this.settledGated(entry, packet, o);
  }

  private settledGated(entry: GateEntry, packet: IPublishPacket, o: Outcome): void {
    if (o.ok) {
      this.gate!.ok(entry);
      return;
    }
    const gate = this.gate!;
    // Its connection is gone: the broker redelivers it on the new one (retrying here too would only duplicate it).
    if (!gate.holds(entry)) {
      this.counters.nacked++;
      return;
    }
    // The ack stays held (the entry pending): it goes out only when a later attempt succeeds.
    this.nacked({ packet, conn: this.client!.stream, onOk: () => gate.ok(entry) }, o.reason);
  }

  // ---- back pressure ----------------------------------------------------------------------------------------

  /** Undefined when the next message may enter the flow now, else a promise for when it may. */
  private room(): Promise<void> | undefined {
    if (this.hasRoom()) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private hasRoom(): boolean {
    return (
      this.pending === undefined && !this.paused() && (this.mode !== 'gate' || (this.gate?.held ?? 0) < this.o.window)
    );
  }

  private paused(): boolean {
    return this.probing || this.retries.length > 0;
  }

  private wake(): void {
    while (this.waiters.length > 0 && (this.hasRoom() || !this.intake)) this.waiters.shift()!();
  }

  // ---- failures ---------------------------------------------------------------------------------------------

  /**
   * A QoS 1/2 message the flow could not take (e.g. its sink is down). Its ack stays held; intake pauses and the
   * message goes into the flow again after a short delay, on the same connection (no reconnect).
   */
  private nacked(retry: Retry, reason: string): void {
    this.counters.nacked++;
    // Stopping, or its connection closed: its ack is gone and the broker redelivers it to the next session.
    if (this.stopping || this.client?.stream !== retry.conn || this.closingConn === retry.conn) return;
    const wasPaused = this.paused();
    this.retries.push(retry);
    if (wasPaused) return; // a retry is scheduled or in the flow already: this one waits its turn
    this.pausedSince = Date.now();
    this.retryDelayMs = RETRY_MIN_MS;
    this.o.log.warn(
      { reason, retryEveryMs: RETRY_MAX_MS },
      'message nacked: intake paused, retrying it (the broker keeps it until it is delivered)',
    );
    this.o.status({ state: 'connected', reason: `intake paused, retrying a failed message: ${reason}` });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.probe(), this.retryDelayMs);
    this.retryDelayMs = Math.min(RETRY_MAX_MS, this.retryDelayMs * 2);
  }

  /** Hand the oldest nacked message to the flow again; the others follow once it goes through. */
  private probe(): void {
    const conn = this.client?.stream;
    this.retries = this.retries.filter((r) => r.conn === conn);
    const retry = this.retries.shift();
    if (!retry || this.stopping) {
      this.resume();
      return;
    }
    this.probing = true;
    this.redeliver(retry, (o) => {
      this.probing = false;
      if (this.stopping || this.client?.stream !== retry.conn) {
        this.resume();
        return;
      }
      if (!o.ok) {
        this.retries.unshift(retry);
        this.scheduleRetry();
        return;
      }
      retry.onOk();
      // The flow takes messages again: the rest go in now (their failures come back through nacked()).
      const rest = this.retries;
      this.retries = [];
      for (const r of rest) this.redeliver(r, (o2) => (o2.ok ? r.onOk() : this.nacked(r, o2.reason)));
      this.resume();
    });
  }

  private redeliver(retry: Retry, settle: Settle): void {
    this.counters.retried++;
    retry.packet.dup = true; // it may have reached a sink already (the `mqtt-dup` header says so)
    this.deliver(retry.packet, settle);
  }

  private resume(): void {
    if (this.paused()) return;
    clearTimeout(this.retryTimer);
    if (this.pausedSince > 0) {
      this.o.log.info({ pausedMs: Date.now() - this.pausedSince }, 'the flow takes messages again: intake resumed');
      this.pausedSince = 0;
      if (this.client?.connected) this.o.status({ state: 'connected', reason: this.connectedNote() });
    }
    this.wake();
  }

  private clearRetries(): void {
    clearTimeout(this.retryTimer);
    this.retries = [];
    this.probing = false;
    this.pausedSince = 0;
  }

  /** Close the connection without acking what is held: the broker redelivers it (DUP=1) to the resumed session. */
  private dropForRedelivery(why: string): void {
    const client = this.client;
    if (!client || this.stopping || !client.connected) return;
    this.clearRetries();
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
    // Held acks were dropped with the connection: the broker redelivers those messages, nacked ones included.
    this.clearRetries();
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
