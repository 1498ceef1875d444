import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { jsonataTruthy } from '../../src/expr/truthy.js';

describe('jsonataTruthy', () => {
  it("matches jsonata's $boolean", async () => {
    const cases: unknown[] = [
      true,
      false,
      0,
      1,
      -2.5,
      Number.NaN,
      '',
      'x',
      null,
      [],
      [0],
      [1],
      [0, 0],
      [0, 1],
      [[], ''],
      {},
      { a: 0 },
      [{}],
      ['', 'a'],
      [[0], [1]],
    ];
    const expr = jsonata('$boolean($v)');
    for (const v of cases) {
      expect(jsonataTruthy(v), JSON.stringify(v)).toBe(Boolean(await expr.evaluate({}, { v })));
    }
    expect(jsonataTruthy(undefined)).toBe(false);
    expect(() => jsonataTruthy(Number.POSITIVE_INFINITY)).toThrow(/infinite/);
  });
});
