import { afterEach, describe, expect, it } from 'vitest';
import { deadband } from '../../../nodes/deadband/definition.js';
import { create } from '../../../nodes/deadband/runtime.js';
import { Engine } from '../../../src/runtime/engine.js';
import { failureKindOf } from '../../../src/spec/index.js';
import { configFor, startNode, testMessage } from '../../support/node-context.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Which of `values` (topic `t`) pass, in order. */
async function passing(config: Partial<ReturnType<typeof configFor<typeof deadband.config>>>, values: unknown[]) {
  const node = await startNode(create, configFor(deadband, config));
  const out: unknown[] = [];
  for (const v of values) {
    const sent = await node.send(testMessage({ payload: v, topic: 't' }));
    if (sent.length) out.push(sent[0].msg.payload);
  }
  return out;
}

describe('deadband', () => {
  it('absolute: passes the first value, then only moves of more than the threshold from the last passed value', async () => {
    expect(await passing({ threshold: 1 }, [20, 20.5, 21, 21.01, 20.5, 19.9, 19.9, 22])).toEqual([20, 21.01, 19.9, 22]);
  });

  it('percent: more than threshold % of the last passed value; from 0, any change', async () => {
    expect(await passing({ mode: 'percent', threshold: 10 }, [100, 109, 110.5, 99, 0, 0, 0.001])).toEqual([
      100, 110.5, 99, 0, 0.001,
    ]);
  });

  it('change: any different JSON value passes, equal ones do not', async () => {
    expect(await passing({ mode: 'change' }, ['on', 'on', { a: 1 }, { a: 1 }, { a: 2 }, 'on'])).toEqual([
      'on',
      { a: 1 },
      { a: 2 },
      'on',
    ]);
  });

  it('keeps one state per key', async () => {
    const node = await startNode(create, configFor(deadband, { key: 'payload.d', value: 'payload.v', threshold: 5 }));
    const sent: string[] = [];
    for (const [d, v] of [
      ['a', 1],
      ['b', 1],
      ['a', 3],
      ['b', 10],
      ['a', 7],
    ] as const) {
      if ((await node.send(testMessage({ payload: { d, v } }))).length) sent.push(`${d}${v}`);
    }
    expect(sent).toEqual(['a1', 'b1', 'b10', 'a7']);
  });

  it('heartbeat: an unchanged value passes once nothing of its key passed for maxSilenceMs', async () => {
    const node = await startNode(create, configFor(deadband, { threshold: 1, maxSilenceMs: 80 }));
    const send = async (v: number) => (await node.send(testMessage({ payload: v, topic: 't' }))).length;
    expect(await send(5)).toBe(1);
    expect(await send(5)).toBe(0);
    await sleep(120);
    expect(await send(5)).toBe(1);
    expect(await send(5)).toBe(0);
    expect(node.runtime.snapshot?.()).toMatchObject({ passed: 2, suppressed: 2, heartbeats: 1 });
  });

  it('accepts numbers as text; fails other values deterministically in numeric modes', async () => {
    expect(await passing({}, ['21.5', '21.6', '23'])).toEqual(['21.5', '23']);
    const node = await startNode(create, configFor(deadband, {}));
    const err = await node.send(testMessage({ payload: { temp: 1 } })).catch((e: unknown) => e);
    expect(String(err)).toContain('the value is not a number ({"temp":1})');
    expect(failureKindOf(err)).toBe('deterministic');
  });

  it('at the bound, the least recently updated key is forgotten and its next value passes', async () => {
    const node = await startNode(create, configFor(deadband, { key: 'payload.k', value: 'payload.v', maxKeys: 2 }));
    const send = async (k: string, v: number) => (await node.send(testMessage({ payload: { k, v } }))).length;
    expect(await send('a', 1)).toBe(1);
    expect(await send('b', 1)).toBe(1);
    expect(await send('c', 1)).toBe(1); // evicts a
    expect(await send('b', 1)).toBe(0);
    expect(await send('a', 1)).toBe(1); // forgotten: passes again
    expect(node.runtime.snapshot?.()).toMatchObject({ keys: 2, evicted: 2 });
  });

  it('in a flow: a passed value that was not delivered is forgotten, so its redelivery passes', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['db', 'deadband', { value: 'payload.v' }],
          ['sink', 'test-sink'],
        ],
        [
          ['src', 'db'],
          ['db', 'sink'],
        ],
      ),
    );
    const src = sources.get('src')!;
    await src.push({ v: 10, fail: true }, 'first');
    await engine.whenIdle(5000);
    expect(src.outcomes.get('first')?.[0].ok).toBe(false);
    await src.push({ v: 10 }, 'redelivered');
    await src.push({ v: 10.5 }, 'small-move');
    await engine.whenIdle(5000);
    expect(sinks.get('sink')!.delivered.map((m) => m.id)).toEqual(['redelivered']);
    expect(engine.counters().db).toMatchObject({ in: 3, out: 2, dropped: 1, failed: 0, inFlight: 0 });
    expect(engine.counters().src).toMatchObject({ acked: 2, nacked: 1, inFlight: 0 });
  });
});
