/**
 * Fuzzing the flow loader (`sluice validate`, the store and the API all use `validateText`/`validate`): whatever
 * the text, the answer is a list of problems with clear messages, never a throw, a hang or a stack trace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import { flowLike, flowText, STACK_TRACE } from './arbitraries.js';

const validator = createFlowValidator(catalog);
// Compile the flow schema once up front, so the time limit below measures validation, not the first compile.
validator.validate({ format: 'sluice/flow@1', nodes: [] });
/** Far above a real validation (milliseconds, even on a loaded machine); a call this slow is a hang in the making. */
const SLOW_MS = 3000;

function checkResult(result: { problems: Array<{ message: unknown; severity: unknown; path: unknown }> }): void {
  expect(Array.isArray(result.problems)).toBe(true);
  for (const p of result.problems) {
    expect(typeof p.message).toBe('string');
    expect((p.message as string).length).toBeGreaterThan(0);
    expect(p.message).not.toMatch(STACK_TRACE);
    expect(['error', 'warning', 'info']).toContain(p.severity);
    expect(typeof p.path).toBe('string');
  }
}

describe('flow loader fuzz', () => {
  it('validateText: any text gets problems or a flow, quickly, never a throw', () => {
    fc.assert(
      fc.property(flowText, (text) => {
        const start = performance.now();
        const result = validator.validateText(text);
        expect(performance.now() - start).toBeLessThan(SLOW_MS);
        checkResult(result);
      }),
      { numRuns: 400 },
    );
  });

  it('validate: any flow-like document (or any JSON value) gets problems, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(flowLike, fc.jsonValue({ maxDepth: 4 })), (doc) => {
        const start = performance.now();
        const result = validator.validate(doc);
        expect(performance.now() - start).toBeLessThan(SLOW_MS);
        checkResult(result);
        if (result.problems.every((p) => p.severity !== 'error')) expect(result.flow).toBeDefined();
      }),
      { numRuns: 400 },
    );
  });

  it('the examples of every node type, mutated one field at a time, never break the validator', () => {
    const examples = catalog.nodes.flatMap((n) => (n.examples ?? []).map((e) => ({ type: n.type, config: e.config })));
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.string({ maxLength: 12 }),
        fc.jsonValue({ maxDepth: 2 }),
        (example, key, value) => {
          const config = { ...(example.config as Record<string, unknown>), [key]: value };
          const doc = { format: 'sluice/flow@1', nodes: [{ id: 'n', type: example.type, config }], edges: [] };
          checkResult(validator.validate(doc));
        },
      ),
      { numRuns: 300 },
    );
  });
});
