/**
 * Property tests of the delivery guarantee through the stream-processing nodes (change, validate, dedup, deadband,
 * rate-limit, delay), with the chaos helpers of lineage-property.test.ts: random flows mixing these nodes with
 * misbehaving `chaos` nodes, failing sinks, error ports and error routes. Checked at idle, from the trace of what every
 * node did (see `verifyIdle`): each message settled once, as its trace says, only after everything derived from it
 * finished (a held message in delay or rate-limit keeps its source unacknowledged until it was passed on and
 * delivered); node counters equal the trace's and reconcile (in = out + dropped + failed + inFlight); a source that
 * awaits back pressure never exceeds its window (held messages count against it).
 *
 * And the stateful guarantee: with dedup (or deadband) before a sink that fails now and then, redelivering every
 * nacked message (as a broker would) ends with every key delivered exactly once (dedup), or the last value of every key
 * delivered (deadband): a message is never lost for having been "seen" or "reported" before.
 *
 * Reproduce: SLUICE_PROPERTY_SEED=<seed> SLUICE_PROPERTY_RUNS=1 npx vitest run test/runtime/stream-nodes-property
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import {
  CHAOS_BEHAVIOURS,
  chaosCatalog,
  chaosLoader,
  chaosSources,
  describeFlow,
  type GenFlow,
  type GenNode,
  type Pushed,
  portsOf,
  Recorder,
  type Rng,
  randomPayload,
  rng,
  sleep,
  snapshotSettles,
  timerErrors,
  Uncloneable,
  verifyIdle,
} from '../support/chaos-nodes.js';
import { sinks } from '../support/test-nodes.js';
import { collectUnhandledRejections } from '../support/unhandled.js';

const BASE_SEED = Number(process.env.SLUICE_PROPERTY_SEED ?? 20_261_206);
const RUNS = Number(process.env.SLUICE_PROPERTY_RUNS ?? 40);
const STREAM_TYPES = ['change', 'validate', 'dedup', 'deadband', 'rate-limit', 'delay'] as const;

const unhandled = collectUnhandledRejections();

function streamNode(r: Rng, id: string): GenNode {
  const type = r.pick(STREAM_TYPES);
  switch (type) {
    case 'change':
      return {
        id,
        type,
        config: {
          rules: [
            {
              action: 'set',
              field: 'payload.seen',
              valueType: 'jsonata',
              value: r.pick(['payload.n', 'payload.n % 9 = 4 ? $error("nine") : 1']),
            },
            { action: 'copy', field: 'payload.n', to: r.pick(['key', 'headers.n', 'payload.m']) },
            { action: r.pick(['delete', 'move']), field: 'payload.seen', to: 'payload.was' },
          ],
        },
      };
    case 'validate':
      return {
        id,
        type,
        config: {
          schema: r.pick([
            '{"type": "object", "required": ["n"]}',
            '{"properties": {"n": {"not": {"multipleOf": 6}}}}',
          ]),
        },
      };
    case 'dedup':
      return {
        id,
        type,
        config: {
          key: r.pick(['$exists(payload.n) ? payload.n % 7 : id', 'id', 'payload.n']),
          maxKeys: r.pick([3, 1000]),
        },
      };
    case 'deadband':
      return {
        id,
        type,
        config: r.chance(0.5)
          ? { key: '$string(payload.n % 3)', value: 'payload.n', threshold: r.int(0, 10) }
          : { key: 'topic', value: 'payload', mode: 'change' },
      };
    case 'rate-limit':
      return {
        id,
        type,
        config: {
          limit: r.int(1, 40),
          intervalMs: r.int(1, 15),
          mode: r.pick(['wait', 'wait', 'drop']),
          ...(r.chance(0.4) ? { key: '$string(payload.n % 4)' } : {}),
        },
      };
    default:
      return r.chance(0.5)
        ? { id, type, config: { delayMs: r.int(0, 6) } }
        : { id, type, config: { mode: 'per-message', delay: 'payload.n % 5', maxDelayMs: 4 } };
  }
}

/** A random flow: chaos source, 1..5 intermediates (mostly stream nodes, some chaos), 1..2 sinks, random wiring. */
function generate(seed: number): GenFlow {
  const r = rng(seed);
  const nodes: GenNode[] = [{ id: 'src', type: 'chaos-source', config: {} }];
  const k = r.int(1, 5);
  for (let i = 0; i < k; i++) {
    if (r.chance(0.25)) {
      const behaviours = CHAOS_BEHAVIOURS.filter(() => r.chance(0.3));
      nodes.push({
        id: `n${i}`,
        type: 'chaos',
        config: { seed: r.int(1, 1e9), behaviours: behaviours.length ? behaviours : ['pass'], maxDelayMs: r.int(0, 4) },
      });
    } else nodes.push(streamNode(r, `n${i}`));
  }
  const m = r.int(1, 2);
  for (let i = 0; i < m; i++) {
    nodes.push({
      id: `s${i}`,
      type: 'test-sink',
      config: { delayMs: r.int(0, 3), batchSize: r.int(1, 4), lingerMs: r.int(1, 3), failFlagged: r.chance(0.6) },
    });
  }
  const edges: GenFlow['edges'] = [];
  const seen = new Set<string>();
  const edge = (source: string, sourcePort: string, target: string) => {
    const key = `${source}:${sourcePort}>${target}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ source, sourcePort, target, targetPort: 'in' });
  };
  for (let i = 1; i < nodes.length; i++) {
    const from = nodes[r.int(Math.max(0, i - 2), Math.min(i - 1, k))];
    edge(from.id, r.pick(portsOf(from)), nodes[i].id);
  }
  for (let i = 1; i <= k; i++) if (r.chance(0.3)) edge(nodes[i].id, 'error', nodes[r.int(i + 1, nodes.length - 1)].id);
  const settings: GenFlow['settings'] = { maxInFlight: r.pick([1, 4, 16, 64, 1000]) };
  if (r.chance(0.4)) settings.errorRoute = nodes[nodes.length - 1].id;
  const onError = r.pick([undefined, 'nack', 'ack'] as const);
  if (onError) settings.onError = onError;
  return { format: 'sluice/flow@1', settings, nodes, edges };
}

async function runOnce(seed: number): Promise<string[]> {
  const flow = generate(seed);
  const r = rng(seed ^ 0x2545f491);
  const recorder = new Recorder();
  const engine = new Engine({ catalog: chaosCatalog, loadRuntime: chaosLoader(recorder) });
  const violations: string[] = [];
  const polite = r.chance(0.5);
  await engine.start(flow);
  const source = chaosSources.get('src')!;
  const snapshots = snapshotSettles(source, recorder);
  const pushed: Pushed[] = [];
  const waiting: Promise<void>[] = [];
  const count = r.int(60, 160);
  for (let i = 0; i < count; i++) {
    const id = `m${i}`;
    const payload = randomPayload(r, i);
    const failed = r.chance(0.04);
    pushed.push({ id, failed, uncloneable: payload instanceof Uncloneable });
    const w = source.push(payload, id, { failed: failed ? 'unreadable' : undefined });
    if (w) {
      if (polite || r.chance(0.6)) {
        if ((await Promise.race([w.then(() => 'room'), sleep(5000).then(() => 'stuck')])) === 'stuck') {
          violations.push(`the window never had room again after ${id} (${engine.inFlight()} lineages open)`);
          break;
        }
      } else waiting.push(w);
    }
    const inFlight = engine.counters().src.inFlight;
    if (polite && inFlight > flow.settings.maxInFlight) {
      violations.push(`window exceeded by a polite source: ${inFlight} > ${flow.settings.maxInFlight}`);
    }
    if (r.chance(0.05)) await sleep(r.int(0, 3));
  }
  await engine.whenIdle(15_000);
  if (engine.inFlight() !== 0) violations.push(`not idle after 15 s: ${engine.inFlight()} lineages open`);
  const counters = engine.counters();
  violations.push(...verifyIdle({ counters, flow, recorder, source, pushed, snapshots }));
  for (const n of flow.nodes) {
    if (!(STREAM_TYPES as readonly string[]).includes(n.type)) continue;
    const c = counters[n.id];
    if (c.in !== c.out + c.dropped + c.failed + c.inFlight) {
      violations.push(`counters of ${n.id} (${n.type}) do not reconcile: ${JSON.stringify(c)}`);
    }
  }
  if (
    (await Promise.race([Promise.all(waiting).then(() => 'woken'), sleep(1000).then(() => 'stranded')])) === 'stranded'
  ) {
    violations.push('a source waiting on back pressure was never woken');
  }
  await engine.stop({ deadlineMs: 100 });
  if (violations.length) violations.unshift(`seed ${seed}: ${describeFlow(flow)}`);
  return violations;
}

/**
 * src -> stateful node -> sink that fails flagged batches (transient: nacked). Pushes `count` messages over `keys` keys,
 * then redelivers every nacked one (unflagged) until none is nacked; returns what the sink delivered and every id pushed.
 */
async function redeliverUntilAcked(seed: number, node: GenNode) {
  const r = rng(seed);
  const flow: GenFlow = {
    format: 'sluice/flow@1',
    settings: { maxInFlight: r.pick([2, 16, 200]) },
    nodes: [
      { id: 'src', type: 'chaos-source', config: {} },
      node,
      { id: 'sink', type: 'test-sink', config: { batchSize: r.int(1, 4), lingerMs: 1, delayMs: r.int(0, 2) } },
    ],
    edges: [
      { source: 'src', sourcePort: 'out', target: node.id, targetPort: 'in' },
      { source: node.id, sourcePort: 'out', target: 'sink', targetPort: 'in' },
    ],
  };
  const engine = new Engine({ catalog: chaosCatalog, loadRuntime: chaosLoader() });
  await engine.start(flow);
  const source = chaosSources.get('src')!;
  const payloads = new Map<string, { k: number; v: number }>();
  let pending: string[] = [];
  for (let i = 0; i < 150; i++) {
    const id = `p${i}`;
    const p = { k: r.int(0, 9), v: i };
    payloads.set(id, p);
    pending.push(id);
    const w = source.push({ ...p, fail: r.chance(0.25) }, id);
    if (w) await w;
  }
  for (let round = 1; pending.length && round < 20; round++) {
    await engine.whenIdle(10_000);
    const nacked = pending.filter((id) => source.outcomes.get(id)?.some((o) => !o.ok));
    pending = [];
    for (const id of nacked) {
      const again = `${id}r${round}`;
      payloads.set(again, payloads.get(id)!);
      pending.push(again);
      const w = source.push({ ...payloads.get(id)! }, again);
      if (w) await w;
    }
  }
  await engine.whenIdle(10_000);
  const delivered = sinks.get('sink')!.delivered.map((m) => m.payload as { k: number; v: number });
  await engine.stop({ deadlineMs: 100 });
  return { delivered, payloads: [...payloads.values()] };
}

describe('stream nodes keep the delivery guarantee', () => {
  it(`every message settles once, as the trace says (${RUNS} seeded flows from ${BASE_SEED})`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const v = await runOnce(BASE_SEED + i);
      if (v.length) failures.push(...v.slice(0, 12));
      if (failures.length > 40) break;
    }
    expect(timerErrors.map(String), 'errors thrown in chaos timers').toEqual([]);
    expect(unhandled.map(String), 'unhandled rejections').toEqual([]);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 180_000);

  it('dedup: with redelivery of every nacked message, each key is delivered exactly once', async () => {
    for (let i = 0; i < 8; i++) {
      const seed = BASE_SEED + 1000 + i;
      const { delivered, payloads } = await redeliverUntilAcked(seed, {
        id: 'dd',
        type: 'dedup',
        config: { key: 'payload.k' },
      });
      const keys = [...new Set(payloads.map((p) => p.k))].sort();
      expect(delivered.map((p) => p.k).sort(), `seed ${seed}: every key once`).toEqual(keys);
    }
  }, 60_000);

  it('deadband: with redelivery of every nacked message, the last value of every key is delivered', async () => {
    for (let i = 0; i < 8; i++) {
      const seed = BASE_SEED + 2000 + i;
      const { delivered, payloads } = await redeliverUntilAcked(seed, {
        id: 'db',
        type: 'deadband',
        config: { key: 'payload.k', value: 'payload.v', mode: 'change' },
      });
      // Every value differs from the one before, so every value must be delivered at least once.
      const got = new Set(delivered.map((p) => p.v));
      const lost = payloads.filter((p) => !got.has(p.v)).map((p) => p.v);
      expect(lost, `seed ${seed}: values never delivered`).toEqual([]);
    }
  }, 60_000);
});
