import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/runtime/engine.js';
import { createMessage } from '../../../src/spec/message.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

async function run(nodes: Parameters<typeof flowOf>[0], edges: Parameters<typeof flowOf>[1], settings = {}) {
  engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  await engine.start(flowOf(nodes, edges, settings));
  return engine;
}

describe('generate', () => {
  it('sends count messages with sequence, random and timestamp fields from the template', async () => {
    const e = await run(
      [
        [
          'gen',
          'generate',
          {
            count: 25,
            intervalMs: 0,
            topic: 'sim/t',
            key: '"k" & $seq',
            payload: '{"seq": $seq, "r": $random(), "ts": $millis()}',
          },
        ],
        ['sink', 'test-sink'],
      ],
      [['gen', 'sink']],
    );
    const sink = sinks.get('sink')!;
    while (sink.delivered.length < 25) await new Promise((r) => setTimeout(r, 5));
    await e.whenIdle();
    const msgs = sink.delivered;
    expect(msgs.map((m) => (m.payload as { seq: number }).seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(msgs.every((m) => m.topic === 'sim/t')).toBe(true);
    expect(msgs[4].key).toBe('k5');
    const rs = msgs.map((m) => (m.payload as { r: number }).r);
    expect(rs.every((r) => r >= 0 && r < 1)).toBe(true);
    expect(new Set(rs).size).toBeGreaterThan(20);
    const ts = msgs.map((m) => (m.payload as { ts: number }).ts);
    expect(Math.abs(ts[0] - Date.now())).toBeLessThan(60_000);
    expect(new Set(msgs.map((m) => m.id)).size).toBe(25);
    expect(e.counters().gen).toMatchObject({ out: 25, acked: 25 });
    expect(e.snapshot('gen')).toEqual({ sent: 25 });
  });

  it('paces by interval (the second message waits for the interval)', async () => {
    const e = await run(
      [
        ['gen', 'generate', { count: 2, intervalMs: 1000, payload: '$seq' }],
        ['sink', 'test-sink'],
      ],
      [['gen', 'sink']],
    );
    const sink = sinks.get('sink')!;
    while (sink.delivered.length < 1) await new Promise((r) => setTimeout(r, 5));
    // The first message goes at once, the second a second later: a functional check with a wide margin, not a timing benchmark.
    expect(sink.delivered.length).toBe(1);
    while (sink.delivered.length < 2) await new Promise((r) => setTimeout(r, 20));
    await e.whenIdle();
    expect(sink.delivered.map((m) => m.payload)).toEqual([1, 2]);
  });

  it('a template that fails for a message sends that message to the error route and goes on', async () => {
    const e = await run(
      [
        ['gen', 'generate', { count: 4, intervalMs: 0, payload: '$seq = 2 ? $error("boom") : $seq' }],
        ['sink', 'test-sink'],
        ['dead', 'test-sink'],
      ],
      [['gen', 'sink']],
      { errorRoute: 'dead' },
    );
    while (sinks.get('sink')!.delivered.length < 3) await new Promise((r) => setTimeout(r, 5));
    await e.whenIdle();
    expect(sinks.get('sink')!.delivered.map((m) => m.payload)).toEqual([1, 3, 4]);
    expect(sinks.get('dead')!.delivered[0].headers['sluice-error']).toMatch(/payload template: boom/);
    expect(e.counters().gen).toMatchObject({ failed: 1, acked: 4 });
  });
});

describe('transform', () => {
  it('sets payload, topic, key and headers from expressions; a missing result becomes null', async () => {
    const e = await run(
      [
        ['src', 'test-source'],
        [
          'map',
          'transform',
          {
            expression: 'payload.missing',
            topic: '"devices/" & payload.dev',
            key: 'payload.dev',
            headers: '{"unit": "C", "n": payload.n}',
          },
        ],
        ['sink', 'test-sink'],
      ],
      [
        ['src', 'map'],
        ['map', 'sink'],
      ],
    );
    await sources.get('src')!.push({ dev: 'd1', n: 3 }, 'x');
    await e.whenIdle();
    const [m] = sinks.get('sink')!.delivered;
    expect(m).toMatchObject({ id: 'x', topic: 'devices/d1', key: 'd1', payload: null, headers: { unit: 'C', n: '3' } });
  });

  it('a runtime error (type mismatch) fails only that message', async () => {
    const e = await run(
      [
        ['src', 'test-source'],
        ['map', 'transform', { expression: 'payload.a + 1' }],
        ['sink', 'test-sink'],
        ['dead', 'test-sink'],
      ],
      [
        ['src', 'map'],
        ['map', 'sink'],
        ['map:error', 'dead'],
      ],
    );
    const src = sources.get('src')!;
    await src.push({ a: 1 }, 'ok1');
    await src.push({ a: 'text' }, 'bad');
    await src.push({ a: 2 }, 'ok2');
    await e.whenIdle();
    expect(sinks.get('sink')!.delivered.map((m) => m.payload)).toEqual([2, 3]);
    expect(sinks.get('dead')!.delivered[0].headers['sluice-error']).toMatch(
      /left side of the "\+" operator must evaluate to a number/,
    );
  });
});

describe('json', () => {
  it('serialize, toggle and bytes', async () => {
    const e = await run(
      [
        ['src', 'test-source'],
        ['ser', 'json', { action: 'serialize' }],
        ['tog', 'json', { action: 'toggle' }],
        ['a', 'test-sink'],
        ['b', 'test-sink'],
      ],
      [
        ['src', 'ser'],
        ['src', 'tog'],
        ['ser', 'a'],
        ['tog', 'b'],
      ],
    );
    const src = sources.get('src')!;
    await src.push({ x: [1, 'two'] }, 'obj');
    await src.push('{"y":true}', 'text');
    await src.push(new TextEncoder().encode('{"z":1}'), 'bytes');
    await e.whenIdle();
    expect(sinks.get('a')!.delivered.map((m) => m.payload)).toEqual(['{"x":[1,"two"]}', '"{\\"y\\":true}"']);
    expect(e.counters().ser).toMatchObject({ in: 3, out: 2, failed: 1 }); // bytes cannot be serialised as a value
    expect(sinks.get('b')!.delivered.map((m) => m.payload)).toEqual(['{"x":[1,"two"]}', { y: true }, { z: 1 }]);
  });
});

describe('debug', () => {
  it('keeps only the newest messages and truncates large payloads', async () => {
    const e = await run(
      [
        ['src', 'test-source'],
        ['watch', 'debug', { keep: 5, maxPayloadBytes: 64 }],
      ],
      [['src', 'watch']],
    );
    const published: unknown[] = [];
    e.on('event', (ev: { event: string; data: unknown }) => ev.event === 'debug' && published.push(ev.data));
    const src = sources.get('src')!;
    for (let i = 0; i < 12; i++) await src.push({ i }, `m${i}`);
    await src.push('x'.repeat(500), 'big');
    await e.whenIdle();
    const snap = e.snapshot('watch') as {
      count: number;
      messages: Array<{ id: string; payload: unknown; truncated: boolean }>;
    };
    expect(snap.count).toBe(13);
    expect(snap.messages.map((m) => m.id)).toEqual(['m8', 'm9', 'm10', 'm11', 'big']);
    expect(snap.messages[4]).toMatchObject({ truncated: true });
    expect((snap.messages[4].payload as string).length).toBe(64);
    expect(published).toHaveLength(13);
    expect(e.counters().watch).toMatchObject({ in: 13, out: 13 });
  });

  it('shows the headers as received (wire) next to the headers', async () => {
    const e = await run(
      [
        ['src', 'test-source'],
        ['watch', 'debug', {}],
      ],
      [['src', 'watch']],
    );
    const wire = Object.assign(Object.create(null), { site: 'plant-7', tag: ['a', 'b'] });
    await new Promise((settled) =>
      sources
        .get('src')!
        .ctx.ingest(createMessage({ id: 'w', payload: 1, headers: { site: 'plant-7' }, wire }), settled),
    );
    const snap = e.snapshot('watch') as { messages: Array<{ headers: object; wire?: object }> };
    expect(snap.messages[0].headers).toEqual({ site: 'plant-7' });
    expect({ ...snap.messages[0].wire }).toEqual({ site: 'plant-7', tag: ['a', 'b'] });
  });
});
