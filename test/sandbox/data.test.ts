import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, SandboxError } from '../../src/sandbox/index.js';

let echo: Sandbox;
beforeAll(async () => {
  echo = await createSandbox({ code: 'return msg', timeoutMs: 100, memoryBytes: 16 * 2 ** 20 });
});
afterAll(() => echo.dispose());

async function run(code: string, input: unknown = null): Promise<unknown> {
  const s = await createSandbox({ code, timeoutMs: 100, memoryBytes: 16 * 2 ** 20 });
  try {
    return await s.call(input);
  } finally {
    s.dispose();
  }
}

describe('sandbox data: JSON in, JSON out', () => {
  it.each([
    ['null', null],
    ['true', true],
    ['zero', 0],
    ['a float', 1.5],
    ['2^53', 2 ** 53],
    ['the largest double', Number.MAX_VALUE],
    ['the smallest double', 5e-324],
    ['a negative exponent', -1e-7],
    ['an empty string', ''],
    ['unicode', 'ünïcødé 日本語 😀 𝄞'],
    ['a lone surrogate', '\ud800 lone \udfff'],
    ['control and separator characters', 'a\u0000b\u001f\u2028\u2029"\\/'],
    ['an empty array', []],
    ['an empty object', {}],
    ['nested arrays', [1, [2, [3, [null, 'x']]]]],
    ['odd keys', { '': 1, 'a b': 2, '😀': 3, constructor: 4, toString: 5, __proto__x: 6 }],
    ['a message', { id: 'm1', topic: 'a/b', payload: { temp: 21.5, tags: ['x'] }, headers: { h: 'v' }, timestamp: 1 }],
  ])('%s round-trips exactly', async (_name, value) => {
    expect(await echo.call(value)).toStrictEqual(value);
  });

  it('a deep structure round-trips', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = { level: i, child: deep };
    expect(await echo.call(deep)).toStrictEqual(deep);
  });

  it('a 1 MB payload round-trips', async () => {
    const big = { rows: Array.from({ length: 10_000 }, (_, i) => ({ i, name: `row ${i}`, v: i / 7 })) };
    expect(await echo.call(big)).toStrictEqual(big);
  });

  it('follows JSON rules for values JSON cannot hold', async () => {
    expect(await echo.call(-0)).toBe(0);
    expect(await echo.call({ a: undefined, b: 1 })).toStrictEqual({ b: 1 });
    expect(
      await run('return [NaN, Infinity, -Infinity, undefined, () => 1, Symbol("s"), new Date(0), /x/g]'),
    ).toStrictEqual([null, null, null, null, null, null, '1970-01-01T00:00:00.000Z', {}]);
    expect(await run('return { f() {}, u: undefined, n: null }')).toStrictEqual({ n: null });
  });

  it('returns undefined for no result, undefined input stays undefined', async () => {
    expect(await run('return undefined')).toBeUndefined();
    expect(await run('')).toBeUndefined();
    expect(await run('return () => 1')).toBeUndefined();
    const s = await createSandbox({ code: 'return typeof msg', timeoutMs: 100, memoryBytes: 2 ** 24 });
    expect(await s.call(undefined)).toBe('undefined');
    s.dispose();
  });

  it('a result JSON cannot express fails as a user error', async () => {
    const circular = await run('const a = {}; a.self = a; return a').catch((e: unknown) => e);
    expect(circular).toBeInstanceOf(SandboxError);
    expect((circular as SandboxError).kind).toBe('user');
    expect((circular as SandboxError).message).toMatch(/circular/);
    const bigint = await run('return { n: 10n }').catch((e: unknown) => e);
    expect((bigint as SandboxError).kind).toBe('user');
    expect((bigint as SandboxError).message).toMatch(/BigInt/);
  });

  it('toJSON inside the sandbox is honoured', async () => {
    expect(await run('return { toJSON() { return { shaped: msg } } }', 7)).toStrictEqual({ shaped: 7 });
  });

  it('concurrent calls each get their own result', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => echo.call({ i })));
    expect(results).toStrictEqual(Array.from({ length: 50 }, (_, i) => ({ i })));
  });
});
