/**
 * Property tests of stop and redeploy in the middle of traffic, over random flows (seeded).
 *
 * A pusher keeps ingesting (respecting back pressure or not) while the engine stops with a random drain deadline,
 * or redeploys a different random flow. Checked:
 * - when stop()/deploy() returns, every message ingested so far has settled exactly once, and stays so after
 *   late completions;
 * - an ok settle came only after everything derived from the message had finished, as the trace says;
 * - a nack is explained: refused (nothing delivered), forced at the deadline (something unfinished), or a failure
 *   that no error port or route took;
 * - nothing of the stopped flow runs after stop() returned (no handle call on a stopped node);
 * - the source reconciles; the new flow after a redeploy passes every idle property with only its own records.
 *
 * Reproduce: SLUICE_PROPERTY_SEED=<seed> SLUICE_PROPERTY_RUNS=1 npx vitest run test/runtime/lineage-stop
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import type { Outcome } from '../../src/spec/index.js';
import {
  analyseRoot,
  type ChaosSourceHandle,
  chaosCatalog,
  chaosLoader,
  chaosSources,
  describeFlow,
  type GenFlow,
  generateFlow,
  type Pushed,
  Recorder,
  type Rng,
  randomPayload,
  rng,
  type SettleSnapshot,
  sleep,
  snapshotSettles,
  timerErrors,
  topologyOfFlow,
  Uncloneable,
  verifyIdle,
} from '../support/chaos-nodes.js';
import { collectUnhandledRejections } from '../support/unhandled.js';

const BASE_SEED = Number(process.env.SLUICE_PROPERTY_SEED ?? 7_000_001);
const RUNS = Number(process.env.SLUICE_PROPERTY_RUNS ?? 40);
const STOPPED = 'flow stopped before the message was delivered';
const REFUSED = 'the flow is not running';

const unhandled = collectUnhandledRejections();

/** Pushes into `source` until `until()` says so, plus a few more after it (which must be refused). */
function startPusher(source: ChaosSourceHandle, r: Rng, prefix: string, until: () => boolean) {
  const pushed: Pushed[] = [];
  const late = new Set<string>();
  const stranded: string[] = [];
  const done = (async () => {
    let extra = 3;
    for (let i = 0; extra > 0; i++) {
      const after = until();
      if (after) extra--;
      const id = `${prefix}${i}`;
      const failed = r.chance(0.05);
      const payload = randomPayload(r, i);
      pushed.push({ id, failed, uncloneable: payload instanceof Uncloneable });
      if (after) late.add(id);
      const w = source.push(payload, id, {
        failed: failed ? 'unreadable' : undefined,
        throwInSettle: r.chance(0.05),
      });
      if (w && r.chance(0.7)) {
        if ((await Promise.race([w.then(() => 'room'), sleep(3000).then(() => 'stuck')])) === 'stuck') {
          stranded.push(id);
        }
      }
      if (r.chance(0.2)) await sleep(r.int(0, 3));
      if (i > 5000) break;
    }
  })();
  return { pushed, late, stranded, done };
}

/**
 * Right after stop/deploy returned: every message pushed so far settled once. Later: still once, every settle
 * explained, nothing of the old flow handled after the stop.
 */
