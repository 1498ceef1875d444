/**
 * The host application's view of a Sparkplug B namespace (spec 3.0, 7.x "Host Applications"): which edge nodes and
 * devices are born, their metric aliases and datatypes, their sequence numbers, and which are stale. Pure logic over
 * decoded payloads, so it is tested without a broker; the sparkplug-in node feeds it and emits what it returns.
 *
 * - NBIRTH sets the edge node's bdSeq, seq and node metrics (names, aliases, datatypes); its devices must be born
 *   again (DBIRTH). NDEATH whose bdSeq is not the birth's is a will from an older session and is ignored.
 * - Every other message of the edge node (DBIRTH, DDEATH, NDATA, DDATA) carries the next seq (mod 256). A jump
 *   forward is a gap: the edge node and its devices become stale until its next NBIRTH, and a rebirth is asked for.
 *   A seq up to 127 behind the last one is a redelivery (at least once: a nacked message comes again): its metrics
 *   are emitted again but the state does not move.
 * - DATA from an edge node or device with no birth certificate cannot be trusted (its aliases mean nothing):
 *   it is dropped and a rebirth is asked for, as the spec says a host does.
 * - The state is bounded: at most `maxEdgeNodes` edge nodes and `maxDevices` devices (over all edge nodes) are
 *   followed; past a bound the least recently heard is forgotten (`onForget`), and its next DATA is unborn again
 *   (a rebirth is asked for), as after a restart.
 */
import { Lru } from '../../kit/lru.js';
import { datatypeName } from './datatypes.js';
import { headerOf, metricOf, metricValue, propertiesOf, type WireMetric, type WirePayload } from './decode.js';
import { aliasKey, type WireLong, wireToBigInt, wireToNumber } from './long.js';
import type { SparkplugTopic } from './topic.js';

export type Quality = 'good' | 'stale';

/** One metric to emit: a value that arrived, or the last value of a metric that just became stale. */
export interface MetricEvent {
  group: string;
  edgeNode: string;
  device?: string;
  /** The Sparkplug message type it came in, or the one that made it stale. */
  messageType: string;
  name: string;
  alias?: number | string;
  datatype: string;
  value: unknown;
  /** The metric's timestamp, else the payload's, else when it arrived (ms since the epoch). */
  timestamp: number;
  quality: Quality;
  /** Why the metric is stale. */
  staleReason?: string;
  seq?: number;
  isHistorical?: boolean;
  properties?: Record<string, { type: string; value: unknown }>;
}

export interface HostResult {
  events: MetricEvent[];
  /** Ask the edge node to publish its births again (NCMD `Node Control/Rebirth`), and why. */
  rebirth?: string;
  /** Why nothing (or not everything) was emitted, for the log and the message's outcome. */
  ignored?: string;
  /**
   * DATA (or DDEATH) that came before the birth certificate of its edge node (`edge`) or device (`device`): the
   * caller may hold it and hand it to `late` once that birth has come (a persistent session after a restart).
   */
  unborn?: 'edge' | 'device';
}

interface MetricState {
  datatype: number;
  alias?: number | string;
  value: unknown;
  timestamp: number;
  quality: Quality;
}

interface Scope {
  born: boolean;
  stale: boolean;
  metrics: Map<string, MetricState>;
  /** alias -> name */
  aliases: Map<number | string, string>;
}

interface EdgeNode extends Scope {
  bdSeq?: bigint;
  birthTimestamp?: number;
  seq?: number;
  devices: Map<string, Scope>;
}

const newScope = (): Scope => ({ born: false, stale: false, metrics: new Map(), aliases: new Map() });

const own = <T extends object, K extends keyof T>(o: T, k: K): T[K] | undefined =>
  Object.hasOwn(o, k) && o[k] !== null ? o[k] : undefined;

