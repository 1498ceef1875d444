/** examples/stream-demo.json runs as shipped (faster and finite): every stream node does its part, nothing is lost. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.js';
import type { DebugEntry } from '../../../nodes/debug/runtime.js';
import { Engine } from '../../../src/runtime/engine.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

describe('examples/stream-demo.json', () => {
  it('validates, reshapes, reports by exception, dedups and paces; invalid readings reach the error port', async () => {
    const flow = JSON.parse(readFileSync(new URL('../../../examples/stream-demo.json', import.meta.url), 'utf8'));
    const gen = flow.nodes.find((n: { id: string }) => n.id === 'sensors');
    gen.config = { ...gen.config, intervalMs: 0, count: 130 };
    // Paced so the test stays short: at most 50 per device a second.
    flow.nodes.find((n: { id: string }) => n.id === 'pace').config.limit = 50;
    engine = new Engine({ catalog });
    await engine.start(flow);
    while ((engine.counters().sensors.acked ?? 0) < 130) await new Promise((r) => setTimeout(r, 10));
    const c = engine.counters();
    // Every 13th reading has "t": "n/a": 10 of 130 fail validation and go to the error port.
    expect(c.check).toMatchObject({ in: 130, out: 120, failed: 10, inFlight: 0 });
    expect(c.rejected.in).toBe(10);
    const rejected = (engine.snapshot('rejected') as { messages: DebugEntry[] }).messages;
    expect(rejected[0].headers['sluice-error']).toBe('invalid: payload.t must be number');
    expect(c.shape).toMatchObject({ in: 120, out: 120, failed: 0 });
    // Each stage passes at most what it got; what it did not pass it dropped on purpose.
    for (const id of ['changed', 'once', 'pace']) {
      expect(c[id].in, id).toBe(c[id].out + c[id].dropped);
      expect(c[id].failed, id).toBe(0);
    }
    expect(c.changed.out).toBeGreaterThan(0);
    expect(c.changed.dropped).toBeGreaterThan(0);
    expect(c.pace.dropped).toBe(0); // rate-limit waits, never drops
    const reported = (engine.snapshot('out') as { messages: DebugEntry[] }).messages;
    expect(reported.length).toBe(c.pace.out);
    expect(reported[0].topic).toMatch(/^sensors\/dev-\d$/);
    expect(reported[0].headers.site).toBe('plant-1');
    expect(reported[0].payload).toMatchObject({ temp: expect.any(Number), tempF: expect.any(Number) });
    expect(c.sensors).toMatchObject({ acked: 130, nacked: 0, inFlight: 0 });
  });
});
