/**
 * The conformance suite every source and every sink passes against its real service.
 * A connector's test file describes how to set up a fresh target (a unique topic, queue or table) and how to
 * publish into it or read back from it; the checks themselves are the same for all.
 *
 *   sinkConformance({ name: 'postgres-out', available: () => requireService('postgres'), prepare: async () => ({...}) });
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowConnection } from '../../src/flow/document.js';
import { Engine } from '../../src/runtime/engine.js';
import type { Message } from '../../src/spec/index.js';
import type { NodeState } from '../../src/spec/runtime-contract.js';
import {
  loadTestRuntime,
  type SinkHandle,
  type SourceHandle,
  sinks,
  sources,
  testCatalog,
} from '../support/test-nodes.js';

export interface TestPayload {
  id: string;
  n: number;
  text: string;
}

export interface SinkFixture {
  connections: FlowConnection[];
  /** The sink under test; its input is wired from a test source. */
  node: { type: string; config: Record<string, unknown> };
  /** `payload.id` of every record now in the target (duplicates included), read with a client that is not the code under test. */
  readBack(): Promise<string[]>;
  /** A payload this sink cannot write (e.g. a value the column type refuses). */
  badPayload: unknown;
  /** True when a redelivered message is written once (upsert on a key). */
  idempotent: boolean;
  cleanup(): Promise<void>;
}

export interface SourceFixture {
  connections: FlowConnection[];
  /** The source under test; its output is wired to a test sink. Must resume where it left off after a restart. */
  node: { type: string; config: Record<string, unknown> };
  /** Publish these payloads (as JSON) into the source's service with a plain client. */
  publish(payloads: TestPayload[]): Promise<void>;
  /** Publish one message the source's codec cannot read (e.g. `{not json` with codec json). */
  publishBad(): Promise<void>;
  /**
   * The test payload id a delivered message carries, for a source that emits several messages per published one
   * (sparkplug-in: one per metric); undefined for the others. Default: `payload.id`.
   */
  idOf?(m: Message): string | undefined;
  cleanup(): Promise<void>;
}

export interface ConformanceCase<F> {
  name: string;
  /** Whether the service is reachable (a missing one skips outside CI, fails under CI). */
  available: () => Promise<boolean> | boolean;
  prepare: () => Promise<F>;
}

export function payloads(count: number, prefix = 'm'): TestPayload[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, n: i, text: `message ${i}` }));
}

