import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, SandboxError } from '../../src/sandbox/index.js';

const MB = 2 ** 20;
const open: Sandbox[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.dispose();
});

async function sandbox(code: string, opts: { timeoutMs?: number; memoryBytes?: number; stackBytes?: number } = {}) {
  const s = await createSandbox({
    code,
    timeoutMs: opts.timeoutMs ?? 100,
    memoryBytes: opts.memoryBytes ?? 16 * MB,
    ...opts,
  });
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

// The input selects the behaviour, so one compiled sandbox shows both the failure and the recovery.
const MODES = `
  if (msg === 'loop') { while (true) {} }
  if (msg === 'loop-catch') { try { while (true) {} } catch (e) { return 'caught' } }
  if (msg === 'bytes') { return new Uint8Array(64 * 1024 * 1024).length }
  if (msg === 'objects') { const a = []; for (;;) a.push({ i: a.length, s: 'item ' + a.length }) }
  if (msg === 'recurse') { const f = (n) => f(n + 1) + 1; return f(0) }
  if (msg === 'count') { globalThis.n = (globalThis.n || 0) + 1; return globalThis.n }
  return 'ok:' + msg;
`;

describe('sandbox limits', () => {
  it('interrupts an endless loop at the time limit, uncatchably, and the next call works', async () => {
    const s = await sandbox(MODES, { timeoutMs: 50 });
    const err = await failure(s.call('loop'));
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('timed out after 50 ms');
    // A try/catch in the code cannot swallow the interrupt.
    expect((await failure(s.call('loop-catch'))).kind).toBe('timeout');
    expect(await s.call('next')).toBe('ok:next');
    expect(s.resets).toBe(2);
    // Only the context was rebuilt, in the same WebAssembly module.
    expect(s.modules).toBe(1);
  });

  it('rebuilds the context after a timeout: state the code kept is gone', async () => {
    const s = await sandbox(MODES, { timeoutMs: 50 });
    expect(await s.call('count')).toBe(1);
    expect(await s.call('count')).toBe(2);
    await failure(s.call('loop'));
    expect(await s.call('count')).toBe(1);
  });

  it('fails a huge allocation at the memory limit and recovers', async () => {
    const s = await sandbox(MODES, { memoryBytes: 16 * MB, timeoutMs: 5000 });
    const err = await failure(s.call('bytes'));
    expect(err.kind).toBe('memory');
    expect(err.message).toBe('out of memory (limit 16 MB)');
    expect(await s.call('after')).toBe('ok:after');
  });

  it('fails a growing heap of small objects at the memory limit and recovers', async () => {
    const s = await sandbox(MODES, { memoryBytes: 8 * MB, timeoutMs: 10_000 });
    expect((await failure(s.call('objects'))).kind).toBe('memory');
    expect(await s.call('after')).toBe('ok:after');
    expect(s.resets).toBe(1);
    expect(s.modules).toBe(1);
  });

  it('allows what fits: 8 MB of bytes with a 32 MB limit', async () => {
    const s = await sandbox('return new Uint8Array(8 * 1024 * 1024).length', { memoryBytes: 32 * MB });
    expect(await s.call(null)).toBe(8 * MB);
  });

  it('reports runaway recursion as a stack overflow without resetting', async () => {
    const s = await sandbox(MODES);
    const err = await failure(s.call('recurse'));
    expect(err.kind).toBe('user');
    expect(err.message).toMatch(/stack overflow/);
    expect(await s.call('after')).toBe('ok:after');
    expect(s.resets).toBe(0);
  });

  it('survives the host stack running out first (stack limit set too high): the module is replaced', async () => {
    // 1 MB of QuickJS stack is more than the host thread can hold, so V8 overflows inside the WebAssembly.
    const s = await sandbox(MODES, { stackBytes: MB, timeoutMs: 5000 });
    expect(await s.call('count')).toBe(1);
    const err = await failure(s.call('recurse'));
    expect(err.kind).toBe('user');
    expect(err.message).toMatch(/stack overflow/);
    expect(s.resets).toBe(1);
    // The faulted module is replaced on the next call; the state the code kept went with it.
    expect(await s.call('count')).toBe(1);
    expect(s.modules).toBe(2);
    expect(await s.call('after')).toBe('ok:after');
  });

  it('recovers after every kind of failure in a row', async () => {
    const s = await sandbox(`if (msg === 'throw') throw new Error('nope');\n${MODES}`, { timeoutMs: 50 });
    for (const mode of ['loop', 'bytes', 'recurse', 'throw', 'loop', 'bytes']) {
      await failure(s.call(mode));
      expect(await s.call(mode.length)).toBe(`ok:${mode.length}`);
    }
  });

  it('rejects invalid limits', async () => {
    await expect(createSandbox({ code: 'return 1', timeoutMs: 0, memoryBytes: MB })).rejects.toThrow(/timeoutMs/);
    await expect(createSandbox({ code: 'return 1', timeoutMs: 10, memoryBytes: 0 })).rejects.toThrow(/memoryBytes/);
    await expect(
      createSandbox({ code: 'return 1', timeoutMs: 10, memoryBytes: MB, stackBytes: 16 * MB }),
    ).rejects.toThrow(/stackBytes/);
  });
});
