/**
 * Node-side: compiled JSON Schema validators kept on disk between runs. Compiling the flow schema (every node and
 * connection config) takes Ajv ~250 ms, most of a cold `sluice run`; after a crash that start-up is the window in
 * which a broker may drop an offline session's messages. The cache holds Ajv's standalone code, keyed by a hash of
 * the schema, the options and the Ajv version, so a changed catalogue or Ajv never reuses a stale validator.
 *
 * Where: $SLUICE_CACHE_DIR, else $XDG_CACHE_HOME/sluice, else ~/.cache/sluice (created 0700: the files are code).
 * Any cache failure (unwritable directory, a damaged file) falls back to compiling in memory.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { ANNOTATION_KEYWORDS, createAjv } from '../flow/ajv.js';

type StandaloneCode = (ajv: ReturnType<typeof createAjv>, fn: ValidateFunction) => string;
// CommonJS interop: Node gives module.exports (the function, with .default), bundlers give .default.
const standaloneCode = ((standaloneModule as unknown as { default?: StandaloneCode }).default ??
  standaloneModule) as unknown as StandaloneCode;

const requireFromHere = createRequire(import.meta.url);

function ajvVersion(): string {
  try {
    return (requireFromHere('ajv/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function schemaCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SLUICE_CACHE_DIR) return env.SLUICE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  return base ? join(base, 'sluice') : undefined;
}

/** The key: what the compiled code depends on. */
export function schemaCacheKey(schema: unknown, options: { useDefaults?: boolean }): string {
  return createHash('sha256')
    .update(JSON.stringify({ ajv: ajvVersion(), options, annotations: ANNOTATION_KEYWORDS, schema }))
    .digest('hex')
    .slice(0, 32);
}

/** Evaluate a standalone module (CommonJS text) with a require that finds Ajv's runtime helpers. */
function evaluate(code: string): ValidateFunction | undefined {
  const module: { exports: unknown } = { exports: {} };
  new Function('module', 'exports', 'require', code)(module, module.exports, requireFromHere);
  return typeof module.exports === 'function' ? (module.exports as ValidateFunction) : undefined;
}

function readCached(file: string): ValidateFunction | undefined {
  try {
    // Only a file owned by this user: the cache holds code this process runs.
    const st = statSync(file);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return undefined;
    return evaluate(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function writeCached(dir: string, file: string, code: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code, { mode: 0o600 });
    renameSync(tmp, file); // atomic: a reader sees the whole file or none
  } catch {
    // A read-only home or a full disk costs the next start its compile time, nothing else.
  }
}

/** A validator for `schema`, from the disk cache when an earlier run compiled the same schema. */
export function compileCached(
  schema: Record<string, unknown>,
  options: { useDefaults?: boolean } = {},
  dir: string | undefined = schemaCacheDir(),
): ValidateFunction {
  const file = dir ? join(dir, `ajv-${schemaCacheKey(schema, options)}.cjs`) : undefined;
  const cached = file ? readCached(file) : undefined;
  if (cached) return cached;
  const ajv = createAjv({ ...options, source: Boolean(file) });
  const fn = ajv.compile(schema);
  if (dir && file) writeCached(dir, file, standaloneCode(ajv, fn));
  return fn;
}
