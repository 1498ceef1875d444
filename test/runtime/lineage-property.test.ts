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
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import {
  chaosCatalog,
  chaosLoader,
  chaosSources,
  describeFlow,
  generateFlow,
  type Pushed,
  Recorder,
  randomPayload,
  rng,
  sleep,
  snapshotSettles,
  timerErrors,
  Uncloneable,
  verifyIdle,
} from '../support/chaos-nodes.js';
import { collectUnhandledRejections } from '../support/unhandled.js';

const BASE_SEED = Number(process.env.SLUICE_PROPERTY_SEED ?? 20_240_601);
const RUNS = Number(process.env.SLUICE_PROPERTY_RUNS ?? 60);

const unhandled = collectUnhandledRejections();

/** One run: returns the violations found (empty when every property holds). */
async function runOnce(seed: number): Promise<string[]> {
  const flow = generateFlow(seed);
  const r = rng(seed ^ 0x5bd1e995);
  const recorder = new Recorder();
  const tracing = r.chance(0.3);
  const engine = new Engine({ catalog: chaosCatalog, loadRuntime: chaosLoader(recorder), trace: tracing });
  let traced = 0;
  engine.on('trace', () => traced++);
  const violations: string[] = [];
  // A polite source always awaits back pressure: then the window is never exceeded.
  const polite = r.chance(0.3);
  await engine.start(flow);
  const source = chaosSources.get('src')!;
  const snapshots = snapshotSettles(source, recorder);
  const pushed: Pushed[] = [];
  const waiting: Promise<void>[] = [];
  const count = r.int(100, 250);
  for (let i = 0; i < count; i++) {
    const id = `m${i}`;
    const payload = randomPayload(r, i);
    const failed = r.chance(0.05);
    pushed.push({ id, failed, uncloneable: payload instanceof Uncloneable });
    const w = source.push(payload, id, { failed: failed ? 'unreadable' : undefined, throwInSettle: r.chance(0.05) });
    if (w) {
      // Most of the time the source respects back pressure; otherwise it pushes on into a full window.
      if (polite || r.chance(0.6)) {
        if ((await Promise.race([w.then(() => 'room'), sleep(5000).then(() => 'stuck')])) === 'stuck') {
          violations.push(`the window never had room again after ${id} (${engine.inFlight()} lineages open)`);
          break;
        }
      } else waiting.push(w);
    }
    const inFlight = engine.counters().src.inFlight;
    if (polite && inFlight > flow.settings.maxInFlight) {
      violations.push(
        `window exceeded by a source that awaits back pressure: ${inFlight} > ${flow.settings.maxInFlight}`,
      );
    }
    if (r.chance(0.05)) await sleep(r.int(0, 2));
  }
  await engine.whenIdle(10_000);
  if (engine.inFlight() !== 0) {
    const open = pushed.filter((p) => !source.outcomes.has(p.id)).map((p) => p.id);
    violations.push(`not idle after 10 s: ${engine.inFlight()} lineages open (${open.slice(0, 10).join(', ')})`);
    for (const id of open.slice(0, 3)) {
      const recs = recorder.byRoot.get(id) ?? [];
      violations.push(`  ${id}: ${recs.length} deliveries, e.g. ${recs.slice(-4).map((d) => `${d.node}/${d.state}`)}`);
    }
  }
  if (tracing) {
    // One trace event per accepted emit and per failure.
    const want = recorder.deliveries.reduce(
      (n, d) => n + d.emits.filter((e) => !e.late).length + (d.state === 'threw' || d.state === 'rejected' ? 1 : 0),
      0,
    );
    if (traced !== want) violations.push(`trace events: ${traced}, the trace says ${want}`);
  }
  violations.push(...verifyIdle({ counters: engine.counters(), flow, recorder, source, pushed, snapshots }));
  if (
    (await Promise.race([Promise.all(waiting).then(() => 'woken'), sleep(1000).then(() => 'stranded')])) === 'stranded'
  ) {
    violations.push('a source waiting on back pressure was never woken');
  }
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
      if (process.env.SLUICE_PROPERTY_VERBOSE)
        console.log(`seed ${seed}: ${Date.now() - started} ms, ${v.length} violations`);
      if (v.length) failures.push(...v.slice(0, 15));
      if (failures.length > 60) break;
    }
    expect(timerErrors.map(String), 'errors thrown in chaos timers').toEqual([]);
    expect(unhandled.map(String), 'unhandled rejections').toEqual([]);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 120_000);
});