async function verifyStopped(options: {
  flow: GenFlow;
  recorder: Recorder;
  source: ChaosSourceHandle;
  pushedAtStop: readonly Pushed[];
  pusher: ReturnType<typeof startPusher>;
  snapshots: Map<string, SettleSnapshot>;
  /** The source's counters after the stop (a redeploy replaces them). */
  counters?: () => { acked?: number; nacked?: number };
  /** What stop() reported (a redeploy does not say). */
  nackedAtDeadline?: number;
  gen: number;
}): Promise<string[]> {
  const { flow, recorder, source, pusher, snapshots } = options;
  const v: string[] = [];
  for (const p of options.pushedAtStop) {
    const n = source.outcomes.get(p.id)?.length ?? 0;
    if (n !== 1) v.push(`${p.id}: settled ${n} times when stop returned`);
  }
  const oldHandled = () => recorder.deliveries.filter((d) => d.gen === options.gen).length;
  const handledAtStop = oldHandled();
  await pusher.done;
  await sleep(60); // late completions, late emits, late failures of the stopped flow
  if (oldHandled() !== handledAtStop) {
    const extra = recorder.deliveries.filter((d) => d.gen === options.gen).slice(handledAtStop);
    v.push(`handle calls on the stopped flow after stop returned: ${extra.map((d) => `${d.node}:${d.msgId}`)}`);
  }
  if (pusher.stranded.length) v.push(`pushes stranded on back pressure: ${pusher.stranded.slice(0, 5)}`);
  const topo = topologyOfFlow(flow);
  let forced = 0;
  let acked = 0;
  let nacked = 0;
  for (const p of pusher.pushed) {
    const got: Outcome[] = source.outcomes.get(p.id) ?? [];
    if (got.length !== 1) {
      v.push(`${p.id}: settled ${got.length} times: ${JSON.stringify(got)}`);
      continue;
    }
    const [o] = got;
    const recs = recorder.byRoot.get(p.id) ?? [];
    const snap = snapshots.get(p.id);
    if (pusher.late.has(p.id) && (o.ok || o.reason !== REFUSED)) {
      v.push(`${p.id} was pushed after stop returned but settled ${JSON.stringify(o)}`);
    }
    if (o.ok) {
      acked++;
      const a = analyseRoot(p, recorder.deliveries, recs, topo);
      if (!a.expectOk) v.push(`${p.id}: acked but the trace says it failed at ${a.sticky.map((s) => s.node)}`);
      for (const problem of a.problems) v.push(`${p.id}: ${problem}`);
      if (snap?.pending) v.push(`${p.id}: acked while ${snap.pending} deliveries were unfinished`);
      if (snap && snap.deliveries !== recs.length)
        v.push(`${p.id}: acked, then ${recs.length - snap.deliveries} more deliveries`);
      continue;
    }
    if (o.reason === REFUSED) {
      if (recs.length) v.push(`${p.id}: refused, yet ${recs.length} deliveries`);
      continue;
    }
    nacked++;
    if (snap?.pending) {
      forced++;
      continue; // nacked at the deadline with something unfinished
    }
    if (o.reason === STOPPED) {
      v.push(`${p.id}: nacked as "${STOPPED}" though its trace had finished`);
      continue;
    }
    const a = analyseRoot(p, recorder.deliveries, recs, topo);
    if (a.expectOk) v.push(`${p.id}: nacked ${JSON.stringify(o.reason)} but the trace says ok`);
    for (const problem of a.problems) v.push(`${p.id}: ${problem}`);
  }
  const counted = options.counters?.();
  if (counted && (counted.acked !== acked || counted.nacked !== nacked)) {
    v.push(`source counted acked ${counted.acked} nacked ${counted.nacked}; settles: ${acked} ok, ${nacked} nacks`);
  }
  if (options.nackedAtDeadline !== undefined && forced !== options.nackedAtDeadline) {
    v.push(`stop reported ${options.nackedAtDeadline} nacked at the deadline, the trace shows ${forced}`);
  }
  if (source.ingestErrors.length) v.push(`ingest threw: ${source.ingestErrors.map(String)}`);
  return v;
}

