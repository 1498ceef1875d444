import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedSandbox, type IsolatedSandbox, SandboxError, SandboxPool } from '../../src/sandbox/index.js';

const MB = 2 ** 20;
const LIMIT_MS = 100;
const MARGIN_MS = 25;
/** The goal of issue 10: no call exceeds its limit by more than 50 ms + the margin. */
const BOUND_MS = LIMIT_MS + 50 + MARGIN_MS;
/** ... and the event loop never blocks longer than 50 ms + the margin. */
const LOOP_BOUND_MS = 50 + MARGIN_MS;

// Each entry escaped the in-process time limit (issue 10, fault 4) or is a classic way to hang an engine.
const CORPUS: Record<string, string> = {
  'endless loop': 'for (;;) {}',
  'endless loop that catches': 'for (;;) { try { for (;;) {} } catch (e) {} }',
  'arrays of a million': 'const a = []; for (;;) a.push(new Array(1e6).fill(1));',
  'recursion catching its own stack overflow': 'function f() { try { f(); } catch (e) { f(); } } f();',
  'a huge bigint': 'return String(10n ** 10000000n).length;',
  'a string doubling': "let s = 'x'; for (;;) s += s;",
  'a huge repeat': "return 'ab'.repeat(2 ** 28).length;",
  'a catastrophic regex': "return /^(a+)+$/.test('a'.repeat(40) + 'b');",
  'a sort that never ends': 'const a = Array.from({ length: 2e5 }, (_, i) => i); for (;;) a.sort((x, y) => y - x);',
};

// One sandbox runs the whole corpus: the input picks the case, so recovery after each one is shown too.
const CODE = `
const cases = {
${Object.entries(CORPUS)
  .map(([name, body]) => `  ${JSON.stringify(name)}: () => { ${body} },`)
  .join('\n')}
};
if (msg === 'count') { globalThis.n = (globalThis.n || 0) + 1; return globalThis.n; }
if (cases[msg]) return cases[msg]();
return 'ok:' + msg;
`;

let pool: SandboxPool;
// Workers started from TypeScript sources load tsx first: seconds on a busy machine.
beforeAll(async () => {
  pool = new SandboxPool({ size: 1, marginMs: MARGIN_MS });
  pool.warm();
  await pool.ready();
}, 120_000);
afterAll(() => pool.close());

async function open(code: string, opts: { timeoutMs?: number; memoryBytes?: number } = {}): Promise<IsolatedSandbox> {
  return createIsolatedSandbox(
    { code, timeoutMs: opts.timeoutMs ?? LIMIT_MS, memoryBytes: opts.memoryBytes ?? 16 * MB },
    pool,
  );
}

async function failure(p: Promise<unknown>): Promise<SandboxError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxError);
  return err as SandboxError;
}

