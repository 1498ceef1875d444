/**
 * The publishing side of one Sparkplug B edge node (spec 3.0, 5.x "Edge Nodes"): bdSeq and seq, aliases, the
 * metrics each birth declared and their last values, and the payloads to send. Pure: the sparkplug-out node owns
 * the MQTT client and sends what this returns, in order.
 */
import { DT, datatypeName, datatypeNumber } from './datatypes.js';
import { encodeWire, inferDatatype, wireMetric } from './encode.js';
import { show } from './long.js';
import { type MessageType, topicOf } from './topic.js';

/** A metric from a flow message: `{name, value, datatype?, timestamp?}`. */
export interface InputMetric {
  name: string;
  value: unknown;
  datatype?: string | number;
  timestamp?: number;
}

export interface Publication {
  topic: string;
  type: MessageType;
  payload: Uint8Array;
}

interface Known {
  datatype: number;
  alias: number;
  value: unknown;
}

type Scope = Map<string, Known>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);

/**
 * A message payload -> metrics: `{metrics: [...]}` as given, else one metric per field of an object, nested objects
 * flattened with `/`. Throws a RangeError for anything else.
 */
export function metricsOfPayload(payload: unknown): InputMetric[] {
  if (!isPlainObject(payload)) throw new RangeError(`the payload must be an object of metrics, not ${show(payload)}`);
  if (Array.isArray(payload.metrics)) {
    return payload.metrics.map((m, i) => {
      if (!isPlainObject(m) || typeof m.name !== 'string' || m.name === '') {
        throw new RangeError(`metrics[${i}] must be {name, value, datatype?} with a name`);
      }
      return m as unknown as InputMetric;
    });
  }
  const out: InputMetric[] = [];
  const walk = (o: Record<string, unknown>, prefix: string, depth: number) => {
    if (depth > 32) throw new RangeError(`the payload nests deeper than 32 levels at "${prefix}"`);
    for (const [k, v] of Object.entries(o)) {
      const name = prefix + k;
      if (isPlainObject(v)) walk(v, `${name}/`, depth + 1);
      else
        out.push({
          name,
          value: v instanceof Date ? v.getTime() : v,
          ...(v instanceof Date ? { datatype: 'DateTime' } : {}),
        });
    }
  };
  walk(payload, '', 0);
  if (out.length === 0) throw new RangeError('the payload has no metrics');
  return out;
}

export class EdgeNodeSession {
  /** Birth/death sequence: the same in NBIRTH and in the NDEATH will of one connection. */
  bdSeq = 0;
  private seq = 0;
  private nextAlias = 1;
  private readonly node: Scope = new Map();
  private readonly devices = new Map<string, Scope>();
  /** Births published on this connection; DATA before them would mean nothing to a host. */
  born = false;

  constructor(
    readonly group: string,
    readonly edgeNode: string,
    private readonly useAliases: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new connection: the next bdSeq (0-255) for its will and birth. */
  nextConnection(): void {
    this.bdSeq = (this.bdSeq + 1) & 0xff;
    this.born = false;
  }

  /** The NDEATH for this connection's will (and for a clean stop). */
  death(): Publication {
    return this.publication('NDEATH', undefined, [{ name: 'bdSeq', datatype: DT.Int64, value: this.bdSeq }], false);
  }

  /** NBIRTH (seq 0) and a DBIRTH per known device, with the last values: on connect and on a rebirth request. */
  births(): Publication[] {
    this.seq = 0;
    this.born = true;
    const control = [
      { name: 'bdSeq', datatype: DT.Int64, value: this.bdSeq },
      { name: 'Node Control/Rebirth', datatype: DT.Boolean, value: false },
    ];
    const out = [this.publication('NBIRTH', undefined, [...control, ...this.birthMetrics(this.node)], false)];
    for (const [device, scope] of this.devices)
      out.push(this.publication('DBIRTH', device, this.birthMetrics(scope), false));
    return out;
  }

  /**
   * What to publish for these metrics of the edge node (device undefined) or a device: DATA, or births when a
   * metric is new (a device's first message is its DBIRTH). Throws a RangeError for a value that does not fit.
   */
  update(device: string | undefined, metrics: InputMetric[]): Publication[] {
    let scope = device === undefined ? this.node : this.devices.get(device);
    const firstOfDevice = scope === undefined;
    if (!scope) scope = new Map();
    // Check every value first: a message that fails changes nothing.
    const wire = metrics.map((m) => {
      const known = scope.get(m.name);
      const dt = known?.datatype ?? this.datatypeOf(m);
      if (known && m.datatype !== undefined && datatypeNumber(m.datatype) !== known.datatype) {
        throw new RangeError(
          `metric "${m.name}" was born a ${datatypeName(known.datatype)} and cannot become a ${String(m.datatype)}`,
        );
      }
      const base = {
        name: m.name,
        datatype: dt,
        value: m.value,
        ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}),
      };
      return { m, dt, known, checked: wireMetric(base, `metric "${m.name}"`) };
    });
    const isNew = wire.some((w) => !w.known);
    for (const w of wire) {
      if (w.known) w.known.value = w.m.value;
      else scope.set(w.m.name, { datatype: w.dt, alias: this.nextAlias++, value: w.m.value });
    }
    if (device !== undefined && firstOfDevice) this.devices.set(device, scope);
    if (isNew) {
      // Hosts learn metrics only from births: a new device metric re-births the device, a new node metric the node.
      if (device !== undefined) return [this.publication('DBIRTH', device, this.birthMetrics(scope), true)];
      return this.births();
    }
    const data = wire.map((w) => {
      const { name: _name, ...rest } = w.checked;
      return this.useAliases ? { ...rest, alias: w.known!.alias } : w.checked;
    });
    return [this.publication(device === undefined ? 'NDATA' : 'DDATA', device, data, true, true)];
  }

  private datatypeOf(m: InputMetric): number {
    if (m.datatype !== undefined) {
      const dt = datatypeNumber(m.datatype);
      if (dt === undefined) throw new RangeError(`metric "${m.name}": unknown datatype ${show(m.datatype)}`);
      return dt;
    }
    const dt = inferDatatype(m.value);
    if (dt === undefined) {
      throw new RangeError(`metric "${m.name}": give a datatype (the value ${show(m.value)} does not say which)`);
    }
    return dt;
  }

  private birthMetrics(scope: Scope): Array<Record<string, unknown>> {
    return [...scope].map(([name, k]) => ({
      name,
      datatype: k.datatype,
      value: k.value,
      ...(this.useAliases ? { alias: k.alias } : {}),
    }));
  }

  private publication(
    type: MessageType,
    device: string | undefined,
    metrics: Array<Record<string, unknown>>,
    sequenced: boolean,
    wireReady = false,
  ): Publication {
    const payload: Record<string, unknown> = {
      timestamp: this.now(),
      metrics: wireReady ? metrics : metrics.map((m) => wireMetric(m, `metric "${String(m.name)}"`)),
    };
    if (type === 'NBIRTH') payload.seq = this.nextSeq();
    else if (sequenced || type === 'DBIRTH') payload.seq = this.nextSeq();
    const topic = topicOf({
      group: this.group,
      type,
      edgeNode: this.edgeNode,
      ...(device !== undefined ? { device } : {}),
    });
    return { topic, type, payload: encodeWire(payload) };
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    return s;
  }
}
