/**
 * The production install exactly as the Dockerfile makes it, by running the same script (deploy/install.sh):
 * `pack` this checkout, `deps` (npm ci --omit=dev), then `app` (the packed tarball over those dependencies).
 *
 * `deps` depends only on package.json, package-lock.json and install.sh, like the Dockerfile's cached layer: its
 * result is kept in the system temp directory under a hash of those three files and copied for each run, because
 * building better-sqlite3 from source takes minutes here. The packed tarball is kept too, under a hash of every
 * file of the checkout that can reach it (all but test/ and bench/), so a re-run on unchanged sources skips the build.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './cli.js';

const run = promisify(execFile);
export const installScript = join(repoRoot, 'deploy/install.sh');

export interface ProductionInstall {
  /** Temporary directory holding everything below; remove it when done. */
  root: string;
  /** The installed application (the image's /app). */
  appDir: string;
  /** The image's PATH entry holding `sluice`. */
  binDir: string;
  tarball: string;
  /** Seconds per step; `deps` is 0-ish when it came from the cache. */
  seconds: { pack: number; deps: number; app: number };
  depsFromCache: boolean;
  packFromCache: boolean;
}

async function step(args: string[], timeoutMs: number): Promise<number> {
  const started = performance.now();
  try {
    await run('sh', [installScript, ...args], { cwd: repoRoot, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`install.sh ${args[0]} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  return (performance.now() - started) / 1000;
}

/** Where `deps` is cached: keyed by exactly what the Dockerfile's dependency layer copies in. */
export function depsCacheDir(): string {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json', 'deploy/install.sh']) {
    hash.update(file).update(readFileSync(join(repoRoot, file)));
  }
  return join(tmpdir(), `sluice-prod-deps-${hash.digest('hex').slice(0, 16)}`);
}

/** Where the packed tarball of the current sources is cached. */
function packCacheFile(): string {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot })
    .toString()
    .split('\0')
    .filter((f) => f !== '' && !f.startsWith('test/') && !f.startsWith('bench/'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const path = join(repoRoot, file);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue; // deleted, or the node_modules symlink
    hash.update(file).update(readFileSync(path));
  }
  return join(tmpdir(), 'sluice-prod-pack', `${hash.digest('hex').slice(0, 16)}.tgz`);
}

export async function productionInstall(): Promise<ProductionInstall> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-prod-'));
  const packDir = join(root, 'pack');
  const appDir = join(root, 'app');
  const tarball = join(packDir, 'sluice.tgz');
  const cachedTarball = packCacheFile();
  let pack = 0;
  const packFromCache = existsSync(cachedTarball);
  if (packFromCache) {
    mkdirSync(packDir, { recursive: true });
    cpSync(cachedTarball, tarball);
  } else {
    pack = await step(['pack', packDir], 600_000);
    mkdirSync(dirname(cachedTarball), { recursive: true });
    cpSync(tarball, `${cachedTarball}.${process.pid}`);
    renameSync(`${cachedTarball}.${process.pid}`, cachedTarball);
  }

  const cache = depsCacheDir();
  const complete = join(cache, '.complete');
  let deps = 0;
  const depsFromCache = existsSync(complete);
  if (!depsFromCache) {
    const partial = `${cache}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    deps = await step(['deps', repoRoot, partial], 600_000);
    writeFileSync(join(partial, '.complete'), new Date().toISOString());
    rmSync(cache, { recursive: true, force: true });
    renameSync(partial, cache);
  }
  // node_modules as hard links (fast; nothing writes there, which the production-install test checks), the rest copied.
  cpSync(cache, appDir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => src !== join(cache, 'node_modules') && src !== join(cache, '.complete'),
  });
  execFileSync('cp', ['-al', join(cache, 'node_modules'), join(appDir, 'node_modules')]);
  const app = await step(['app', tarball, appDir], 120_000);
  return {
    root,
    appDir,
    binDir: join(appDir, '.bin'),
    tarball,
    seconds: { pack, deps, app },
    depsFromCache,
    packFromCache,
  };
}
