/**
 * The interpreter's guards: jsonata 2.2.2 reads the options `timeout` and `stack` (unknown keys are ignored
 * silently, so these tests prove the keys are wired). A failed evaluation must not affect the next one.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from '../../src/expr/index.js';

// not a tail call (`1 + ...`), so every level nests deeper
const RECURSION = '($f := function($n){ $n > 0 ? 1 + $f($n - 1) : 0 }; $f(n))';
// a tail call: jsonata runs it as a loop, so only the time limit stops it
const LOOP = '($f := function($n){ $n = 0 ? 0 : $f($n - 1) }; $f(n))';

async function errorOf(result: unknown): Promise<ExpressionError> {
  expect(result).toBeInstanceOf(Promise);
  const error = await (result as Promise<unknown>).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExpressionError);
  return error as ExpressionError;
}

describe('depth guard (maxDepth -> jsonata `stack`)', () => {
  it('stops deep recursion with D1011', async () => {
    const expr = compileExpression(RECURSION);
    expect(expr.fast).toBe(false);
    const error = await errorOf(expr.evaluate({ n: 100_000 }));
    expect(error.code).toBe('D1011');
    expect(error.message).toMatch(/^Stack overflow/);
  });

  it('is the configured limit: shallow enough recursion passes, and 0 disables it', async () => {
    expect(await compileExpression(RECURSION, { maxDepth: 500 }).evaluate({ n: 20 })).toBe(20);
    expect((await errorOf(compileExpression(RECURSION, { maxDepth: 500 }).evaluate({ n: 2000 }))).code).toBe('D1011');
    expect(await compileExpression(RECURSION, { maxDepth: 0 }).evaluate({ n: 2000 })).toBe(2000);
  });

  it('does not count tail calls, which jsonata turns into a loop', async () => {
    const tail = compileExpression('($f := function($n){ $n > 0 ? $f($n-1) : 0 }; $f(20000))');
    expect(await tail.evaluate({})).toBe(0);
  });

  it('keeps deeply nested expressions off the fast path, where only the interpreter can refuse them', async () => {
    const nested = `${'('.repeat(600)}1${')'.repeat(600)}`;
    expect(compileExpression(nested).fast).toBe(false);
    expect((await errorOf(compileExpression(nested).evaluate({}))).code).toBe('D1011');
    expect(compileExpression(nested, { maxDepth: 0 }).fast).toBe(true);
    expect(compileExpression(nested, { maxDepth: 0 }).evaluate({})).toBe(1);
  });
});

describe('time guard (timeoutMs -> jsonata `timeout`)', () => {
  it('stops a long evaluation with D1012', async () => {
    const error = await errorOf(compileExpression(LOOP, { timeoutMs: 100 }).evaluate({ n: 1e7 }));
    expect(error.code).toBe('D1012');
    expect(error.message).toBe('Evaluation timeout after 100 milliseconds. Check for infinite loop');
  });

  it('defaults to 1000 ms', async () => {
    const error = await errorOf(compileExpression(LOOP).evaluate({ n: 1e8 }));
    expect(error.message).toBe('Evaluation timeout after 1000 milliseconds. Check for infinite loop');
  });
});

describe('a failed evaluation does not poison the next', () => {
  it('after a depth error', async () => {
    const expr = compileExpression(RECURSION);
    expect((await errorOf(expr.evaluate({ n: 100_000 }))).code).toBe('D1011');
    expect(await expr.evaluate({ n: 10 })).toBe(10);
  });

  it('after a timeout', async () => {
    const expr = compileExpression(LOOP, { timeoutMs: 50 });
    expect((await errorOf(expr.evaluate({ n: 1e7 }))).code).toBe('D1012');
    expect(await expr.evaluate({ n: 5 })).toBe(0);
  });

  it('after a type error on the fast path', async () => {
    const expr = compileExpression('payload.temp > 70');
    expect(expr.fast).toBe(true);
    expect((await errorOf(expr.evaluate({ payload: { temp: 'hot' } }))).code).toBe('T2009');
    expect(expr.evaluate({ payload: { temp: 80 } })).toBe(true);
  });
});

describe('options', () => {
  it('refuses negative or non-finite limits', () => {
    expect(() => compileExpression('1', { timeoutMs: -1 })).toThrow(RangeError);
    expect(() => compileExpression('1', { maxDepth: Number.NaN })).toThrow(RangeError);
  });
});

describe('object constructors and prototypes', () => {
  it('build objects without a prototype in which "__proto__" and "constructor" are plain own keys', () => {
    for (const source of [
      '{"__proto__": {"polluted": true}, "constructor": 1}',
      '{("__" & "proto__"): {"polluted": true}}',
    ]) {
      const expr = compileExpression(source);
      expect(expr.fast, source).toBe(true);
      const out = expr.evaluate({}) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out), source).toBeNull();
      expect(Object.hasOwn(out, '__proto__'), source).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    const mapping = compileExpression('{"device": name, "tempF": temp * 1.8 + 32}').evaluate({ name: 'd1', temp: 20 });
    expect(Object.getPrototypeOf(mapping)).toBeNull();
    expect(JSON.stringify(mapping)).toBe('{"device":"d1","tempF":68}');
  });
});