export async function eventually<T>(
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > until)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 300)}`,
      );
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

function newEngine() {
  return new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
}

function flow(
  connections: FlowConnection[],
  nodes: Array<{ id: string; type: string; config: Record<string, unknown> }>,
  edges: Array<[string, string]>,
  settings: Record<string, unknown> = {},
) {
  return {
    format: 'sluice/flow@1',
    settings,
    connections,
    nodes,
    edges: edges.map(([s, t]) => {
      const [source, sourcePort = 'out'] = s.split(':');
      return { source, sourcePort, target: t, targetPort: 'in' };
    }),
  };
}

function statesOf(engine: Engine, nodeId: string): NodeState[] {
  const seen: NodeState[] = [];
  engine.on('status', (s) => {
    if (s.nodeId === nodeId) seen.push(s.state);
  });
  return seen;
}

/** Start src -> sink, wait until `watched` reports connected, stop, and check it ends stopped. */
async function expectConnectsAndStops(
  connections: FlowConnection[],
  nodes: Array<{ id: string; type: string; config: Record<string, unknown> }>,
  watched: string,
): Promise<void> {
  const engine = newEngine();
  const states = statesOf(engine, watched);
  try {
    await engine.start(flow(connections, nodes, [['src', 'sink']]));
    await eventually(
      () => states,
      (st) => st.includes('connected'),
      10_000,
      'status connected',
    );
  } finally {
    await engine.stop();
  }
  expect(states.at(-1)).toBe('stopped');
}

function counts(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

function expectAll(ids: string[], expected: TestPayload[], exactlyOnce: boolean) {
  const c = counts(ids);
  const missing = expected.filter((p) => !c.has(p.id)).map((p) => p.id);
  expect(missing, 'ids missing from the target').toEqual([]);
  if (exactlyOnce)
    expect(
      [...c.entries()].filter(([, n]) => n > 1),
      'duplicates in the target',
    ).toEqual([]);
}

export function sinkConformance(c: ConformanceCase<SinkFixture>): void {
  describe(`${c.name} conformance (sink)`, async () => {
    const run = await c.available();
    let engine: Engine | undefined;
    let fixture: SinkFixture | undefined;
    afterEach(async () => {
      await engine?.stop({ deadlineMs: 2000 });
      await fixture?.cleanup();
      engine = undefined;
      fixture = undefined;
    });

    async function start(f: SinkFixture, withErrorRoute = false) {
      engine = newEngine();
      const nodes = [
        { id: 'src', type: 'test-source', config: {} },
        { id: 'sink', ...f.node },
        ...(withErrorRoute ? [{ id: 'dead', type: 'test-sink', config: { failFlagged: false } }] : []),
      ];
      await engine.start(flow(f.connections, nodes, [['src', 'sink']], withErrorRoute ? { errorRoute: 'dead' } : {}));
      return { e: engine, src: sources.get('src') as SourceHandle };
    }

    it.runIf(run)('connects, reports its status, and closes', async () => {
      fixture = await c.prepare();
      await expectConnectsAndStops(
        fixture.connections,
        [
          { id: 'src', type: 'test-source', config: {} },
          { id: 'sink', ...fixture.node },
        ],
        'sink',
      );
    });

    it.runIf(run)('delivers a batch and acknowledges what landed', async () => {
      fixture = await c.prepare();
      const { e, src } = await start(fixture);
      const batch = payloads(300, 'b');
      for (const p of batch) await src.push(p, p.id);
      await e.whenIdle();
      expect([...src.outcomes.values()].filter((o) => !o[0].ok)).toEqual([]);
      expect(src.outcomes.size).toBe(300);
      expectAll(await fixture.readBack(), batch, true);
    });

    it.runIf(run)('handles many concurrent messages', async () => {
      fixture = await c.prepare();
      const { e, src } = await start(fixture);
      const many = payloads(2000, 'c');
      await Promise.all(many.map((p) => src.push(p, p.id)));
      await e.whenIdle();
      expect(e.counters().src).toMatchObject({ acked: 2000, nacked: 0, inFlight: 0 });
      expectAll(await fixture.readBack(), many, true);
    });

    it.runIf(run)('a restart mid-stream loses nothing (redelivered messages are written)', async () => {
      fixture = await c.prepare();
      const first = await start(fixture);
      const all = payloads(500, 'r');
      await Promise.all(all.map((p) => first.src.push(p, p.id)));
      // Crash-like stop: no drain; whatever is not yet delivered is nacked, never acked.
      await first.e.stop({ deadlineMs: 0 });
      const redeliver = all.filter((p) => !first.src.outcomes.get(p.id)?.[0].ok);
      const second = await start(fixture);
      for (const p of redeliver) await second.src.push(p, p.id);
      await second.e.whenIdle();
      expect([...second.src.outcomes.values()].every((o) => o[0].ok)).toBe(true);
      expectAll(await fixture.readBack(), all, fixture.idempotent);
    });

    it.runIf(run)('a bad payload goes to the error route and the rest get through', async () => {
      fixture = await c.prepare();
      const { e, src } = await start(fixture, true);
      const good = payloads(10, 'g');
      for (const p of good.slice(0, 5)) await src.push(p, p.id);
      await src.push(fixture.badPayload, 'bad');
      for (const p of good.slice(5)) await src.push(p, p.id);
      await e.whenIdle();
      const dead = (sinks.get('dead') as SinkHandle).delivered;
      expect(dead.map((m) => m.id)).toEqual(['bad']);
      expect(dead[0].headers['sluice-error']).toBeTruthy();
      expect(src.outcomes.get('bad')).toEqual([{ ok: true }]);
      expectAll(await fixture.readBack(), good, true);
    });
  });
}

export function sourceConformance(c: ConformanceCase<SourceFixture>): void {
  describe(`${c.name} conformance (source)`, async () => {
    const run = await c.available();
    let engine: Engine | undefined;
    let fixture: SourceFixture | undefined;
    afterEach(async () => {
      await engine?.stop({ deadlineMs: 2000 });
      await fixture?.cleanup();
      engine = undefined;
      fixture = undefined;
    });

    async function start(f: SourceFixture, withErrorRoute = false) {
      engine = newEngine();
      const nodes = [
        { id: 'src', ...f.node },
        { id: 'sink', type: 'test-sink', config: { failFlagged: false } },
        ...(withErrorRoute ? [{ id: 'dead', type: 'test-sink', config: { failFlagged: false } }] : []),
      ];
      await engine.start(flow(f.connections, nodes, [['src', 'sink']], withErrorRoute ? { errorRoute: 'dead' } : {}));
      return { e: engine, sink: sinks.get('sink') as SinkHandle };
    }

    const ids = (sink: SinkHandle) => {
      const idOf = fixture?.idOf ?? ((m: Message) => (m.payload as TestPayload).id);
      const out: string[] = [];
      for (const m of sink.delivered) {
        const id = idOf(m);
        if (id !== undefined) out.push(id);
      }
      return out;
    };

    it.runIf(run)('connects, reports its status, and closes', async () => {
      fixture = await c.prepare();
      await expectConnectsAndStops(
        fixture.connections,
        [
          { id: 'src', ...fixture.node },
          { id: 'sink', type: 'test-sink', config: {} },
        ],
        'src',
      );
    });

    it.runIf(run)('takes a batch in and acknowledges each message after delivery', async () => {
      fixture = await c.prepare();
      const { e, sink } = await start(fixture);
      const batch = payloads(300, 'b');
      await fixture.publish(batch);
      await eventually(
        () => new Set(ids(sink)).size,
        (n) => n >= 300,
        20_000,
        '300 messages at the sink',
      );
      await e.whenIdle();
      expectAll(ids(sink), batch, false);
      const cnt = e.counters().src;
      expect(cnt.acked).toBe(cnt.out);
      expect(cnt.nacked).toBe(0);
    });

    it.runIf(run)('handles many concurrent messages', async () => {
      fixture = await c.prepare();
      const { sink } = await start(fixture);
      const many = payloads(2000, 'c');
      await Promise.all([fixture.publish(many.slice(0, 1000)), fixture.publish(many.slice(1000))]);
      await eventually(
        () => new Set(ids(sink)).size,
        (n) => n >= 2000,
        30_000,
        '2000 messages at the sink',
      );
      expectAll(ids(sink), many, false);
    });

    it.runIf(run)('a restart mid-stream loses nothing', async () => {
      fixture = await c.prepare();
      const first = await start(fixture);
      const all = payloads(1000, 'r');
      await fixture.publish(all);
      await eventually(
        () => first.sink.delivered.length,
        (n) => n >= 50,
        20_000,
        'the first messages',
      );
      await first.e.stop({ deadlineMs: 0 });
      // After the stop: what the sink got while the engine stopped was acked too, and is not redelivered.
      const seen = new Set(ids(first.sink));
      const second = await start(fixture);
      await eventually(
        () => {
          for (const id of ids(second.sink)) seen.add(id);
          return seen.size;
        },
        (n) => n >= 1000,
        30_000,
        'all 1000 ids across both runs',
      );
      expectAll([...seen], all, false);
    });

    it.runIf(run)('an unreadable payload goes to the error route and the rest get through', async () => {
      fixture = await c.prepare();
      const { e, sink } = await start(fixture, true);
      const good = payloads(10, 'g');
      await fixture.publish(good.slice(0, 5));
      await fixture.publishBad();
      await fixture.publish(good.slice(5));
      const dead = sinks.get('dead') as SinkHandle;
      await eventually(
        () => dead.delivered.length + ids(sink).length,
        (n) => n >= 11,
        20_000,
        '11 messages',
      );
      await e.whenIdle();
      expect(dead.delivered).toHaveLength(1);
      expect(dead.delivered[0].headers['sluice-error']).toBeTruthy();
      expectAll(ids(sink), good, false);
      expect(e.counters().src.nacked).toBe(0);
    });
  });
}
