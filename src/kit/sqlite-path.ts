/**
 * Where a SQLite file may be: under the data directory (`SLUICE_DATA_DIR`, default the working directory) or a
 * directory allowed with `SLUICE_SQLITE_DIRS` (`:`-separated), never under /proc, /sys or /dev, and not through a
 * symlink that leads out. A flow must not open (and create, and write) a database anywhere on the machine.
 */
import { realpathSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

const NEVER = ['/proc', '/sys', '/dev'];

function inside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The directories SQLite files may live under, resolved now from the environment. */
export function sqliteDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.SLUICE_SQLITE_DIRS ?? '')
    .split(':')
    .map((s) => s.trim())
    .filter(Boolean);
  return [env.SLUICE_DATA_DIR?.trim() || process.cwd(), ...extra].map((d) => resolve(d));
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended (the file may not exist). */
function realish(path: string): string {
  let head = path;
  const tail: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return path;
      tail.push(head.slice(parent.length).replace(/^[/\\]/, ''));
      head = parent;
    }
  }
}

/** The absolute path to open, or an Error naming the allowed directories. `:memory:` is always allowed. */
export function allowedSqliteFile(file: string, env: NodeJS.ProcessEnv = process.env): string {
  if (file === ':memory:') return file;
  const dirs = sqliteDirs(env);
  const path = resolve(file);
  const real = realish(path);
  const realDirs = dirs.map(realish);
  const ok =
    dirs.some((d) => inside(d, path)) &&
    realDirs.some((d) => inside(d, real)) &&
    !NEVER.some((n) => inside(n, path) || inside(n, real));
  if (!ok) {
    throw new Error(
      `the SQLite file ${file} is outside the data directory (${dirs.join(', ')}); choose a path inside it, or allow its directory with --data-dir or SLUICE_SQLITE_DIRS`,
    );
  }
  return path;
}
