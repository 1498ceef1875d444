/**
 * A flow with a function node: the sandbox pool's worker threads must neither end the process before the flow
 * started (an idle, unref'd worker starting up) nor keep it alive after the flow stopped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const flow = {
  format: 'sluice/flow@1',
  id: 'fn-exit',
  name: 'function then exit',
  nodes: [
    { id: 'gen', type: 'generate', config: { intervalMs: 20, count: 5, payload: '{"n": $seq}' } },
    { id: 'fn', type: 'function', config: { code: 'return { payload: msg.payload.n * 2 };', timeoutMs: 1000 } },
    { id: 'dbg', type: 'debug', config: {} },
  ],
  edges: [
    { source: 'gen', sourcePort: 'out', target: 'fn', targetPort: 'in' },
    { source: 'fn', sourcePort: 'out', target: 'dbg', targetPort: 'in' },
  ],
};

describe('sluice run with a function node', () => {
  it('runs the flow for its duration, then drains and exits 0 on its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-fn-exit-'));
    const file = join(dir, 'flow.json');
    writeFileSync(file, JSON.stringify(flow));
    const started = Date.now();
    const r = await runCli(['run', file, '--duration', '3000'], { timeoutMs: 60_000 });
    const tookMs = Date.now() - started;
    expect(r.code).toBe(0);
    const stopped = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg?: string; counters?: Record<string, { in: number; out: number }> })
      .find((l) => l.msg === 'stopped');
    expect(stopped?.counters?.fn).toMatchObject({ in: 5, out: 5 });
    // It stopped because of --duration (not earlier) and exited without a second signal (well before the kill).
    expect(tookMs).toBeGreaterThanOrEqual(3000);
    expect(tookMs).toBeLessThan(50_000);
  }, 70_000);
});