async function stopRun(seed: number): Promise<string[]> {
  const flow = generateFlow(seed, { slowStop: 0.3 });
  const r = rng(seed ^ 0x2545f491);
  const recorder = new Recorder();
  const engine = new Engine({ catalog: chaosCatalog, loadRuntime: chaosLoader(recorder) });
  await engine.start(flow);
  const source = chaosSources.get('src')!;
  const snapshots = snapshotSettles(source, recorder);
  let stopped = false;
  const pusher = startPusher(source, r, 'm', () => stopped);
  await sleep(r.int(0, 25));
  const report = await engine.stop({ deadlineMs: r.int(0, 30) });
  stopped = true;
  const v = await verifyStopped({
    flow,
    recorder,
    source,
    pushedAtStop: [...pusher.pushed],
    pusher,
    snapshots,
    nackedAtDeadline: report.nackedAtDeadline,
    counters: () => engine.counters().src,
    gen: 0,
  });
  const s = engine.counters().src;
  if ((s.acked ?? 0) + (s.nacked ?? 0) !== s.out + s.failed) {
    v.push(`source: acked ${s.acked} + nacked ${s.nacked} != out ${s.out} + failed ${s.failed}`);
  }
  if (s.inFlight !== 0) v.push(`source window inFlight ${s.inFlight} after stop`);
  if (engine.inFlight() !== 0) v.push(`${engine.inFlight()} lineages live after stop`);
  if (v.length) v.unshift(`seed ${seed} (stop): ${describeFlow(flow)}`);
  return v;
}

async function deployRun(seed: number): Promise<string[]> {
  const first = generateFlow(seed, { slowStop: 0.3 });
  const second = generateFlow(seed + 7919);
  const r = rng(seed ^ 0x68e31da4);
  const recorder = new Recorder();
  const engine = new Engine({ catalog: chaosCatalog, loadRuntime: chaosLoader(recorder) });
  await engine.start(first);
  const old = chaosSources.get('src')!;
  const oldSnapshots = snapshotSettles(old, recorder);
  let deployed = false;
  const pusher = startPusher(old, r, 'a', () => deployed);
  await sleep(r.int(0, 25));
  recorder.generation = 1;
  await engine.deploy(second, { deadlineMs: r.int(0, 30) });
  deployed = true;
  const v = await verifyStopped({
    flow: first,
    recorder,
    source: old,
    pushedAtStop: [...pusher.pushed],
    pusher,
    snapshots: oldSnapshots,
    gen: 0,
  });
  // The new flow: plain traffic, then every idle property on its own records.
  const source = chaosSources.get('src')!;
  const snapshots = snapshotSettles(source, recorder);
  const pushed: Pushed[] = [];
  for (let i = 0; i < 60; i++) {
    const failed = r.chance(0.05);
    const payload = randomPayload(r, i);
    pushed.push({ id: `b${i}`, failed, uncloneable: payload instanceof Uncloneable });
    const w = source.push(payload, `b${i}`, { failed: failed ? 'unreadable' : undefined });
    if (w) await Promise.race([w, sleep(3000)]);
  }
  await engine.whenIdle(5000);
  if (engine.inFlight() !== 0) v.push(`new flow not idle: ${engine.inFlight()} lineages open`);
  v.push(
    ...verifyIdle({ counters: engine.counters(), flow: second, recorder, source, pushed, snapshots, gen: 1 }).map(
      (x) => `new flow: ${x}`,
    ),
  );
  await engine.stop({ deadlineMs: 50 });
  if (v.length) v.unshift(`seed ${seed} (deploy): ${describeFlow(first)}\n  then ${describeFlow(second)}`);
  return v;
}

describe('engine: stop and redeploy in the middle of traffic', () => {
  it(`stop with a random deadline: every message settles exactly once, acks only for what was delivered (${RUNS} seeds from ${BASE_SEED})`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < RUNS && failures.length < 60; i++)
      failures.push(...(await stopRun(BASE_SEED + i)).slice(0, 15));
    expect(timerErrors.map(String), 'errors thrown in chaos timers').toEqual([]);
    expect(unhandled.map(String), 'unhandled rejections').toEqual([]);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 60_000);

  it(`redeploy mid-traffic: the old flow settles everything once and leaks nothing into the new one (${RUNS} seeds from ${BASE_SEED})`, async () => {
    const failures: string[] = [];
    for (let i = 0; i < RUNS && failures.length < 60; i++) {
      failures.push(...(await deployRun(BASE_SEED + 100_000 + i)).slice(0, 15));
    }
    expect(timerErrors.map(String), 'errors thrown in chaos timers').toEqual([]);
    expect(unhandled.map(String), 'unhandled rejections').toEqual([]);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 60_000);
});
