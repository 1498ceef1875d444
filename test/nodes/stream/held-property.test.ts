/**
 * Property test of "the guarantee with state" for window and join (seeded; the chaos helpers of test/support).
 *
 * Each run builds chaos-source -> W (a window or join with a random configuration: by count or time (arrival or
 * event time, with late messages), tumbling or sliding, per key, onStop redeliver or flush; or split -> join in mode
 * split) -> transform (flags the aggregate when one of its inputs is flagged)
 * -> chaos (pass, drop, later, throw, reject, error-port) -> test-sink (fails flagged aggregates, transiently or
 * deterministically), with a random error route and onError policy. It pushes a few hundred keyed messages with a
 * source that respects back pressure, then stops the flow, and checks:
 * - every pushed message settled exactly once, and the source reconciles (acked + nacked = pushed, none in flight);
 * - a message settled only once every aggregate it went into had finished at every node downstream;
 * - each message's outcome is the worst fate of the aggregates it went into (a nack outranks a drop, which outranks
 *   a delivery), computed from what the downstream nodes did, or a nack when the stop gave its window back;
 * - a source that awaits back pressure never had more than maxInFlight messages open, and was never stuck.
 *
 * Reproduce: SLUICE_PROPERTY_SEED=<seed> SLUICE_PROPERTY_RUNS=1 npx vitest run test/nodes/stream/held-property
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/runtime/engine.js';
import { loadNodeRuntime } from '../../../src/runtime/loader.js';
import type { Held, NodeRuntime, Outcome } from '../../../src/spec/runtime-contract.js';
import {
  type ChaosBehaviour,
  chaosCatalog,
  chaosLoader,
  chaosNodes,
  chaosSources,
  Recorder,
  type Rng,
  rng,
  rootOf,
  sleep,
  timerErrors,
} from '../../support/chaos-nodes.js';
import { collectUnhandledRejections } from '../../support/unhandled.js';

const BASE_SEED = Number(process.env.SLUICE_PROPERTY_SEED ?? 15_000);
const RUNS = Number(process.env.SLUICE_PROPERTY_RUNS ?? 40);
const unhandled = collectUnhandledRejections();

interface Plan {
  type: 'window' | 'join';
  config: Record<string, unknown>;
  /** The transform's expression: `{ "fail": <any input flagged> }`. */
  flag: string;
  keys: number;
  /** The largest group one key can hold (count windows and groups), for a bound that never deadlocks. */
  group: number;
  /** A split before W (join in mode split): each pushed message is an array of parts. */
  split?: boolean;
}

function plan(r: Rng): Plan {
  const keys = r.int(1, 4);
  const key = keys > 1 ? 'payload.k' : undefined;
  const onStop = r.pick(['redeliver', 'flush']);
  if (r.chance(0.6)) {
    const reducer = '{"fail": $count(messages[payload.fail = true]) > 0}';
    const base = { key, onStop, aggregate: 'expression', expression: reducer };
    const flag = '{"fail": payload.value.fail}';
    if (r.chance(0.5)) {
      const count = r.int(1, 6);
      const sliding = r.chance(0.4);
      const config = {
        ...base,
        by: 'count',
        count,
        kind: sliding ? 'sliding' : 'tumbling',
        slideCount: r.int(1, count),
      };
      return { type: 'window', config, flag, keys, group: count };
    }
    const windowMs = r.int(10, 40);
    const sliding = r.chance(0.4);
    // Event time from the payload (a little out of order, so some messages are late), or arrival time.
    const event = r.chance(0.5) ? { time: 'event', eventTime: 'payload.ts', allowedLatenessMs: r.int(0, 20) } : {};
    const config = {
      ...base,
      ...event,
      by: 'time',
      windowMs,
      kind: sliding ? 'sliding' : 'tumbling',
      slideMs: r.int(5, windowMs),
    };
    return { type: 'window', config, flag, keys, group: 0 };
  }
  const flag = '{"fail": $count(payload[fail = true]) > 0}';
  if (r.chance(0.3)) {
    return { type: 'join', config: { mode: 'split', onStop, output: 'array' }, flag, keys, group: 0, split: true };
  }
  if (r.chance(0.5)) {
    const count = r.int(1, 6);
    return { type: 'join', config: { mode: 'count', count, key, onStop, output: 'array' }, flag, keys, group: count };
  }
  return {
    type: 'join',
    config: { mode: 'time', spanMs: r.int(5, 30), key, onStop, output: 'array' },
    flag,
    keys,
    group: 0,
  };
}

const DOWNSTREAM: ChaosBehaviour[] = ['pass', 'pass', 'drop', 'later', 'throw', 'reject', 'error-port'];

