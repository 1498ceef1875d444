import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { clientOptions, type MqttSettings, safeClientId } from '../../src/connectors/mqtt/settings.js';
import { MqttSubscriber } from '../../src/connectors/mqtt/subscriber.js';
import { decodeWire, type WirePayload } from '../../src/connectors/sparkplug/decode.js';
import { encodeSparkplug } from '../../src/connectors/sparkplug/encode.js';
import { type HostResult, type MetricEvent, SparkplugHost } from '../../src/connectors/sparkplug/host.js';
import { NAMESPACE, parseTopic, type SparkplugTopic, topicOf } from '../../src/connectors/sparkplug/topic.js';
import { Lru, problemStatus } from '../../src/kit/index.js';
import { type Message, newMessageId, type Settle, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, NodeStatus, Outcome } from '../../src/spec/runtime-contract.js';
import type { MqttShared } from '../connections/mqtt/runtime.js';
import type { sparkplugIn } from './definition.js';

type Config = Static<typeof sparkplugIn.config>;

/** A DATA message waiting, unacknowledged, for the birth certificate that names its metrics. */
interface Held {
  t: SparkplugTopic;
  wire: WirePayload;
  settle: Settle;
}

const edgeKey = (t: SparkplugTopic) => `${t.group}/${t.edgeNode}`;
const deviceKey = (t: SparkplugTopic) => `${t.group}/${t.edgeNode}/${t.device ?? ''}`;

/** One metric's message. `now`: when its MQTT message came in (one clock read per MQTT message, not per metric). */
function messageOf(e: MetricEvent, now: number): Message {
  const path =
    e.device !== undefined ? `${e.group}/${e.edgeNode}/${e.device}/${e.name}` : `${e.group}/${e.edgeNode}/${e.name}`;
  // One literal per shape: headers added after the literal would move out of the object into a second allocation.
  const headers: Record<string, string> =
    e.device !== undefined
      ? {
          'sparkplug-group': e.group,
          'sparkplug-edge-node': e.edgeNode,
          'sparkplug-message-type': e.messageType,
          'sparkplug-quality': e.quality,
          'sparkplug-device': e.device,
        }
      : {
          'sparkplug-group': e.group,
          'sparkplug-edge-node': e.edgeNode,
          'sparkplug-message-type': e.messageType,
          'sparkplug-quality': e.quality,
        };
  return { id: newMessageId(), topic: path, key: path, payload: e, headers, timestamp: now };
}

/** Session bookkeeping rather than process data (Sparkplug 3.0, 6.4.x and 7.x). */
function isControl(name: string): boolean {
  return name === 'bdSeq' || name.startsWith('Node Control/') || name.startsWith('Device Control/');
}

/** The events without control metrics: the array itself when there are none (the usual DATA), no copy. */
function withoutControl(events: MetricEvent[]): MetricEvent[] {
  for (let i = 0; i < events.length; i++) {
    if (isControl(events[i].name)) return events.filter((e) => !isControl(e.name));
  }
  return events;
}

const TOPIC_CACHE = 4096;

