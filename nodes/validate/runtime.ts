import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { markFailure, type Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import type { validate } from './definition.js';

type Config = Static<typeof validate.config>;

// ajv-formats is CommonJS with a default export: under ESM the function may be the module or its `default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

/** `/a/0/b` -> `payload.a[0].b`: where in the payload an error is, as a reader writes it. */
function where(instancePath: string): string {
  let out = 'payload';
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** One Ajv error as a sentence: where, what, and the offending name or allowed values when Ajv knows them. */
export function describeError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  let text = `${where(e.instancePath)} ${e.message ?? 'is invalid'}`;
  if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
    text += ` ("${String(p.additionalProperty ?? p.unevaluatedProperty)}")`;
  } else if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) {
    text += ` (${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  }
  return text;
}

export function describeErrors(errors: readonly ErrorObject[], max: number): string {
  const shown = errors.slice(0, max).map(describeError);
  if (errors.length > max) shown.push(`and ${errors.length - max} more`);
  return shown.join('; ');
}

export function compileSchema(text: string, formats: boolean, nodeId: string): ValidateFunction {
  const what = `validate "${nodeId}"`;
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (err) {
    throw new Error(`${what}: the schema is not JSON (${(err as Error).message}); fix it or reference a schema file`);
  }
  // Every error, not the first: the reason must say all that is wrong with the message.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  if (formats) addFormats(ajv);
  try {
    return ajv.compile(schema as object);
  } catch (err) {
    throw new Error(`${what}: the schema does not compile: ${(err as Error).message}; fix the schema`);
  }
}

export const create: CreateRuntime<Config> = (ctx) => {
  const check = compileSchema(ctx.config.schema, ctx.config.formats, ctx.nodeId);
  const max = ctx.config.maxErrors;
  return {
    handle(msg, out) {
      if (check(msg.payload)) {
        out.emit('out', msg);
        return;
      }
      const reason = `invalid: ${describeErrors(check.errors ?? [], max)}`;
      // The payload is the problem: a redelivery fails the same way, so it must go to the error port or be dropped.
      throw markFailure(new Error(reason), 'deterministic');
    },
  };
};