async function runOnce(seed: number): Promise<string[]> {
  const r = rng(seed);
  const p = plan(r);
  const errorRoute = r.chance(0.3);
  const onError = r.pick(['drop', 'nack', 'ack'] as const);
  const failKind = r.pick(['transient', 'deterministic'] as const);
  const errorPortWired = r.chance(0.3);
  // Transient failures go to the error route only when the flow says so (or under onError "ack").
  const routeTransient = r.chance(0.5);
  const maxInFlight = Math.max(p.group * p.keys, 1) + r.int(0, 20);
  const flow = {
    format: 'sluice/flow@1',
    settings: {
      maxInFlight,
      onError,
      ...(errorRoute ? { errorRoute: 'dl' } : {}),
      ...(routeTransient ? { transientFailures: 'route' } : {}),
    },
    nodes: [
      { id: 'src', type: 'chaos-source', config: {} },
      ...(p.split ? [{ id: 'sp', type: 'split', config: {} }] : []),
      { id: 'w', type: p.type, config: p.config },
      { id: 't', type: 'transform', config: { expression: p.flag } },
      { id: 'c', type: 'chaos', config: { seed, behaviours: DOWNSTREAM, maxDelayMs: 3 } },
      { id: 's', type: 'test-sink', config: { batchSize: 1, lingerMs: 1, delayMs: r.int(0, 2), failKind } },
      ...(errorRoute ? [{ id: 'dl', type: 'debug', config: {} }] : []),
      ...(errorPortWired ? [{ id: 'ep', type: 'debug', config: {} }] : []),
    ],
    edges: [
      ...(p.split
        ? [
            { source: 'src', sourcePort: 'out', target: 'sp', targetPort: 'in' },
            { source: 'sp', sourcePort: 'out', target: 'w', targetPort: 'in' },
          ]
        : [{ source: 'src', sourcePort: 'out', target: 'w', targetPort: 'in' }]),
      { source: 'w', sourcePort: 'out', target: 't', targetPort: 'in' },
      { source: 't', sourcePort: 'out', target: 'c', targetPort: 'in' },
      { source: 'c', sourcePort: 'out', target: 's', targetPort: 'in' },
      ...(errorPortWired ? [{ source: 'c', sourcePort: 'error', target: 'ep', targetPort: 'in' }] : []),
    ],
  };

  // What W derived from which inputs, recorded at its context; the other nodes' handles go through the recorder.
  const recorder = new Recorder();
  const inputOf = new Map<Held, string>();
  const aggregates: Array<{ id: string; from: readonly Held[]; inputs: string[] }> = [];
  const chaos = chaosLoader(recorder);
  const loadRuntime = async (type: string) => {
    if (type !== 'window' && type !== 'join') return chaos(type);
    const create = await loadNodeRuntime(type);
    return async (ctx: Parameters<typeof create>[0]) => {
      const inner: NodeRuntime = await create({
        ...ctx,
        emitDerived(port, msg, from) {
          // The inputs are named later: the hold of the message that closes a window is not returned yet.
          aggregates.push({ id: msg.id, from, inputs: [] });
          ctx.emitDerived(port, msg, from);
        },
      });
      return {
        ...inner,
        handle(msg, out, port) {
          const result = inner.handle!(msg, out, port);
          if (result && typeof result === 'object') inputOf.set(result as unknown as Held, msg.id);
          return result;
        },
      } satisfies NodeRuntime;
    };
  };
  const engine = new Engine({ catalog: chaosCatalog, loadRuntime: loadRuntime as never });
  const v: string[] = [];
  await engine.start(flow);
  const source = chaosSources.get('src')!;
  const openAtSettle = new Map<string, string[]>();
  const derivedFrom = (aggId: string) => (d: { msgId: string }) => d.msgId === aggId || d.msgId.startsWith(`${aggId}:`);
  const named = () => {
    for (const a of aggregates)
      if (a.inputs.length === 0 || a.inputs.includes('?')) a.inputs = a.from.map((h) => rootOf(inputOf.get(h) ?? '?'));
  };
  source.onSettle = (id) => {
    named();
    const open = aggregates
      .filter((a) => a.inputs.includes(id))
      .flatMap((a) => recorder.deliveries.filter(derivedFrom(a.id)).filter((d) => d.state === 'pending'))
      .map((d) => `${d.node}/${d.msgId}`);
    if (open.length) openAtSettle.set(id, open);
  };

  const count = r.int(60, 200);
  const flagged = new Set<string>();
  for (let i = 0; i < count; i++) {
    const id = `m${i}`;
    const fail = r.chance(0.08);
    if (fail) flagged.add(id);
    const ts = 1_000_000_000_000 + i * 2 + r.int(-25, 5);
    const reading = { k: `k${r.int(1, p.keys)}`, fail, ts };
    // Split: an array of 1..4 parts (the first carries the flag).
    const payload = p.split
      ? Array.from({ length: r.int(1, 4) }, (_, j) => ({ ...reading, fail: fail && j === 0 }))
      : reading;
    const w = source.push(payload, id);
    if (w && (await Promise.race([w.then(() => 'room'), sleep(5000).then(() => 'stuck')])) === 'stuck') {
      v.push(`the source never had room again after ${id} (${engine.counters().src.inFlight} in flight)`);
      break;
    }
    const inFlight = engine.counters().src.inFlight;
    if (inFlight > maxInFlight) v.push(`in flight ${inFlight} > maxInFlight ${maxInFlight}`);
    if (r.chance(0.1)) await sleep(r.int(0, 3));
  }
  await sleep(r.int(0, 60));
  await engine.stop({ deadlineMs: 5000 });

  named();
  if (process.env.SLUICE_PROPERTY_VERBOSE) for (const a of aggregates) console.log(a.id, a.inputs.join(','));
  // The oracle: each aggregate's fate from what the downstream nodes did with it.
  const chosen = new Map<string, ChaosBehaviour>();
  for (const c of chaosNodes.get('c')?.chosen ?? []) if (!chosen.has(c.id)) chosen.set(c.id, c.behaviour);
  const fateOf = (a: { id: string; inputs: string[] }): Outcome => {
    const b = chosen.get(a.id);
    if (b === undefined) return { ok: false, reason: 'not handled downstream (stopped)' };
    const deterministic = (): Outcome => (errorRoute ? { ok: true } : { ok: true, dropped: 'failed' });
    if (b === 'drop') return { ok: true };
    if (b === 'throw' || b === 'reject') return errorPortWired ? { ok: true } : deterministic();
    if (b === 'error-port') return errorPortWired ? { ok: true } : deterministic();
    // pass or later: the sink fails the aggregate if any of its inputs was flagged.
    if (!a.inputs.some((id) => flagged.has(id))) return { ok: true };
    if (errorRoute && (failKind === 'deterministic' || onError === 'ack' || routeTransient)) return { ok: true };
    if (failKind === 'deterministic' || onError === 'ack') return { ok: true, dropped: 'failed' };
    return { ok: false, reason: 'failed' };
  };
  const rank = (o: Outcome) => (!o.ok ? 2 : o.dropped !== undefined ? 1 : 0);

  let acked = 0;
  let late = 0;
  for (let i = 0; i < count; i++) {
    const id = `m${i}`;
    const got = source.outcomes.get(id) ?? [];
    if (got.length !== 1) {
      v.push(`${id} settled ${got.length} times`);
      continue;
    }
    if (got[0].ok) acked++;
    const mine = aggregates.filter((a) => a.inputs.includes(id));
    let want: Outcome = mine.length === 0 ? { ok: false, reason: 'given back at stop' } : { ok: true };
    // Event time: a message in no aggregate and acknowledged was late (dropped on purpose; counted below).
    if (mine.length === 0 && got[0].ok && p.config.time === 'event') {
      late++;
      want = got[0];
    }
    for (const a of mine) if (rank(fateOf(a)) > rank(want)) want = fateOf(a);
    // Given back at stop while also in an aggregate (a sliding window): the stop's nack outranks.
    if (mine.length > 0 && !got[0].ok && /flow stopped/.test(got[0].reason)) want = got[0];
    if (rank(got[0]) !== rank(want)) {
      v.push(
        `${id}: settled ${JSON.stringify(got[0])}, expected like ${JSON.stringify(want)} (aggregates ${mine.map((a) => `${a.id}=${chosen.get(a.id)}`)})`,
      );
    }
    const open = openAtSettle.get(id);
    if (open) v.push(`${id} settled while its aggregate was still at ${open.join(', ')}`);
  }
  const dropped = engine.counters().w.dropped;
  if (dropped !== late) v.push(`window counted ${dropped} dropped, ${late} inputs were acknowledged without aggregate`);
  const s = engine.counters().src;
  if ((s.acked ?? 0) + (s.nacked ?? 0) !== count || s.inFlight !== 0 || s.acked !== acked) {
    v.push(`source counters do not reconcile: ${JSON.stringify(s)} for ${count} pushed, ${acked} ok`);
  }
  if (v.length)
    v.unshift(
      `seed ${seed}: ${p.type} ${JSON.stringify(p.config)} maxInFlight ${maxInFlight} errorRoute ${errorRoute} transientFailures ${routeTransient ? 'route' : 'redeliver'} onError ${onError} failKind ${failKind} errorPort ${errorPortWired}`,
    );
  return v;
}

describe('window and join keep the delivery guarantee (property)', () => {
  it(`each input settles once, after and as its aggregates did (${RUNS} seeded flows from ${BASE_SEED})`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const v = await runOnce(BASE_SEED + i);
      failures.push(...v.slice(0, 8));
      if (failures.length > 40) break;
    }
    expect(timerErrors.map(String), 'errors thrown in chaos timers').toEqual([]);
    expect(unhandled.map(String), 'unhandled rejections').toEqual([]);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 120_000);
});
