/**
 * Generative differential test: seeded random expressions from the fast-path subset, each over seeded random
 * messages and bindings, must give exactly what jsonata's interpreter gives.
 */
import jsonata from 'jsonata';
import { expect, describe as group, it } from 'vitest';
import { compileExpression } from '../../src/expr/index.js';
import { prng } from '../support/prng.js';
import { randomMessage } from './helpers/messages.js';
import { describe, type Outcome, outcomeOf } from './helpers/outcome.js';
import { expressionGenerator } from './helpers/random-expressions.js';

const EXPRESSIONS_PER_SEED = 300;
const MESSAGES_PER_EXPRESSION = 30;

async function reference(
  expr: jsonata.Expression,
  input: unknown,
  bindings: Record<string, unknown>,
): Promise<Outcome> {
  try {
    return { ok: true, value: await expr.evaluate(input, bindings), sync: false };
  } catch (e) {
    // a JavaScript error escaping jsonata is reported by src/expr as U1001
    const code = (e as { code?: unknown }).code;
    return { ok: false, code: typeof code === 'string' ? code : 'U1001', sync: false };
  }
}

const comparable = (o: Outcome): unknown => (o.ok ? { value: describe(o.value) } : { code: o.code });

group('random expressions: fast path vs jsonata interpreter', () => {
  it.each([11, 12, 13])('seed %i', async (seed) => {
    const random = prng(seed);
    const generate = expressionGenerator(random);
    let compiledCount = 0;
    let fastCount = 0;
    let evaluations = 0;
    let synchronous = 0;
    for (let i = 0; i < EXPRESSIONS_PER_SEED; i++) {
      const source = generate(1 + Math.floor(random() * 3));
      let compiled: ReturnType<typeof compileExpression>;
      try {
        compiled = compileExpression(source);
      } catch {
        continue; // the generator can produce syntax errors (e.g. `"a".x`); those are covered elsewhere
      }
      compiledCount++;
      if (compiled.fast) fastCount++;
      const ref = jsonata(source, { timeout: 1000, stack: 500 });
      const messages = prng(seed * 10_000 + i);
      for (let j = 0; j < MESSAGES_PER_EXPRESSION; j++) {
        const message = randomMessage(messages);
        const bindings = { v: [1, 'x', [1, 2], null, { a: 1 }][j % 5] };
        const expected = await reference(ref, structuredClone(message), bindings);
        const actual = await outcomeOf(compiled, structuredClone(message), bindings);
        expect(comparable(actual), `${source}\nwith ${JSON.stringify(message)}`).toEqual(comparable(expected));
        evaluations++;
        if (actual.sync) synchronous++;
      }
    }
    expect(compiledCount).toBeGreaterThan(EXPRESSIONS_PER_SEED * 0.9);
    expect(fastCount / compiledCount).toBeGreaterThan(0.95);
    expect(synchronous / evaluations).toBeGreaterThan(0.4);
  });
});
