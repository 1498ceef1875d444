import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, SandboxError, type SandboxLogLevel } from '../../src/sandbox/index.js';

const open: Sandbox[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.dispose();
});

async function sandbox(code: string, log?: (level: SandboxLogLevel, text: string) => void, extra = {}) {
  const s = await createSandbox({ code, timeoutMs: 100, memoryBytes: 16 * 2 ** 20, log, ...extra });
  open.push(s);
  return s;
}

async function failure(p: Promise<unknown>): Promise<SandboxError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxError);
  return err as SandboxError;
}

describe('sandbox errors', () => {
  it('a syntax error rejects createSandbox with the line and column in the user code', async () => {
    const err = await failure(
      createSandbox({ code: 'const a = 1;\nlet = = 2;', timeoutMs: 100, memoryBytes: 2 ** 24 }),
    );
    expect(err.kind).toBe('syntax');
    expect(err.message).toMatch(/^SyntaxError: /);
    expect(err.line).toBe(2);
    expect(err.column).toBe(7);
  });

  it('code that closes the wrapper is a syntax error, not an escape', async () => {
    const err = await failure(createSandbox({ code: '}); (function () {', timeoutMs: 100, memoryBytes: 2 ** 24 }));
    expect(err.kind).toBe('syntax');
  });

  it('a throw is a user error with its message, line and the user frames', async () => {
    const s = await sandbox(
      'const t = msg.t;\nreturn check(t);\nfunction check(v) {\n  if (v > 3) throw new RangeError("too hot: " + v);\n  return v;\n}',
    );
    expect(await s.call({ t: 2 })).toBe(2);
    const err = await failure(s.call({ t: 9 }));
    expect(err.kind).toBe('user');
    expect(err.message).toBe('RangeError: too hot: 9');
    expect(err.line).toBe(4);
    expect(err.userStack?.split('\n')).toEqual([
      expect.stringMatching(/^at check \(line 4:\d+\)$/),
      expect.stringMatching(/line 2:\d+\)$/),
    ]);
    expect(await s.call({ t: 1 })).toBe(1);
    expect(s.resets).toBe(0);
  });

  it('runtime type errors carry the position', async () => {
    const s = await sandbox('\n\nreturn msg.payload.temp;');
    const err = await failure(s.call({}));
    expect(err.message).toMatch(/^TypeError: .*temp/);
    expect(err.line).toBe(3);
  });

  it('throwing a non-Error value gives that value as the message', async () => {
    expect((await failure((await sandbox('throw "plain text"')).call(1))).message).toBe('plain text');
    expect((await failure((await sandbox('throw { code: 42 }')).call(1))).message).toBe('{"code":42}');
  });

  it('a getter that loops on the thrown error is stopped by the time limit', async () => {
    const s = await sandbox('throw { get message() { while (true) {} } }');
    expect((await failure(s.call(1))).kind).toBe('timeout');
  });

  it('calling a disposed sandbox rejects', async () => {
    const s = await sandbox('return 1');
    s.dispose();
    await expect(s.call(1)).rejects.toThrow(/disposed/);
  });
});

describe('sandbox log forwarding', () => {
  it('forwards console levels and formats values', async () => {
    const lines: Array<[SandboxLogLevel, string]> = [];
    const s = await sandbox(
      `console.log('hello', msg, 3, null); console.info('i'); console.debug('d'); console.warn('w'); console.error(new TypeError('bad'));\nreturn 1`,
      (level, text) => lines.push([level, text]),
    );
    await s.call({ a: [1] });
    expect(lines).toEqual([
      ['info', 'hello {"a":[1]} 3 null'],
      ['info', 'i'],
      ['debug', 'd'],
      ['warn', 'w'],
      ['error', 'TypeError: bad'],
    ]);
  });

  it('cuts long lines and caps the lines per call', async () => {
    const lines: string[] = [];
    const s = await sandbox(
      `for (let i = 0; i < msg; i++) console.log('x'.repeat(5000)); return 1`,
      (_level, text) => lines.push(text),
      { maxLogChars: 100, maxLogLines: 5 },
    );
    await s.call(20);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(`${'x'.repeat(100)}... (truncated)`);
    expect(lines[5]).toMatch(/log limit reached/);
    // The cap is per call.
    lines.length = 0;
    await s.call(2);
    expect(lines).toHaveLength(2);
  });

  it('a logger that throws does not fail the call; no logger is fine', async () => {
    const s = await sandbox(`console.log('x'); return 'done'`, () => {
      throw new Error('logger down');
    });
    expect(await s.call(1)).toBe('done');
    expect(await (await sandbox(`console.log('x'); return 'ok'`)).call(1)).toBe('ok');
  });

  it('the code cannot reach the host log function other than through console', async () => {
    const s = await sandbox(`return Object.getOwnPropertyNames(globalThis).filter((n) => /log/i.test(n))`, () => {});
    expect(await s.call(1)).toEqual([]);
  });

  it('setup code runs once per context before the user code', async () => {
    const s = await sandbox('return helper(msg)', undefined, { setup: 'globalThis.helper = (v) => v * 2;' });
    expect(await s.call(21)).toBe(42);
  });
});
