/** The public API of src/expr: sync/async results, errors, bindings, syntax checks, isomorphism. */
import { readdirSync, readFileSync } from 'node:fs';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { checkExpression, compileExpression, ExpressionError } from '../../src/expr/index.js';

describe('syntax errors', () => {
  it('compileExpression throws ExpressionError with jsonata code, message and position', () => {
    let error: unknown;
    try {
      compileExpression('payload.(');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'S0203', position: 9, message: 'Expected ")" before end of expression' });
  });

  it('checkExpression reports the same, and null when valid', () => {
    expect(checkExpression('payload.(')).toEqual({ message: 'Expected ")" before end of expression', position: 9 });
    expect(checkExpression('{"a": payload.temp * 2}')).toBeNull();
    expect(checkExpression('"unterminated')).toMatchObject({ message: expect.stringMatching(/String literal/) });
  });
});

describe('evaluate', () => {
  it('returns plain values from the fast path and a Promise from the interpreter', async () => {
    const fast = compileExpression('payload.temp * 2');
    expect(fast.fast).toBe(true);
    expect(fast.source).toBe('payload.temp * 2');
    expect(fast.evaluate({ payload: { temp: 21 } })).toBe(42);
    expect(fast.evaluate({})).toBeUndefined();

    const slow = compileExpression('$map([1, 2], function($v) { $v * 2 })');
    expect(slow.fast).toBe(false);
    const result = slow.evaluate({});
    expect(result).toBeInstanceOf(Promise);
    expect(Array.from((await result) as number[])).toEqual([2, 4]);
  });

  it('rejects with jsonata code, message, position and token', async () => {
    const source = 'payload.temp + "a"';
    const expected = await jsonata(source)
      .evaluate({ payload: { temp: 1 } })
      .catch((e: { code: string; message: string; position: number; token: string }) => e);
    const error = await Promise.resolve(compileExpression(source).evaluate({ payload: { temp: 1 } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExpressionError);
    expect(expected.message).toBe((error as ExpressionError).message);
    expect(error).toMatchObject({
      code: 'T2002',
      message: 'The right side of the "+" operator must evaluate to a number',
      position: expected.position,
      token: '+',
    });
  });

  it('uses bindings, and leaves a binding that replaces a built-in to the interpreter', async () => {
    const expr = compileExpression('payload.temp > $limit and $uppercase(unit) = "C"');
    expect(expr.evaluate({ payload: { temp: 80 }, unit: 'c' }, { limit: 70 })).toBe(true);
    expect(expr.evaluate({ payload: { temp: 60 }, unit: 'c' }, { limit: 70 })).toBe(false);
    const shadowed = expr.evaluate({ payload: { temp: 80 }, unit: 'c' }, { limit: 70, uppercase: 'x' });
    expect(shadowed).toBeInstanceOf(Promise);
    await expect(shadowed).rejects.toMatchObject({ code: 'T1006' });
  });

  it('treats an array input as one value, like jsonata', async () => {
    const input = [{ v: 1 }, { v: 2 }];
    for (const source of ['v', '$[0].v', '$count($)', '$.v']) {
      const expected = await jsonata(source).evaluate(structuredClone(input));
      expect(compileExpression(source).evaluate(structuredClone(input)), source).toEqual(expected);
    }
  });

  it('applies predicates to a value before collapsing it, as jsonata does', async () => {
    // a binding may carry jsonata's sequence flag (e.g. a previous result): [[1, 2]] as a sequence
    const x = Object.assign([[1, 2]], { sequence: true });
    for (const source of ['$x[0]', '$x[-1]', '$x[0][1]', '$x.$', '$count($x)']) {
      const expected = await jsonata(source).evaluate({}, { x });
      expect(compileExpression(source).evaluate({}, { x }), source).toEqual(expected);
    }
  });

  it('gives one timestamp per evaluation to $millis() and $now(), formatted as jsonata does', async () => {
    const before = Date.now();
    const [a, b, now] = compileExpression('[$millis(), $millis(), $now()]').evaluate({}) as [number, number, string];
    expect(a).toBe(b);
    expect(a).toBeGreaterThanOrEqual(before);
    expect(a).toBeLessThanOrEqual(Date.now());
    expect(now).toBe(await jsonata('$fromMillis($m)').evaluate({}, { m: a }));
    for (const m of [0, 951782400000, 1704067199999, 4102444800000]) {
      expect(new Date(m).toISOString()).toBe(await jsonata('$fromMillis($m)').evaluate({}, { m }));
    }
  });

  it('does not evaluate a huge range or regex on the fast path', () => {
    expect(compileExpression('$count([1..n])').evaluate({ n: 100 })).toBe(100);
    expect(compileExpression('$count([1..n])').evaluate({ n: 1_000_000 })).toBeInstanceOf(Promise);
    expect(compileExpression('$contains(s, /a+$/)').fast).toBe(false);
  });
});

describe('isomorphic source', () => {
  it('src/expr imports only relative modules and jsonata', () => {
    const dir = new URL('../../src/expr/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
      for (const s of specifiers) expect(s === 'jsonata' || s!.startsWith('./'), `${file}: ${s}`).toBe(true);
      expect(text, file).not.toMatch(/\bprocess\.|\brequire\(|\bBuffer\b/);
    }
  });
});
