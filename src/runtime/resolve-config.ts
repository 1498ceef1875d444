/** Node-side: apply schema defaults and resolve `${env:}` / `${file:}` references in a config. */
import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import { hasReference, substituteReferences } from '../flow/references.js';
import { StartupError } from './errors.js';
import { compileCached } from './schema-cache.js';

export interface ResolveEnv {
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
}

export const processEnv: ResolveEnv = {
  env: process.env,
  readFile: (p) => readFileSync(p, 'utf8').replace(/\r?\n$/, ''),
};

const withDefaults = new WeakMap<TSchema, (v: unknown) => boolean>();

/** A copy of `config` with the schema's defaults filled in. */
export function applyDefaults(schema: TSchema, config: unknown): Record<string, unknown> {
  let fn = withDefaults.get(schema);
  if (!fn) {
    fn = compileCached(JSON.parse(JSON.stringify(schema)), { useDefaults: true });
    withDefaults.set(schema, fn);
  }
  const copy = structuredClone(config ?? {}) as Record<string, unknown>;
  fn(copy);
  return copy;
}

/** Resolve every reference in every string of `value`. `where` names the node/connection for errors. */
export function resolveReferences<T>(value: T, where: string, ctx: ResolveEnv, pointer = ''): T {
  if (typeof value === 'string') {
    if (!hasReference(value)) return value;
    return substituteReferences(value, (ref) => {
      if (ref.kind === 'env') {
        const v = ctx.env[ref.name];
        if (v === undefined) {
          throw new StartupError(
            `${where}, field ${pointer || '/'}: environment variable ${ref.name} is not set (referenced as ${ref.text})`,
          );
        }
        return v;
      }
      try {
        return ctx.readFile(ref.name);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw new StartupError(`${where}, field ${pointer || '/'}: cannot read secret file ${ref.name} (${code})`);
      }
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveReferences(v, where, ctx, `${pointer}/${i}`)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveReferences(v, where, ctx, `${pointer}/${k}`);
    return out as T;
  }
  return value;
}