/** One settle for the MQTT message once every metric message settled: the first failure wins (redeliver). */
function fanIn(count: number, settle: Settle): Settle {
  let left = count;
  let failure: Outcome | undefined;
  return (o) => {
    if (!o.ok && !failure) failure = o;
    if (--left === 0) settle(failure ?? { ok: true });
  };
}

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const settings = ctx.connectionConfig<MqttSettings>(c.connection);
  const qos = c.qos as 0 | 1;
  const clientId = c.clientId || safeClientId(settings.clientId || 'sluice', ctx.flowId, ctx.nodeId);
  // A clean session, as Sparkplug asks of host applications, unless the connection says otherwise: the host's state
  // lives in memory, so DATA a persistent session queued while it was away waits (held) for the rebirth it asks for.
  const clean = settings.clean ?? true;
  const counters = {
    messages: 0,
    metrics: 0,
    ignored: 0,
    rebirthRequests: 0,
    undecodable: 0,
    forgottenEdgeNodes: 0,
    forgottenDevices: 0,
  };
  const host = new SparkplugHost({
    maxEdgeNodes: c.maxEdgeNodes,
    maxDevices: c.maxDevices,
    onForget: (kind, key) => forgot(kind, key),
  });
  // Per edge node, bounded like the host's state (an edge node forgotten there is asked again when heard again).
  const lastRebirth = new Lru<number>(c.maxEdgeNodes);
  // Parsed topics by their text: a device's topics repeat on every message. Cleared when full (a flood of new ids).
  const topics = new Map<string, SparkplugTopic | null>();
  // A persistent session is the at-least-once mode: DATA before its birth is held for the birth, not dropped.
  const holding = !clean;
  const held = new Map<string, Held[]>();
  let heldCount = 0;
  let shared: MqttShared | undefined;
  let rebirthTimer: NodeJS.Timeout | undefined;

  // The connection's status, with a note once the state's bound has made the node forget edge nodes or devices.
  let connStatus: NodeStatus = { state: 'connecting' };
  let boundNote: string | undefined;
  let lastBoundReport = Number.NEGATIVE_INFINITY;
  const report = problemStatus(
    'sparkplug-in',
    ctx.nodeId,
    "check the connection's settings and that the broker is reachable",
    (s) => ctx.status(s),
  );
  const withNote = (s: NodeStatus): NodeStatus =>
    boundNote && s.state === 'connected'
      ? { state: s.state, reason: s.reason ? `${boundNote} (${s.reason})` : boundNote }
      : s;

  /**
   * An edge node or device forgotten at the bound (the least recently heard): its next DATA is unborn and gets a
   * rebirth request. Said in the status and the log, at most every 10 s (a flood of new ids forgets many at once).
   */
  function forgot(kind: 'edge node' | 'device', key: string): void {
    if (kind === 'edge node') counters.forgottenEdgeNodes++;
    else counters.forgottenDevices++;
    const now = Date.now();
    if (now - lastBoundReport < 10_000) return;
    lastBoundReport = now;
    boundNote = `sparkplug-in "${ctx.nodeId}": more edge nodes or devices than it follows (maxEdgeNodes ${c.maxEdgeNodes}, maxDevices ${c.maxDevices}): ${counters.forgottenEdgeNodes} edge node(s) and ${counters.forgottenDevices} device(s) forgotten so far, the least recently heard first (each is asked for a rebirth when heard again); raise the bounds if the group has that many`;
    ctx.log.warn({ [kind === 'edge node' ? 'edgeNode' : 'device']: key, ...counters }, boundNote);
    report(withNote(connStatus));
  }

  /**
   * While DATA waits for a birth, ask again every rebirthIntervalMs: the request goes out with QoS 0 (the spec) and
   * is lost if the edge node is reconnecting, and an edge node that publishes nothing more would not prompt another.
   */
  function askAgainLater(): void {
    if (rebirthTimer || !c.requestRebirth || heldCount === 0) return;
    rebirthTimer = setTimeout(
      () => {
        rebirthTimer = undefined;
        const asked = new Set<string>();
        for (const list of held.values()) {
          const t = list[0].t;
          const key = edgeKey(t);
          if (asked.has(key)) continue;
          asked.add(key);
          requestRebirth(t.group, t.edgeNode, 'data still waits for a birth certificate');
        }
        askAgainLater();
      },
      Math.max(c.rebirthIntervalMs, 100),
    );
  }

  function requestRebirth(group: string, edgeNode: string, why: string): void {
    if (!c.requestRebirth || !shared) return;
    const key = `${group}/${edgeNode}`;
    const now = Date.now();
    if (now - (lastRebirth.get(key) ?? -Infinity) < c.rebirthIntervalMs) return;
    lastRebirth.set(key, now);
    counters.rebirthRequests++;
    ctx.log.info({ edgeNode: key, why }, 'requesting a Sparkplug rebirth');
    const payload = encodeSparkplug({
      timestamp: now,
      metrics: [{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: true }],
    });
    shared.client.publish(topicOf({ group, type: 'NCMD', edgeNode }), Buffer.from(payload), { qos: 0 }, (err) => {
      if (err) ctx.log.warn({ edgeNode: key, err: err.message }, 'the rebirth request was not sent');
    });
  }

  const deliver = (packet: IPublishPacket, settle: Settle): undefined | Promise<void> => {
    counters.messages++;
    let t = topics.get(packet.topic);
    if (t === undefined) {
      if (topics.size >= TOPIC_CACHE) topics.clear();
      t = parseTopic(packet.topic) ?? null;
      topics.set(packet.topic, t);
    }
    if (!t) {
      settle({ ok: true, dropped: `${packet.topic} is not a Sparkplug B topic` });
      return undefined;
    }
    const bytes = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    let result: ReturnType<SparkplugHost['receive']>;
    let wire: WirePayload;
    const now = Date.now();
    try {
      // A redelivery, not a new birth: the broker's DUP flag, which the subscriber also sets when it hands a nacked
      // packet in again itself (MqttSubscriber.redeliver).
      wire = decodeWire(bytes);
      result = host.receive(t, wire, now, packet.dup);
    } catch (err) {
      counters.undecodable++;
      const msg: Message = {
        id: newMessageId(),
        topic: packet.topic,
        key: undefined,
        payload: bytes,
        headers: {},
        timestamp: now,
      };
      return ctx.ingestFailed(
        msg,
        `sparkplug-in "${ctx.nodeId}": ${packet.topic} is not a Sparkplug B payload (${(err as Error).message}); fix the edge node's encoder`,
        settle,
      );
    }
    if (result.rebirth) requestRebirth(t.group, t.edgeNode, result.rebirth);
    if (result.unborn && holding && (t.type === 'NDATA' || t.type === 'DDATA')) {
      hold(result.unborn === 'edge' ? edgeKey(t) : deviceKey(t), { t, wire, settle });
      return undefined;
    }
    const wait = emit(packet.topic, result, settle, now);
    const key = t.type === 'NBIRTH' ? edgeKey(t) : t.type === 'DBIRTH' ? deviceKey(t) : undefined;
    const waiting = key !== undefined ? unhold(key) : undefined;
    if (!waiting) return wait;
    return (async () => {
      if (wait) await wait;
      for (const h of waiting) {
        const late = host.late(h.t, h.wire, Date.now());
        if (late.unborn) hold(late.unborn === 'edge' ? edgeKey(h.t) : deviceKey(h.t), h);
        else {
          const next = emit(topicOf(h.t), late, h.settle, Date.now());
          if (next) await next;
        }
      }
    })();
  };

  /** The metric messages of one MQTT message into the flow; `settle` once they all settled. */
  function emit(topic: string, result: HostResult, settle: Settle, now: number): undefined | Promise<void> {
    if (result.ignored) {
      counters.ignored++;
      ctx.log.debug({ topic, why: result.ignored }, 'sparkplug message not emitted in full');
    }
    const events = c.controlMetrics ? result.events : withoutControl(result.events);
    if (events.length === 0) {
      settle(result.ignored ? { ok: true, dropped: result.ignored } : { ok: true });
      return undefined;
    }
    counters.metrics += events.length;
    const one = fanIn(events.length, settle);
    for (let i = 0; i < events.length; i++) {
      const wait = ctx.ingest(messageOf(events[i], now), one);
      // The flow's in-flight bound is reached: the rest of this message's metrics go in as room appears.
      if (wait) return ingestRest(wait, events, i + 1, one, now);
    }
    return undefined;
  }

  /**
   * DATA that came before its birth certificate, kept unacknowledged until the birth comes (the rebirth asked for),
   * then emitted: in a persistent session (at least once) the broker hands in what it queued while the flow was down
   * before the edge node's answer to the rebirth request, and dropping it would lose it. At most `window` are kept
   * (the broker sends no more unacknowledged ones): beyond that the oldest is dropped, as with a clean session.
   */
  function hold(key: string, h: Held): void {
    const list = held.get(key);
    if (list) list.push(h);
    else held.set(key, [h]);
    heldCount++;
    askAgainLater();
    if (heldCount < c.window) return;
    const [oldestKey, oldest] = held.entries().next().value as [string, Held[]];
    const dropped = oldest.shift() as Held;
    if (oldest.length === 0) held.delete(oldestKey);
    heldCount--;
    counters.ignored++;
    ctx.log.warn(
      { topic: topicOf(dropped.t), held: heldCount },
      'sparkplug-in: too much data waiting for a birth certificate; the oldest is dropped',
    );
    dropped.settle({ ok: true, dropped: `${dropped.t.type} came before a birth certificate that did not come` });
  }

  async function ingestRest(
    wait: Promise<void>,
    events: MetricEvent[],
    from: number,
    one: Settle,
    now: number,
  ): Promise<void> {
    await wait;
    for (let i = from; i < events.length; i++) {
      const next = ctx.ingest(messageOf(events[i], now), one);
      if (next) await next;
    }
  }

  function unhold(key: string): Held[] | undefined {
    const list = held.get(key);
    if (!list) return undefined;
    held.delete(key);
    heldCount -= list.length;
    return list;
  }

  // Sparkplug 3.0 host STATE: online on connect, offline as the will; both carry the session's timestamp.
  const stateTopic = c.hostId ? `${NAMESPACE}/STATE/${c.hostId}` : undefined;
  let stateAt = Date.now();
  const state = (online: boolean) => Buffer.from(JSON.stringify({ online, timestamp: stateAt }));
  const will = (): IClientOptions['will'] =>
    stateTopic ? { topic: stateTopic, payload: state(false), qos: 1, retain: true } : undefined;
  let stateClient: MqttClient | undefined;
  const announce = (client: MqttClient) => {
    if (!stateTopic) return;
    if (stateClient !== client) {
      stateClient = client;
      // The will is fixed per connection: the next one gets a new timestamp, in its will and its online STATE.
      client.on('close', () => {
        stateAt = Date.now();
        client.options.will = will();
      });
    }
    client.publish(stateTopic, state(true), { qos: 1, retain: true }, (err) => {
      if (err) ctx.log.warn({ err: err.message }, 'the host STATE was not published');
    });
  };

  const subscriber = new MqttSubscriber({
    url: settings.url,
    client: { ...clientOptions(settings, { clientId, clean, receiveMaximum: c.window }), will: will() },
    connected: announce,
    subscriptions: [{ topic: `${NAMESPACE}/${c.groupId}/#`, qos }],
    window: c.window,
    reconnectDelayMs: settings.reconnectDelayMs,
    reconnectMaxDelayMs: settings.reconnectMaxDelayMs,
    log: ctx.log,
    status: (s) => {
      connStatus = s;
      report(withNote(s));
    },
    deliver,
  });

  return {
    start: async () => {
      // Rebirth requests go out on the connection's shared client (the subscriber's client only reads).
      if (c.requestRebirth) shared = await ctx.connection<MqttShared>(c.connection);
      await subscriber.start();
    },
    stopIntake: () => subscriber.stopIntake(),
    stop: async () => {
      // A clean stop sends no will: say offline ourselves, briefly waiting for the broker.
      const client = stateClient;
      if (stateTopic && client?.connected) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          client.publish(stateTopic, state(false), { qos: 1, retain: true }, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      clearTimeout(rebirthTimer);
      rebirthTimer = undefined;
      // Not acknowledged: the broker hands them to the next session.
      for (const key of [...held.keys()]) {
        for (const h of unhold(key) ?? []) h.settle({ ok: false, reason: 'the flow stopped before their birth came' });
      }
      await subscriber.stop();
    },
    // 100 edge nodes (the least recently heard): a snapshot must stay cheap.
    snapshot: () => ({
      ...subscriber.snapshot(),
      sparkplug: { ...counters, waitingForBirth: heldCount, tracked: host.size, edgeNodes: host.summary(100) },
    }),
  };
};
