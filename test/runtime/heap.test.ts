import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWING_PERCENT, limitHeapGrowth } from '../../src/runtime/heap.js';

describe('limitHeapGrowth', () => {
  it('applies the default, an override, or nothing for 0', () => {
    expect(limitHeapGrowth({})).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(limitHeapGrowth({ SLUICE_HEAP_GROWING_PERCENT: '80' })).toBe(80);
    expect(limitHeapGrowth({ SLUICE_HEAP_GROWING_PERCENT: '0' })).toBeUndefined();
  });

  it('refuses a value that is not a whole percentage', () => {
    for (const bad of ['-1', '2.5', 'half', '5000']) {
      expect(() => limitHeapGrowth({ SLUICE_HEAP_GROWING_PERCENT: bad })).toThrow(
        /SLUICE_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000/,
      );
    }
  });

  it('names a flag this V8 knows (an unknown flag would be ignored without a word)', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options).toMatch(/--heap-growing-percent\b/);
  });
});
