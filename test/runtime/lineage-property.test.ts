/**
 * Property tests of the engine's delivery accounting over random acyclic flows (seeded; no fast-check).
 *
 * Each run builds a flow from a chaos source, 1..6 intermediate nodes (real transform / filter / switch / json /
 * function nodes and misbehaving `chaos` nodes), 1..3 sinks, random fan-out, error ports, error route and
 * onError policy, pushes a few hundred messages (some awaiting back pressure, some not), waits for idle and checks:
 * - every pushed message settled exactly once;
 * - each settle equals the outcome computed independently from the trace of what every node did
 *   (see `analyseRoot`), and the engine delivered exactly where the wiring says (no lost and no extra copy);
 * - an ok settle came only once every delivery derived from the message had finished, and nothing of that message
 *   moved afterwards;
 * - per-node counters equal the trace's, and sources reconcile (acked + nacked = out + failed, nothing in flight);
 * - no unhandled rejection, no error thrown out of a timer or out of `ingest`.
 *
 * Reproduce a failure: SLUICE_PROPERTY_SEED=<seed> SLUICE_PROPERTY_RUNS=1 npx vitest run test/runtime/lineage-property
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { outputPorts } from '../../src/spec/index.js';
import {
  analyseRoot,
  CHAOS_BEHAVIOURS,
  chaosCatalog,
  chaosLoader,
  chaosSources,
  expectedCounters,
  Recorder,
  type Rng,
  rng,
  sleep,
  timerErrors,
  topologyOf,
} from '../support/chaos-nodes.js';

const BASE_SEED = Number(process.env.SLUICE_PROPERTY_SEED ?? 20_240_601);
const RUNS = Number(process.env.SLUICE_PROPERTY_RUNS ?? 60);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

interface GenNode {
  id: string;
  type: string;
  config: Record<string, unknown>;
}

interface GenFlow {
  format: string;
  settings: { errorRoute?: string; onError?: 'ack' | 'nack'; maxInFlight: number };
  nodes: GenNode[];
  edges: Array<{ source: string; sourcePort: string; target: string; targetPort: string }>;
}

const TRANSFORMS = [
  'payload',
  '$merge([payload, {"t": 1}])',
  'payload.n % 5 = 0 ? $error("five") : payload',
  '{"n": payload.n, "fail": payload.fail}',
];
const FILTERS = ['payload.n % 3 != 0', 'true', '$exists(payload.n)', 'payload.n % 4 = 1 ? $error("four") : true'];
const RULES = [
  { port: 'a', condition: 'payload.n % 2 = 0' },
  { port: 'b', condition: 'payload.n % 3 = 0' },
  { port: 'c', condition: 'payload.n > 100' },
  { port: 'd', condition: 'payload.n % 7 = 2 ? $error("seven") : false' },
];
const FUNCTIONS: Array<Record<string, unknown>> = [
  { code: 'return msg;' },
  { code: 'if (msg.payload && msg.payload.n % 6 === 5) throw new Error("six"); return msg;' },
  { code: 'return { payload: msg.payload };' }, // drops every header
  { code: 'return [msg, (msg.payload && msg.payload.n % 2) ? [msg, { payload: 1 }] : null];', outputs: 2 },
  { code: 'return msg.payload && msg.payload.n % 4 === 0 ? null : msg;' },
];

function intermediate(r: Rng, id: string): GenNode {
  const type = r.pick(['transform', 'filter', 'switch', 'json', 'function', 'chaos', 'chaos', 'chaos']);
  switch (type) {
    case 'transform':
      return { id, type, config: { expression: r.pick(TRANSFORMS) } };
    case 'filter':
      return { id, type, config: { condition: r.pick(FILTERS) } };
    case 'switch': {
      const rules = RULES.filter(() => r.chance(0.6));
      return { id, type, config: { rules: rules.length ? rules : [RULES[0]], mode: r.pick(['first', 'all']) } };
    }
    case 'json':
      return { id, type, config: { action: r.pick(['parse', 'serialize', 'toggle']) } };
    case 'function':
      return { id, type, config: r.pick(FUNCTIONS) };
    default: {
      const behaviours = CHAOS_BEHAVIOURS.filter(() => r.chance(0.35));
      return {
        id,
        type: 'chaos',
        config: { seed: r.int(1, 1e9), behaviours: behaviours.length ? behaviours : ['pass'], maxDelayMs: r.int(0, 5) },
      };
    }
  }
}

function sink(r: Rng, id: string): GenNode {
  if (r.chance(0.15)) return { id, type: 'debug', config: {} };
  return {
    id,
    type: 'test-sink',
    config: {
      delayMs: r.int(0, 4),
      batchSize: r.int(1, 4),
      lingerMs: r.int(1, 3),
      failFlagged: r.chance(0.6),
      mutate: r.chance(0.3),
    },
  };
}

const portsOf = (n: GenNode) =>
  outputPorts(chaosCatalog.nodes.find((d) => d.type === n.type)!, n.config)
    .map((p) => p.name)
    .filter((p) => p !== 'error');

/** A random acyclic flow: every edge goes forward in the node list, every input is connected. */
function generate(seed: number): GenFlow {
  const r = rng(seed);
  const nodes: GenNode[] = [{ id: 'src', type: 'chaos-source', config: {} }];
  const k = r.int(1, 6);
  for (let i = 0; i < k; i++) nodes.push(intermediate(r, `n${i}`));
  const m = r.int(1, 3);
  for (let i = 0; i < m; i++) nodes.push(sink(r, `s${i}`));
  const deadLetter = r.chance(0.25);
  const edges: GenFlow['edges'] = [];
  const seen = new Set<string>();
  const edge = (source: string, sourcePort: string, target: string) => {
    const key = `${source}:${sourcePort}>${target}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ source, sourcePort, target, targetPort: 'in' });
  };
  for (let i = 1; i < nodes.length; i++) {
    const from = nodes[r.int(0, Math.min(i - 1, k))];
    edge(from.id, r.pick(portsOf(from)), nodes[i].id);
  }
  for (let i = 0; i <= k; i++) {
    for (const port of portsOf(nodes[i])) {
      if (r.chance(0.35)) edge(nodes[i].id, port, nodes[r.int(i + 1, nodes.length - 1)].id);
    }
    if (r.chance(0.3)) edge(nodes[i].id, 'error', nodes[r.int(i + 1, nodes.length - 1)].id);
  }
  for (let i = k + 1; i < nodes.length - 1; i++) if (r.chance(0.15)) edge(nodes[i].id, 'error', nodes[i + 1].id);
  const settings: GenFlow['settings'] = { maxInFlight: r.pick([1, 2, 5, 16, 64, 1000]) };
  if (deadLetter) {
    // A dead-letter chain whose first node drops every header, into a sink that may fail too.
    nodes.push({ id: 'dl', type: 'function', config: { code: 'return { payload: msg.payload };' } });
    nodes.push(sink(r, 'dls'));
    edge('dl', 'out', 'dls');
    settings.errorRoute = 'dl';
  } else if (r.chance(0.5)) settings.errorRoute = r.pick(nodes.slice(1)).id;
  const onError = r.pick([undefined, 'nack', 'ack'] as const);
  if (onError) settings.onError = onError;
  return { format: 'sluice/flow@1', settings, nodes, edges };
}

function describeFlow(f: GenFlow): string {
  const nodes = f.nodes.map((n) => `${n.id}=${n.type}${n.type === 'chaos' ? `${JSON.stringify(n.config)}` : ''}`);
  const edges = f.edges.map((e) => `${e.source}:${e.sourcePort}->${e.target}`);
  return `settings ${JSON.stringify(f.settings)}\n  nodes ${nodes.join(' ')}\n  edges ${edges.join(' ')}`;
}

interface Pushed {
  id: string;
  failed: boolean;
}

/** One run: returns the violations found (empty when every property holds). */
async function runOnce(seed: number): Promise<string[]> {
  const flow = generate(seed);
  const r = rng(seed ^ 0x5bd1e995);
  const recorder = new Recorder();
  const engine = new Engine({ catalog: chaosCatalog, loadRuntime: chaosLoader(recorder) });
  const violations: string[] = [];
  const terminal = new Set(flow.nodes.filter((n) => n.type !== 'chaos-source' && portsOf(n).length === 0).map((n) => n.id));
  const topo = topologyOf({ ...flow, terminal });
  await engine.start(flow);
  const src = chaosSources.get('src')!;
  const settleSnapshots = new Map<string, { pending: number; deliveries: number }>();
  src.onSettle = (id) => {
    settleSnapshots.set(id, { pending: recorder.pendingOf(id), deliveries: recorder.byRoot.get(id)?.length ?? 0 });
  };
  const pushed: Pushed[] = [];
  const waiting: Promise<void>[] = [];
  const count = r.int(100, 250);
  for (let i = 0; i < count; i++) {
    const id = `m${i}`;
    const roll = r.next();
    const payload = roll < 0.05 ? `{"n": ${i}}` : roll < 0.1 ? `oops ${i}` : { n: i, fail: r.chance(0.08) };
    const failed = r.chance(0.05);
    pushed.push({ id, failed });
    const w = src.push(payload, id, { failed: failed ? 'unreadable' : undefined, throwInSettle: r.chance(0.05) });
    if (w) {
      if (r.chance(0.6)) {
        if ((await Promise.race([w.then(() => 'room'), sleep(5000).then(() => 'stuck')])) === 'stuck') {
          violations.push(`the window never had room again after ${id} (${engine.inFlight()} lineages open)`);
          break;
        }
      } else waiting.push(w);
    }
    if (r.chance(0.05)) await sleep(r.int(0, 2));
  }
  await engine.whenIdle(10_000);
  if (engine.inFlight() !== 0) {
    const open = pushed.filter((p) => !src.outcomes.has(p.id)).map((p) => p.id);
    violations.push(`not idle after 10 s: ${engine.inFlight()} lineages open (${open.slice(0, 10).join(', ')})`);
    for (const id of open.slice(0, 3)) {
      const recs = recorder.byRoot.get(id) ?? [];
      violations.push(`  ${id}: ${recs.length} deliveries, e.g. ${recs.slice(-4).map((d) => `${d.node}/${d.state}`)}`);
    }
  }
  const outcomes = src.outcomes;
  let okCount = 0;
  for (const p of pushed) {
    const got = outcomes.get(p.id) ?? [];
    if (got.length !== 1) {
      violations.push(`${p.id} settled ${got.length} times: ${JSON.stringify(got)}`);
      continue;
    }
    const [o] = got;
    if (o.ok) okCount++;
    const recs = recorder.byRoot.get(p.id) ?? [];
    const a = analyseRoot(p.id, p.failed ? 'failed' : 'ok', recorder.deliveries, recs, topo);
    for (const problem of a.problems) violations.push(`${p.id}: ${problem}`);
    if (o.ok !== a.expectOk) {
      violations.push(
        `${p.id}: settled ${JSON.stringify(o)} but the trace says ${a.expectOk ? 'ok' : 'failed'} (sticky: ${a.sticky.map((s) => s.node)})`,
      );
    }
    if (!o.ok && a.sticky.length && !a.sticky.some((s) => o.reason.startsWith(`node "${s.node}": `))) {
      violations.push(`${p.id}: nack reason ${JSON.stringify(o.reason)} names none of ${a.sticky.map((s) => s.node)}`);
    }
    const snap = settleSnapshots.get(p.id);
    if (snap && snap.pending !== 0) violations.push(`${p.id}: settled while ${snap.pending} deliveries were unfinished`);
    if (snap && snap.deliveries !== recs.length) {
      violations.push(`${p.id}: ${recs.length - snap.deliveries} deliveries happened after it settled`);
    }
  }
  // Counters: exactly what the trace says, and the reconcile rule.
  const counters = engine.counters();
  const model = expectedCounters(recorder.deliveries, topo);
  for (const n of flow.nodes) {
    if (n.id === 'src') continue;
    const want = model.get(n.id) ?? { in: 0, out: 0, failed: 0, dropped: 0, inFlight: 0 };
    const c = counters[n.id];
    const got = { in: c.in, out: c.out, failed: c.failed, dropped: c.dropped, inFlight: c.inFlight };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      violations.push(`counters of ${n.id}: engine ${JSON.stringify(got)}, trace ${JSON.stringify(want)}`);
    }
    if (c.inFlight !== 0) violations.push(`${n.id}: inFlight ${c.inFlight} at idle`);
  }
  const s = counters.src;
  const ingestedOk = pushed.filter((p) => !p.failed).length;
  if (s.out !== ingestedOk || s.failed !== pushed.length - ingestedOk) {
    violations.push(`source counted out ${s.out} failed ${s.failed}, pushed ${ingestedOk} + ${pushed.length - ingestedOk}`);
  }
  if ((s.acked ?? 0) + (s.nacked ?? 0) !== s.out + s.failed) {
    violations.push(`source: acked ${s.acked} + nacked ${s.nacked} != out ${s.out} + failed ${s.failed}`);
  }
  if (s.acked !== okCount) violations.push(`source acked ${s.acked}, ok outcomes ${okCount}`);
  if (s.inFlight !== 0) violations.push(`source window inFlight ${s.inFlight} at idle`);
  if (src.ingestErrors.length) violations.push(`ingest threw: ${src.ingestErrors.map(String)}`);
  await Promise.race([Promise.all(waiting), sleep(1000)]);
  await engine.stop({ deadlineMs: 100 });
  if (violations.length) violations.unshift(`seed ${seed}: ${describeFlow(flow)}`);
  return violations;
}

describe('engine: delivery accounting over random flows', () => {
  it(`every message settles once, as the trace says (${RUNS} seeded flows from ${BASE_SEED})`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const seed = BASE_SEED + i;
      const started = Date.now();
      const v = await runOnce(seed);
      if (process.env.SLUICE_PROPERTY_VERBOSE) console.log(`seed ${seed}: ${Date.now() - started} ms, ${v.length} violations`);
      if (v.length) failures.push(...v.slice(0, 15));
      if (failures.length > 60) break;
    }
    expect(timerErrors.map(String), 'errors thrown in chaos timers').toEqual([]);
    expect(unhandled.map(String), 'unhandled rejections').toEqual([]);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 120_000);
});