export interface EdgeNodeSummary {
  group: string;
  edgeNode: string;
  born: boolean;
  stale: boolean;
  seq?: number;
  bdSeq?: string;
  metrics: number;
  devices: Array<{ device: string; born: boolean; stale: boolean; metrics: number }>;
}

export interface HostLimits {
  maxEdgeNodes: number;
  /** Over all edge nodes. */
  maxDevices: number;
  /** An edge node (`group/edge node`) or device (`group/edge node/device`) forgotten at its bound. */
  onForget?(kind: 'edge node' | 'device', key: string): void;
}

export class SparkplugHost {
  /** `group/edge node` -> state, least recently heard first. */
  private readonly nodes: Lru<EdgeNode>;
  /** `group/edge node/device` of every device in some edge node's `devices`: their recency and bound. */
  private readonly devices: Lru<true>;
  readonly forgotten = { edgeNodes: 0, devices: 0 };

  constructor(limits: Partial<HostLimits> = {}) {
    const onForget = limits.onForget;
    this.nodes = new Lru(limits.maxEdgeNodes ?? Number.POSITIVE_INFINITY, (key, node) => {
      for (const name of node.devices.keys()) this.devices.delete(`${key}/${name}`);
      this.forgotten.edgeNodes++;
      onForget?.('edge node', key);
    });
    this.devices = new Lru(limits.maxDevices ?? Number.POSITIVE_INFINITY, (key) => {
      const cut = key.indexOf('/', key.indexOf('/') + 1);
      this.nodes.get(key.slice(0, cut))?.devices.delete(key.slice(cut + 1));
      this.forgotten.devices++;
      onForget?.('device', key);
    });
  }

  /** Edge nodes and devices followed now. */
  get size(): { edgeNodes: number; devices: number } {
    return { edgeNodes: this.nodes.size, devices: this.devices.size };
  }

  /** The first `limit` edge nodes, least recently heard first. */
  summary(limit = Number.POSITIVE_INFINITY): EdgeNodeSummary[] {
    const out: Array<[string, EdgeNode]> = [];
    for (const entry of this.nodes.entries()) {
      if (out.length >= limit) break;
      out.push(entry);
    }
    return out.map(([key, n]) => {
      const [group, edgeNode] = key.split('/');
      return {
        group,
        edgeNode,
        born: n.born,
        stale: n.stale,
        ...(n.seq !== undefined ? { seq: n.seq } : {}),
        ...(n.bdSeq !== undefined ? { bdSeq: n.bdSeq.toString() } : {}),
        metrics: n.metrics.size,
        devices: [...n.devices].map(([device, d]) => ({
          device,
          born: d.born,
          stale: d.stale,
          metrics: d.metrics.size,
        })),
      };
    });
  }

