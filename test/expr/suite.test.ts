/**
 * jsonata's own conformance cases (a vendored subset, see test/fixtures/jsonata/vendor.ts): every case that
 * compiles to the fast path, and a sample of interpreter-only ones, must give the suite's expected result.
 */
import { readFileSync } from 'node:fs';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from '../../src/expr/index.js';
import type { VendoredCase } from '../fixtures/jsonata/vendor.js';
import { describe as describeValue, type Outcome, outcomeOf } from './helpers/outcome.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/jsonata/cases.json', import.meta.url), 'utf8')) as {
  datasets: Record<string, unknown>;
  cases: VendoredCase[];
};

/** The suite only limits time where a case says so; elsewhere allow for a loaded machine. */
const DEFAULT_TIMEOUT_MS = 10_000;

function optionsOf(c: VendoredCase): { timeoutMs: number; maxDepth?: number } {
  return { timeoutMs: c.timelimit ?? DEFAULT_TIMEOUT_MS, ...(c.depth === undefined ? {} : { maxDepth: c.depth }) };
}

function inputOf(c: VendoredCase): unknown {
  if ('data' in c) return structuredClone(c.data);
  return c.dataset === undefined ? undefined : structuredClone(fixture.datasets[c.dataset]);
}

/** Results compare as JSON, as the suite's expectations are JSON. */
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

describe('jsonata conformance suite (vendored subset)', () => {
  it('has both fast-path and interpreter-only cases', () => {
    expect(fixture.cases.filter((c) => c.fast).length).toBeGreaterThanOrEqual(500);
    expect(fixture.cases.filter((c) => !c.fast).length).toBeGreaterThanOrEqual(100);
  });

  it.each(fixture.cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const options = optionsOf(c);
    let compiled: ReturnType<typeof compileExpression>;
    try {
      compiled = compileExpression(c.expr, options);
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      expect('code' in c.expect && c.expect.code).toBe((e as ExpressionError).code);
      return;
    }
    expect(compiled.fast).toBe(c.fast);
    const outcome = await outcomeOf(compiled, inputOf(c), c.bindings);
    if ('code' in c.expect) {
      expect(outcome.ok).toBe(false);
      // U1001 is the suite runner's own code for exceeding its time or depth limit: our guards report those
      const codes = c.expect.code === 'U1001' ? ['D1011', 'D1012'] : [c.expect.code];
      expect(codes).toContain(outcome.ok ? 'no error' : outcome.code);
    } else if ('undefinedResult' in c.expect) {
      expect(outcome).toMatchObject({ ok: true, value: undefined });
    } else {
      expect(outcome.ok ? asJson(outcome.value) : outcome).toEqual(c.expect.result);
    }
  });
});

describe('jsonata conformance suite: fast path identical to the interpreter', () => {
  const fastCases = fixture.cases.filter((c) => c.fast);

  async function interpreted(c: VendoredCase): Promise<Outcome> {
    try {
      const expr = jsonata(c.expr, { timeout: c.timelimit ?? DEFAULT_TIMEOUT_MS, stack: c.depth ?? 500 });
      return { ok: true, value: await expr.evaluate(inputOf(c), c.bindings), sync: false };
    } catch (e) {
      return { ok: false, code: String((e as { code?: unknown }).code), sync: false };
    }
  }

  const comparable = (o: Outcome): unknown => (o.ok ? { value: describeValue(o.value) } : { code: o.code });

  it.each(fastCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const compiled = compileExpression(c.expr, optionsOf(c));
    expect(comparable(await outcomeOf(compiled, inputOf(c), c.bindings))).toEqual(comparable(await interpreted(c)));
  });
});
