/**
 * Runs an expression and reduces what happened to comparable data: the result in a form that keeps
 * everything jsonata's result can carry (undefined, -0, sequence flags, null-prototype objects), or the
 * error code.
 */
import { type CompiledExpression, ExpressionError } from '../../../src/expr/index.js';

export type Outcome = { ok: true; value: unknown; sync: boolean } | { ok: false; code: string; sync: boolean };

const FLAGS = ['sequence', 'keepSingleton', 'outerWrapper', 'cons'] as const;

/** A structural description of a JSONata value for deep comparison. */
export function describe(value: unknown, seen: Set<unknown> = new Set()): unknown {
  if (value === undefined) return { undefined: true };
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return { number: '-0' };
    if (!Number.isFinite(value)) return { number: String(value) };
    return value;
  }
  if (typeof value === 'function') return { function: true };
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return { circular: true };
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    const flags: Record<string, unknown> = {};
    for (const f of FLAGS) if ((value as unknown as Record<string, unknown>)[f]) flags[f] = true;
    out = { array: value.map((v) => describe(v, seen)), flags };
  } else {
    const record = value as Record<string, unknown>;
    if (record._jsonata_lambda === true || record._jsonata_function === true) out = { function: true };
    else
      out = {
        proto: Object.getPrototypeOf(value) === null ? 'null' : 'object',
        entries: Object.keys(record).map((k) => [k, describe(record[k], seen)]),
      };
  }
  seen.delete(value);
  return out;
}

function failure(e: unknown, sync: boolean): Outcome {
  if (e instanceof ExpressionError) return { ok: false, code: e.code, sync };
  const code = (e as { code?: unknown } | null)?.code;
  return { ok: false, code: typeof code === 'string' ? code : `thrown ${String(e)}`, sync };
}

export async function outcomeOf(
  expr: CompiledExpression,
  input: unknown,
  bindings?: Record<string, unknown>,
): Promise<Outcome> {
  let r: unknown;
  try {
    r = expr.evaluate(input, bindings);
  } catch (e) {
    return failure(e, true);
  }
  if (!(r instanceof Promise)) return { ok: true, value: r, sync: true };
  try {
    return { ok: true, value: await r, sync: false };
  } catch (e) {
    return failure(e, false);
  }
}