  /**
   * `redelivered`: the transport says this very message came before (a nacked message handed in again, or MQTT's
   * DUP flag): a birth that comes again must not wipe the state later messages built.
   */
  receive(t: SparkplugTopic, w: WirePayload, now = Date.now(), redelivered = false): HostResult {
    if (t.type === 'NCMD' || t.type === 'DCMD')
      return { events: [], ignored: `${t.type} is a command to an edge node` };
    const key = `${t.group}/${t.edgeNode}`;
    let node = this.nodes.get(key, true);
    if (!node) {
      node = { ...newScope(), devices: new Map() };
      this.nodes.set(key, node);
    }
    const header = headerOf(w);
    const at = header.timestamp ?? now;
    const metrics = w.metrics ?? [];
    const ctx: EmitContext = { t, at, seq: header.seq, redelivered };

    if (t.type === 'NBIRTH') return this.nodeBirth(node, w, ctx);
    if (t.type === 'NDEATH') return this.nodeDeath(node, metrics, ctx);
    if (!node.born) {
      return {
        events: [],
        ignored: `${t.type} from edge node ${key} before its NBIRTH`,
        rebirth: 'no birth certificate seen for this edge node',
        unborn: 'edge',
      };
    }

    // Sequence: the next one, a redelivery, or a gap.
    const result: HostResult = { events: [] };
    let replay = false;
    if (header.seq !== undefined && node.seq !== undefined) {
      const expected = (node.seq + 1) & 0xff;
      if (header.seq !== expected) {
        const behind = (node.seq - header.seq) & 0xff;
        if (behind < 128) replay = true;
        else {
          const why = `sequence gap on edge node ${key} (expected seq ${expected}, got ${header.seq})`;
          this.markStale(node, undefined, why, ctx, result.events);
          for (const [name, d] of node.devices) this.markStale(d, name, why, ctx, result.events);
          node.stale = true;
          result.rebirth = why;
        }
      }
    }
    if (!replay && header.seq !== undefined) node.seq = header.seq;

    if (t.type === 'NDATA') {
      this.data(node, undefined, metrics, ctx, node.stale ? 'stale' : 'good', replay, result);
      return result;
    }
    const deviceId = t.device as string;
    let device = node.devices.get(deviceId);
    if (device) this.devices.get(`${key}/${deviceId}`, true);
    if (t.type === 'DBIRTH') {
      if (replay && device?.born) {
        this.data(device, deviceId, metrics, ctx, device.stale ? 'stale' : 'good', true, result);
        return result;
      }
      device = newScope();
      node.devices.set(deviceId, device);
      this.devices.set(`${key}/${deviceId}`, true);
      this.birth(device, deviceId, metrics, ctx, node.stale ? 'stale' : 'good', result.events);
      device.stale = node.stale;
      return result;
    }
    if (!device?.born) {
      result.ignored = `${t.type} from device ${key}/${deviceId} before its DBIRTH`;
      result.rebirth ??= `no birth certificate seen for device ${deviceId}`;
      result.unborn = 'device';
      return result;
    }
    if (t.type === 'DDEATH') {
      if (!replay) {
        this.markStale(device, deviceId, 'DDEATH', ctx, result.events);
        device.born = false;
      }
      return result;
    }
    this.data(device, deviceId, metrics, ctx, device.stale ? 'stale' : 'good', replay, result);
    return result;
  }

  /**
   * NDATA or DDATA that came before a birth certificate, handed in again once it came: its metrics are named by the
   * new birth (edge nodes keep their aliases across rebirths) and emitted as a replay, moving neither values nor
   * sequence numbers. Still unborn: `unborn` says so again.
   */
  late(t: SparkplugTopic, w: WirePayload, now: number): HostResult {
    const node = this.nodes.get(`${t.group}/${t.edgeNode}`);
    const header = headerOf(w);
    const ctx: EmitContext = { t, at: header.timestamp ?? now, seq: header.seq, redelivered: true };
    if (!node?.born) return { events: [], ignored: `${t.type} before its edge node's NBIRTH`, unborn: 'edge' };
    const result: HostResult = { events: [] };
    if (t.type === 'NDATA') {
      this.data(node, undefined, w.metrics ?? [], ctx, node.stale ? 'stale' : 'good', true, result);
      return result;
    }
    const device = t.device !== undefined ? node.devices.get(t.device) : undefined;
    if (t.type !== 'DDATA' || !device?.born) {
      if (t.type === 'DDATA') return { events: [], ignored: `DDATA before its device's DBIRTH`, unborn: 'device' };
      return { events: [], ignored: `${t.type} before a birth is not replayed` };
    }
    this.data(device, t.device, w.metrics ?? [], ctx, device.stale ? 'stale' : 'good', true, result);
    return result;
  }