describe('sandbox in a worker: stopped hard at its limit', () => {
  it('ends every escape of the corpus within limit + 50 ms + margin, and the event loop stays responsive', {
    timeout: 120_000,
    // Timing on a shared machine: other processes can starve this one for a moment. Figures print on every try.
    retry: 2,
  }, async () => {
    const s = await open(CODE);
    expect(await s.call('warm')).toBe('ok:warm');
    const figures: Array<{ name: string; message: string; took: number; ran: number; maxDelayMs: number }> = [];
    for (const name of Object.keys(CORPUS)) {
      // A kill starts a replacement worker: timing starts once it is ready (the limit is on running code).
      await pool.ready();
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const start = performance.now();
      const err = await failure(s.call(name));
      const took = performance.now() - start;
      delay.disable();
      figures.push({ name, message: err.message, took, ran: s.lastRunMs ?? Number.NaN, maxDelayMs: delay.max / 1e6 });
      // The sandbox keeps working after each one.
      expect(await s.call(name.length)).toBe(`ok:${name.length}`);
    }
    console.log(
      `escape corpus (limit ${LIMIT_MS} ms, margin ${MARGIN_MS} ms):\n${figures
        .map(
          (f) =>
            `  ${f.name}: "${f.message}" after running ${f.ran.toFixed(0)} ms (${f.took.toFixed(0)} ms since the call), ` +
            `event-loop delay max ${f.maxDelayMs.toFixed(1)} ms`,
        )
        .join('\n')}`,
    );
    for (const f of figures) {
      // A limit, or QuickJS's own cap on a string's length (a user error: it can be caught, and it ends the call).
      expect(f.message, f.name).toMatch(
        /^(timed out after 100 ms|out of memory \(limit 16 MB\)|InternalError: string too long)$/,
      );
      // From the moment the code started in its worker to the failure here. On an idle machine the time since the
      // call is within a few ms of it; on a saturated one the worker may wait for a CPU before it starts.
      expect(f.ran, f.name).toBeLessThan(BOUND_MS);
      expect(f.maxDelayMs, f.name).toBeLessThan(LOOP_BOUND_MS);
    }
  });

  it('a kill replaces the worker; another sandbox on it gets its queued calls answered, its state rebuilt', {
    timeout: 120_000,
  }, async () => {
    const victim = await open(CODE);
    const other = await open(CODE);
    expect(await other.call('count')).toBe(1);
    expect(await other.call('count')).toBe(2);
    const killsBefore = pool.kills;
    await pool.ready();
    // Queued behind the hostile call in the same worker.
    const hostile = failure(victim.call('a huge bigint'));
    const behind = [other.call('a'), other.call('count'), other.call('b')];
    expect((await hostile).kind).toBe('timeout');
    expect(await Promise.all(behind)).toEqual(['ok:a', 1, 'ok:b']);
    expect(pool.kills).toBe(killsBefore + 1);
    expect(await victim.call('after')).toBe('ok:after');
  });

  it('a short limit is enforced on time while a check for a longer limit is pending on the same worker', {
    timeout: 120_000,
    retry: 2,
  }, async () => {
    // The watchdog keeps one timer per limit (not one per call): after this call it waits ~5 s to check again.
    const slow = await open('return msg', { timeoutMs: 5000 });
    expect(await slow.call(1)).toBe(1);
    const s = await open(CODE);
    await pool.ready();
    const killsBefore = pool.kills;
    const err = await failure(s.call('a huge bigint'));
    expect(err.message).toBe('timed out after 100 ms');
    expect(s.lastRunMs).toBeLessThan(BOUND_MS);
    expect(pool.kills).toBe(killsBefore + 1);
    expect(await slow.call(2)).toBe(2);
  });

  it('an endless loop is interrupted inside the worker without a kill when QuickJS can check the time', {
    timeout: 120_000,
  }, async () => {
    const s = await open('for (;;) {}', { timeoutMs: 50 });
    await pool.ready();
    const killsBefore = pool.kills;
    const err = await failure(s.call(null));
    expect(err.message).toBe('timed out after 50 ms');
    // A soft stop keeps the worker (its other sandboxes keep their state); a busy machine may need the hard one.
    expect(pool.kills - killsBefore).toBeLessThanOrEqual(1);
  });

  it('refuses a result too large to parse on the main thread without blocking it', async () => {
    const s = await open("return 'x'.repeat(5 * 1024 * 1024);", { memoryBytes: 64 * MB, timeoutMs: 5000 });
    const err = await failure(s.call(null));
    expect(err.message).toMatch(/^the result is too large \(5242882 characters of JSON; at most 4194304\)$/);
  });

  it('a syntax error rejects the sandbox with its line; limits out of range are refused up front', async () => {
    const err = await failure(open('return {'));
    expect(err.kind).toBe('syntax');
    expect(err.line).toBe(1);
    await expect(createIsolatedSandbox({ code: 'return 1', timeoutMs: 0, memoryBytes: MB }, pool)).rejects.toThrow(
      /timeoutMs/,
    );
  });

  it('forwards console output of each call', async () => {
    const lines: string[] = [];
    const s = await createIsolatedSandbox(
      {
        code: 'console.warn("saw", msg); return msg',
        timeoutMs: 100,
        memoryBytes: 16 * MB,
        log: (l, t) => lines.push(`${l} ${t}`),
      },
      pool,
    );
    expect(await s.call(7)).toBe(7);
    expect(lines).toEqual(['warn saw 7']);
  });

  it('a disposed sandbox refuses calls', async () => {
    const s = await open('return msg');
    s.dispose();
    await expect(s.call(1)).rejects.toThrow(/disposed/);
  });
});
