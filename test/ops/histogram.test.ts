import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from '../../src/ops/histogram.js';
import { parseMetrics, sampleValue } from './metrics-text.js';

describe('FastHistogram', () => {
  it('writes cumulative buckets, +Inf, sum and count per series in the Prometheus text format', async () => {
    const registry = new Registry();
    const h = new FastHistogram('test_seconds', 'A test.', [0.1, 1, 10], registry);
    const a = h.child({ flow: 'f', node: 'a' });
    for (const v of [0.05, 0.1, 0.5, 2, 20]) a.observe(v);
    h.child({ flow: 'f', node: 'b' }).observe(5);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_seconds histogram');
    const s = parseMetrics(text);
    const bucket = (node: string, le: string) => sampleValue(s, 'test_seconds_bucket', { node, le });
    expect([bucket('a', '0.1'), bucket('a', '1'), bucket('a', '10'), bucket('a', '+Inf')]).toEqual([2, 3, 4, 5]);
    expect(sampleValue(s, 'test_seconds_sum', { node: 'a' })).toBeCloseTo(22.65);
    expect(sampleValue(s, 'test_seconds_count', { node: 'a' })).toBe(5);
    expect([bucket('b', '1'), bucket('b', '10'), bucket('b', '+Inf')]).toEqual([0, 1, 1]);
    h.remove({ flow: 'f', node: 'a' });
    const after = parseMetrics(await registry.metrics());
    expect(after.filter((x) => x.labels.node === 'a')).toEqual([]);
    expect(sampleValue(after, 'test_seconds_count', { node: 'b' })).toBe(1);
  });
});
