import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';

const open: Sandbox[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.dispose();
});

async function evaluate(code: string, input: unknown = null): Promise<unknown> {
  const s = await createSandbox({ code, timeoutMs: 200, memoryBytes: 16 * 2 ** 20 });
  open.push(s);
  return s.call(input);
}

describe('sandbox isolation: nothing of the host is reachable', () => {
  it.each([
    'process',
    'require',
    'module',
    'exports',
    'Buffer',
    'fetch',
    'XMLHttpRequest',
    'WebSocket',
    'setTimeout',
    'setInterval',
    'setImmediate',
    'queueMicrotask',
    'std',
    'os',
    'WebAssembly',
    'global',
    '__dirname',
    'Deno',
    'Bun',
  ])('%s is not defined', async (name) => {
    expect(await evaluate(`return typeof ${name}`)).toBe('undefined');
  });

  it('the Function-constructor escape finds no process', async () => {
    expect(await evaluate(`return globalThis.constructor.constructor('return typeof process')()`)).toBe('undefined');
    expect(await evaluate(`return (function () {}).constructor('return this')() === globalThis`)).toBe(true);
    expect(
      await evaluate(`return Object.getOwnPropertyNames(this.constructor.constructor('return this')())`),
    ).not.toContain('process');
  });

  it('eval and dynamic import give nothing either', async () => {
    expect(await evaluate(`return eval('typeof require')`)).toBe('undefined');
    // There is no module loader: import() yields a promise that never resolves to a module.
    expect(await evaluate(`let r = 'pending'; import('fs').then(() => { r = 'loaded' }); return r`)).toBe('pending');
  });

  it('the only globals are standard JavaScript plus console', async () => {
    const names = (await evaluate('return Object.getOwnPropertyNames(globalThis)')) as string[];
    const allowed = new Set([
      ...['Object', 'Function', 'Array', 'Number', 'parseFloat', 'parseInt', 'Infinity', 'NaN', 'undefined'],
      ...['Boolean', 'String', 'Symbol', 'Date', 'Promise', 'RegExp', 'Error', 'AggregateError', 'EvalError'],
      ...['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'InternalError', 'globalThis'],
      ...['JSON', 'Math', 'Intl', 'ArrayBuffer', 'SharedArrayBuffer', 'Atomics', 'Uint8Array', 'Int8Array'],
      ...['Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float16Array', 'Float32Array', 'Float64Array'],
      ...['Uint8ClampedArray', 'BigUint64Array', 'BigInt64Array', 'DataView', 'Map', 'BigInt', 'Set', 'WeakMap'],
      ...['WeakSet', 'Proxy', 'Reflect', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent'],
      ...['escape', 'unescape', 'eval', 'isFinite', 'isNaN', 'WeakRef', 'FinalizationRegistry', 'Iterator'],
      'console',
    ]);
    expect(names.filter((n) => !allowed.has(n))).toEqual([]);
  });

  it('the code gets a copy: changing msg inside does not change the host value', async () => {
    const input = { payload: { n: 1 }, list: [1, 2] };
    const out = await evaluate('msg.payload.n = 99; msg.list.push(3); return msg', input);
    expect(out).toEqual({ payload: { n: 99 }, list: [1, 2, 3] });
    expect(input).toEqual({ payload: { n: 1 }, list: [1, 2] });
  });

  it('prototype tampering inside stays inside, and a __proto__ key comes out as plain data', async () => {
    const out = (await evaluate(
      `Object.prototype.polluted = true; Array.prototype.push = null; return JSON.parse('{"__proto__": {"polluted": true}}')`,
    )) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
  });

  it('replacing JSON inside the sandbox does not change what crosses the boundary', async () => {
    const s = await createSandbox({
      code: `JSON.stringify = () => 'not json'; JSON.parse = () => 'forged'; return msg`,
      timeoutMs: 100,
      memoryBytes: 16 * 2 ** 20,
    });
    open.push(s);
    expect(await s.call({ a: 1 })).toEqual({ a: 1 });
    expect(await s.call({ b: [2] })).toEqual({ b: [2] });
  });

  it('each sandbox has its own globals', async () => {
    const a = await createSandbox({
      code: 'globalThis.owner = msg; return globalThis.owner',
      timeoutMs: 100,
      memoryBytes: 2 ** 24,
    });
    const b = await createSandbox({ code: 'return typeof globalThis.owner', timeoutMs: 100, memoryBytes: 2 ** 24 });
    open.push(a, b);
    expect(await a.call('a')).toBe('a');
    expect(await b.call(null)).toBe('undefined');
  });
});
