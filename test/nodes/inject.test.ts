/**
 * The inject node (nodes/inject): its button (Engine.trigger), once at start, on an interval; JSON, text and
 * timestamp payloads; every message settled and counted like a source's own. And the debug node's on/off switch
 * (Engine.setActive), which the editor's button on the debug node uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { inject } from '../../nodes/inject/definition.js';
import { Engine, type NodeEvent } from '../../src/runtime/engine.js';
import { StartupError } from '../../src/runtime/errors.js';
import { findNodeType } from '../../src/spec/node-definition.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../support/test-nodes.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

async function run(nodes: Parameters<typeof flowOf>[0], edges: Parameters<typeof flowOf>[1]) {
  engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  await engine.start(flowOf(nodes, edges));
  return engine;
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('inject', () => {
  it('is in the catalogue as a source with one output', () => {
    const def = findNodeType(catalog, 'inject');
    expect(def?.category).toBe('source');
    expect(def?.inputs).toEqual([]);
  });

  it('its button sends the configured JSON payload, topic and key, a fresh copy each time, and says how it ended', async () => {
    const e = await run(
      [
        ['btn', 'inject', { payload: '{"device": "dev-1", "temp": 21.5}', topic: 'lab/t', key: 'dev-1' }],
        // The sink changes what it gets: the next press must not carry that change.
        ['sink', 'test-sink', { mutate: true }],
      ],
      [['btn', 'sink']],
    );
    const sink = sinks.get('sink')!;
    // Nothing is sent on its own (no once-at-start, no interval).
    await new Promise((r) => setTimeout(r, 150));
    expect(sink.delivered).toHaveLength(0);
    expect(await e.trigger('btn')).toEqual({ ok: true });
    expect(await e.trigger('btn')).toEqual({ ok: true });
    expect(sink.delivered).toHaveLength(2);
    const [first, second] = sink.delivered;
    expect(first).toMatchObject({ topic: 'lab/t', key: 'dev-1' });
    expect(second.payload).toMatchObject({ device: 'dev-1', temp: 21.5 });
    expect(first.id).not.toBe(second.id);
    expect(JSON.stringify(second.payload)).toBe(JSON.stringify(first.payload));
    expect(e.counters().btn).toMatchObject({ out: 2, acked: 2 });
    expect(e.snapshot('btn')).toEqual({ sent: 2, delivered: 2, failed: 0 });
  });

  it('a message that fails downstream is reported to the button and counted as failed', async () => {
    const e = await run(
      [
        ['btn', 'inject', { payload: '{"fail": true}' }],
        ['sink', 'test-sink', { failKind: 'deterministic' }],
      ],
      [['btn', 'sink']],
    );
    const outcome = await e.trigger('btn');
    expect(outcome.ok && outcome.dropped === undefined).toBe(false);
    expect(e.snapshot('btn')).toEqual({ sent: 1, delivered: 0, failed: 1 });
  });

  it('sends text as it is and a timestamp as the time it is sent', async () => {
    const e = await run(
      [
        ['text', 'inject', { payloadType: 'text', payload: 'hello {not json' }],
        ['time', 'inject', { payloadType: 'timestamp' }],
        ['sink', 'test-sink'],
      ],
      [
        ['text', 'sink'],
        ['time', 'sink'],
      ],
    );
    const before = Date.now();
    await e.trigger('text');
    await e.trigger('time');
    const [text, time] = sinks.get('sink')!.delivered;
    expect(text.payload).toBe('hello {not json');
    expect(typeof time.payload).toBe('number');
    expect(time.payload as number).toBeGreaterThanOrEqual(before);
    expect(time.payload as number).toBeLessThanOrEqual(Date.now());
  });

  it('sends once at start after the delay, then on its interval', async () => {
    const e = await run(
      [
        ['once', 'inject', { payload: '"once"', onceAtStart: true, onceDelayMs: 400 }],
        ['tick', 'inject', { payload: '"tick"', intervalMs: 50 }],
        ['sink', 'test-sink'],
      ],
      [
        ['once', 'sink'],
        ['tick', 'sink'],
      ],
    );
    const sink = sinks.get('sink')!;
    const got = (p: string) => sink.delivered.filter((m) => m.payload === p).length;
    // A functional check with a wide margin, not a timing benchmark: the once message waits for its delay.
    expect(got('once')).toBe(0);
    await until(() => got('tick') >= 4 && got('once') === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(got('once')).toBe(1);
    await e.stop({ deadlineMs: 1000 });
    const ticks = e.snapshot('tick') as { sent: number; delivered: number };
    // Every message it sent settled before the flow stopped.
    expect(ticks.delivered).toBe(ticks.sent);
    expect(e.counters().tick).toMatchObject({ out: ticks.sent, acked: ticks.sent });
  });

  it('a JSON payload that does not parse is a validation error naming the field; text takes it', () => {
    const lint = inject.lint!;
    const base = {
      payloadType: 'json',
      payload: '{oops',
      onceAtStart: false,
      onceDelayMs: 100,
      intervalMs: 0,
    } as const;
    expect(lint(base)).toEqual([
      expect.objectContaining({ path: '/payload', message: expect.stringMatching(/not JSON/) }),
    ]);
    expect(lint({ ...base, payloadType: 'text' })).toEqual([]);
  });

  it('a flow with a broken JSON payload does not start', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    const start = engine.start(
      flowOf(
        [
          ['btn', 'inject', { payload: '{oops' }],
          ['sink', 'test-sink'],
        ],
        [['btn', 'sink']],
      ),
    );
    await expect(start).rejects.toBeInstanceOf(StartupError);
  });

  it('only a node with a button can be pressed', async () => {
    const e = await run(
      [
        ['src', 'test-source'],
        ['sink', 'test-sink'],
      ],
      [['src', 'sink']],
    );
    expect(() => e.trigger('src')).toThrow(/node "src" \(test-source\) has no button/);
    expect(() => e.trigger('nope')).toThrow(/not in the running flow/);
  });
});

describe('debug on/off (the button on the debug node)', () => {
  it('off: takes its messages (acknowledged) but neither keeps nor publishes them, and says so; on again: it does', async () => {
    const e = await run(
      [
        ['src', 'test-source'],
        ['dbg', 'debug', { keep: 10 }],
      ],
      [['src', 'dbg']],
    );
    const shown: unknown[] = [];
    e.on('event', (ev: NodeEvent) => {
      if (ev.event === 'debug') shown.push((ev.data as { payload: unknown }).payload);
    });
    const src = sources.get('src')!;
    await src.push({ n: 1 });
    e.setActive('dbg', false);
    expect(e.statuses().dbg).toEqual({ state: 'idle', reason: 'off (not shown in the debug panel)' });
    await src.push({ n: 2 });
    e.setActive('dbg', true);
    expect(e.statuses().dbg).toEqual({ state: 'running' });
    await src.push({ n: 3 });
    await e.whenIdle();
    expect(shown).toEqual([{ n: 1 }, { n: 3 }]);
    const snap = e.snapshot('dbg') as { active: boolean; messages: Array<{ payload: unknown }> };
    expect(snap.active).toBe(true);
    expect(snap.messages.map((m) => m.payload)).toEqual([{ n: 1 }, { n: 3 }]);
    // The message it did not show was still delivered: its source acknowledged it.
    expect(e.counters().src).toMatchObject({ acked: 3 });
  });

  it('a flow saved with active: false starts off', async () => {
    const e = await run(
      [
        ['src', 'test-source'],
        ['dbg', 'debug', { active: false }],
      ],
      [['src', 'dbg']],
    );
    expect(e.statuses().dbg).toEqual({ state: 'idle', reason: 'off (not shown in the debug panel)' });
    await sources.get('src')!.push({ n: 1 });
    await e.whenIdle();
    expect((e.snapshot('dbg') as { count: number; active: boolean }).active).toBe(false);
    expect((e.snapshot('dbg') as { count: number }).count).toBe(0);
    expect(() => e.setActive('src', false)).toThrow(/cannot be switched on or off/);
  });
});
