/**
 * Node-side: apply schema defaults and resolve `${env:}` / `${file:}` references in a config, only in the fields
 * meant for them: those a schema marks `x-secret` or `x-reference` (on an object: every string inside it, as for a
 * connection's settings). Anywhere else a reference stays text (the validator warns about it), so a flow cannot
 * read the server's files or environment into a payload or an expression.
 */
import type { TSchema } from 'typebox';
import { hasReference, isUnder, referenceRoots, substituteReferences } from '../flow/references.js';
import { escapePointer } from '../flow/schema-walk.js';
import { StartupError } from './errors.js';
import { compileCached } from './schema-cache.js';
import { envAllowed, policyFromEnv, type ReferencePolicy, readSecretFile } from './secret-files.js';

export interface ResolveEnv {
  env: Record<string, string | undefined>;
  /** The file's text; throws when it may not or cannot be read (the reason is not reported). */
  readFile: (path: string) => string;
  /** Whether `${env:name}` may be resolved at all; default: every name. */
  envAllowed?: (name: string) => boolean;
}

/** References resolved under `policy`, or under the policy of `SLUICE_SECRET_DIRS`/`SLUICE_ALLOW_ENV` at each use. */
export function createResolveEnv(policy?: ReferencePolicy): ResolveEnv {
  const current = () => policy ?? policyFromEnv();
  return {
    env: process.env,
    readFile: (p) => readSecretFile(current(), p),
    envAllowed: (name) => envAllowed(current(), name),
  };
}

export const processEnv: ResolveEnv = createResolveEnv();

const withDefaults = new WeakMap<TSchema, (v: unknown) => boolean>();
/** The schema each config made by applyDefaults came from: it says which fields take references. */
const schemaOfConfig = new WeakMap<object, TSchema>();

/** A copy of `config` with the schema's defaults filled in (remembered with its schema for resolveReferences). */
export function applyDefaults(schema: TSchema, config: unknown): Record<string, unknown> {
  let fn = withDefaults.get(schema);
  if (!fn) {
    fn = compileCached(JSON.parse(JSON.stringify(schema)), { useDefaults: true });
    withDefaults.set(schema, fn);
  }
  const copy = structuredClone(config ?? {}) as Record<string, unknown>;
  fn(copy);
  schemaOfConfig.set(copy, schema);
  return copy;
}

/**
 * Resolve the references of `value` where its schema allows them: `schema` given, or the one `applyDefaults`
 * made `value` from. A value of unknown schema resolves nothing. `where` names what the value configures, as errors
 * begin: `<node type> "<node id>"` for a node (the one error pattern, src/kit/problem-text.ts), or
 * `connection "<id>" (<kind>)`, which the node using the connection prefixes with its own name.
 */
export function resolveReferences<T>(value: T, where: string, ctx: ResolveEnv, schema?: TSchema): T {
  const known = schema ?? (typeof value === 'object' && value !== null ? schemaOfConfig.get(value) : undefined);
  const roots = known ? referenceRoots(known, value) : [];
  return resolveUnder(value, where, ctx, roots, '');
}

function resolveUnder<T>(value: T, where: string, ctx: ResolveEnv, roots: readonly string[], pointer: string): T {
  if (typeof value === 'string') {
    if (!hasReference(value) || !isUnder(pointer, roots)) return value;
    const field = `${where}: field ${pointer || '/'}`;
    return substituteReferences(value, (ref) => {
      if (ref.kind === 'env') {
        if (ctx.envAllowed && !ctx.envAllowed(ref.name)) {
          throw new StartupError(
            `${field}: environment variable ${ref.name} is not in the allowed list (--allow-env, SLUICE_ALLOW_ENV); allow it with --allow-env ${ref.name} (or SLUICE_ALLOW_ENV), or put the value in a secret file`,
          );
        }
        const v = ctx.env[ref.name];
        if (v === undefined) {
          throw new StartupError(
            `${field}: environment variable ${ref.name} is not set (referenced as ${ref.text}); set ${ref.name} where sluice runs, or change the reference`,
          );
        }
        return v;
      }
      try {
        return ctx.readFile(ref.name);
      } catch {
        // One message for every cause, so a reference cannot probe which files exist.
        throw new StartupError(
          `${field}: cannot read secret file ${ref.name} (missing, unreadable, or outside the allowed directories); check the path and its permissions, and allow its directory with --secret-dir (SLUICE_SECRET_DIRS)`,
        );
      }
    }) as T;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => resolveUnder(v, where, ctx, roots, `${pointer}/${i}`)) as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = resolveUnder(v, where, ctx, roots, `${pointer}/${escapePointer(k)}`);
    }
    return out as T;
  }
  return value;
}
