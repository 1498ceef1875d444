/**
 * Which secret files a `${file:}` reference may read, and which `${env:}` names it may take: files only under the
 * allowed directories (default /run/secrets and /var/run/secrets), never under /proc, /sys or /dev, never through
 * a symlink that leads out; environment variables all, or only those listed. Node-side.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';

export interface ReferencePolicy {
  /** Directories `${file:}` may read under. */
  secretDirs: readonly string[];
  /** Names `${env:}` may take (`NAME`, or `PREFIX*`); undefined allows every name. */
  allowEnv?: readonly string[];
}

/** Where Docker and Kubernetes mount secrets. */
export const DEFAULT_SECRET_DIRS = ['/run/secrets', '/var/run/secrets'];
/** Kernel and device views: never secrets, often the target of an attack (`/proc/self/environ`). */
const NEVER = ['/proc', '/sys', '/dev'];
/** A secret is a password or a PEM; anything larger is a mistake (or a device). */
const MAX_SECRET_BYTES = 1024 * 1024;

function list(value: string | undefined, separator: string): string[] | undefined {
  const items = value
    ?.split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

/** The policy from `SLUICE_SECRET_DIRS` (`:`-separated) and `SLUICE_ALLOW_ENV` (comma-separated), read now. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): ReferencePolicy {
  return {
    secretDirs: list(env.SLUICE_SECRET_DIRS, ':') ?? DEFAULT_SECRET_DIRS,
    allowEnv: list(env.SLUICE_ALLOW_ENV, ','),
  };
}

export function envAllowed(policy: ReferencePolicy, name: string): boolean {
  if (!policy.allowEnv) return true;
  return policy.allowEnv.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/** `path` equals `dir` or lies below it (both absolute and normalised). */
export function isInside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function realDir(dir: string): string | undefined {
  try {
    return realpathSync(dir);
  } catch {
    return undefined;
  }
}

/**
 * The file's text (one trailing newline removed), or an Error that says nothing about why: a missing file, an
 * unreadable one and one outside the allowed directories look the same to whoever wrote the reference.
 */
export function readSecretFile(policy: ReferencePolicy, path: string): string {
  const refuse = () => new Error('not readable here');
  if (!isAbsolute(path)) throw refuse();
  const lexical = resolve(path);
  const allowed = policy.secretDirs
    .filter((d) => isAbsolute(d))
    .map((d) => resolve(d))
    .filter((d) => !NEVER.some((n) => isInside(n, d)));
  if (!allowed.some((d) => isInside(d, lexical))) throw refuse();
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    throw refuse();
  }
  // Symlinks are followed only as far as they stay inside an allowed directory (itself resolved).
  const realAllowed = allowed.map(realDir).filter((d): d is string => d !== undefined);
  if (NEVER.some((n) => isInside(n, real)) || !realAllowed.some((d) => isInside(d, real))) throw refuse();
  try {
    const st = statSync(real);
    if (!st.isFile() || st.size > MAX_SECRET_BYTES) throw refuse();
    return readFileSync(real, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw refuse();
  }
}