  private nodeBirth(node: EdgeNode, w: WirePayload, ctx: EmitContext): HostResult {
    const metrics = w.metrics ?? [];
    const bdSeqMetric = metrics.find((m) => own(m, 'name') === 'bdSeq');
    const bdSeqWire = bdSeqMetric ? (own(bdSeqMetric, 'longValue') ?? own(bdSeqMetric, 'intValue')) : undefined;
    const bdSeq = bdSeqWire !== undefined ? wireToBigInt(bdSeqWire as WireLong, false) : undefined;
    // The same NBIRTH again (redelivered): emit its metrics, keep the state that later messages built.
    if (ctx.redelivered && node.born && bdSeq === node.bdSeq && ctx.at === node.birthTimestamp) {
      const result: HostResult = { events: [] };
      this.data(node, undefined, metrics, ctx, node.stale ? 'stale' : 'good', true, result);
      return result;
    }
    const devices = node.devices;
    Object.assign(node, newScope());
    node.bdSeq = bdSeq;
    node.birthTimestamp = ctx.at;
    node.seq = ctx.seq;
    // A new session of the edge node: its devices are unknown until their DBIRTHs.
    for (const d of devices.values()) d.born = false;
    node.devices = devices;
    const events: MetricEvent[] = [];
    this.birth(node, undefined, metrics, ctx, 'good', events);
    return { events };
  }

  private nodeDeath(node: EdgeNode, metrics: WireMetric[], ctx: EmitContext): HostResult {
    const bdSeqMetric = metrics.find((m) => own(m, 'name') === 'bdSeq');
    const bdSeqWire = bdSeqMetric ? (own(bdSeqMetric, 'longValue') ?? own(bdSeqMetric, 'intValue')) : undefined;
    const bdSeq = bdSeqWire !== undefined ? wireToBigInt(bdSeqWire as WireLong, false) : undefined;
    const key = `${ctx.t.group}/${ctx.t.edgeNode}`;
    if (!node.born) return { events: [], ignored: `NDEATH of edge node ${key}, which is not born` };
    if (bdSeq !== undefined && node.bdSeq !== undefined && bdSeq !== node.bdSeq) {
      return {
        events: [],
        ignored: `NDEATH of edge node ${key} with bdSeq ${bdSeq}, not this session's ${node.bdSeq}`,
      };
    }
    const events: MetricEvent[] = [];
    this.markStale(node, undefined, 'NDEATH', ctx, events);
    for (const [name, d] of node.devices) {
      this.markStale(d, name, 'NDEATH', ctx, events);
      d.born = false;
    }
    node.born = false;
    node.stale = true;
    node.seq = undefined;
    return { events };
  }

  private birth(
    scope: Scope,
    device: string | undefined,
    metrics: WireMetric[],
    ctx: EmitContext,
    quality: Quality,
    events: MetricEvent[],
  ): void {
    scope.born = true;
    scope.stale = false;
    for (const m of metrics) {
      const name = own(m, 'name');
      if (name === undefined || name === null) continue; // a birth metric must be named (spec 6.4.1): skip it
      const alias = own(m, 'alias');
      const aliasN = alias !== undefined && alias !== null ? aliasKey(alias as WireLong) : undefined;
      if (aliasN !== undefined) scope.aliases.set(aliasN, name);
      const decoded = metricOf(m);
      const state: MetricState = {
        datatype: own(m, 'datatype') ?? 0,
        alias: aliasN,
        value: decoded.value,
        timestamp: decoded.timestamp ?? ctx.at,
        quality,
      };
      scope.metrics.set(name, state);
      events.push(
        event(
          ctx,
          device,
          name,
          decoded.datatype,
          decoded.value,
          state.timestamp,
          aliasN,
          quality,
          decoded.isHistorical === true,
          decoded.properties,
        ),
      );
    }
  }

  private data(
    scope: Scope,
    device: string | undefined,
    metrics: WireMetric[],
    ctx: EmitContext,
    quality: Quality,
    replay: boolean,
    result: HostResult,
  ): void {
    let unknown = 0;
    for (const m of metrics) {
      let name = own(m, 'name') ?? undefined;
      if (name === undefined) {
        const alias = own(m, 'alias');
        if (alias !== undefined && alias !== null) name = scope.aliases.get(aliasKey(alias as WireLong));
      }
      const state = name !== undefined ? scope.metrics.get(name) : undefined;
      if (name === undefined || state === undefined) {
        unknown++;
        continue;
      }
      // What metricOf would give, read straight into the event: this runs once per metric of every DATA.
      const dt = own(m, 'datatype') ?? state.datatype;
      const value = own(m, 'isNull') === true ? null : metricValue(m, dt);
      const ts = own(m, 'timestamp');
      const timestamp = ts !== undefined && ts !== null ? (wireToNumber(ts as WireLong) as number) : ctx.at;
      const historical = own(m, 'isHistorical') === true;
      if (!replay && !historical) {
        state.value = value;
        state.timestamp = timestamp;
        state.quality = quality;
      }
      result.events.push(
        event(
          ctx,
          device,
          name,
          datatypeName(dt),
          value,
          timestamp,
          state.alias,
          quality,
          historical,
          own(m, 'properties') ? propertiesOf(m.properties as NonNullable<WireMetric['properties']>) : undefined,
        ),
      );
    }
    if (unknown > 0) {
      const where = device ? `device ${device}` : `edge node ${ctx.t.group}/${ctx.t.edgeNode}`;
      result.ignored = `${unknown} metric(s) of ${where} not in its birth certificate`;
      result.rebirth ??= `metrics not in the birth certificate of ${where}`;
    }
  }

  /** The metrics that were good become stale: one event each, with the last value. */
  private markStale(scope: Scope, device: string | undefined, why: string, ctx: EmitContext, events: MetricEvent[]) {
    scope.stale = true;
    for (const [name, s] of scope.metrics) {
      if (s.quality === 'stale') continue;
      s.quality = 'stale';
      events.push({
        group: ctx.t.group,
        edgeNode: ctx.t.edgeNode,
        ...(device !== undefined ? { device } : {}),
        messageType: ctx.t.type,
        name,
        ...(s.alias !== undefined ? { alias: s.alias } : {}),
        datatype: datatypeName(s.datatype),
        value: s.value,
        timestamp: ctx.at,
        quality: 'stale',
        staleReason: why,
      });
    }
  }
}

interface EmitContext {
  t: SparkplugTopic;
  at: number;
  seq?: number;
  redelivered: boolean;
}

function event(
  ctx: EmitContext,
  device: string | undefined,
  name: string,
  datatype: string,
  value: unknown,
  timestamp: number,
  alias: number | string | undefined,
  quality: Quality,
  historical: boolean,
  properties: MetricEvent['properties'],
): MetricEvent {
  const t = ctx.t;
  // The usual DDATA metric (a device's, with an alias and a seq, good, live) as one literal with all its fields:
  // adding them one by one after the literal moves them out of the object into a second allocation.
  if (device !== undefined && alias !== undefined && ctx.seq !== undefined && quality === 'good' && !historical) {
    const e: MetricEvent = {
      group: t.group,
      edgeNode: t.edgeNode,
      messageType: t.type,
      name,
      datatype,
      value,
      timestamp,
      quality,
      device,
      alias,
      seq: ctx.seq,
    };
    if (properties) e.properties = properties;
    return e;
  }
  // Built field by field (no spreads), in the same key order as above.
  const e: MetricEvent = {
    group: t.group,
    edgeNode: t.edgeNode,
    messageType: t.type,
    name,
    datatype,
    value,
    timestamp,
    quality,
  };
  if (device !== undefined) e.device = device;
  if (alias !== undefined) e.alias = alias;
  if (quality === 'stale') e.staleReason = 'the edge node is stale (a sequence gap) until its next NBIRTH';
  if (ctx.seq !== undefined) e.seq = ctx.seq;
  if (historical) e.isHistorical = true;
  if (properties) e.properties = properties;
  return e;
}
