import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

describe('the installed `sluice` bin (bundled dist/cli/)', () => {
  beforeAll(() => {
    // `npm install` builds dist/ (prepare); rebuild here only when sources are newer, so the test checks what ships.
    const sources = Math.max(newestMtime(join(repoRoot, 'src')), newestMtime(join(repoRoot, 'nodes')));
    const stale = (file: string) => !existsSync(file) || statSync(file).mtimeMs < sources;
    if (stale(join(repoRoot, 'dist/src/cli/main.js')))
      execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: repoRoot,
      });
    if (stale(join(repoRoot, 'dist/cli/main.js')))
      execFileSync(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs')], { cwd: repoRoot });
  }, 120_000);

  it('prints its version and validates a flow', () => {
    const version = spawnSync(process.execPath, ['bin/sluice.js', '--version'], { cwd: repoRoot, encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const v = spawnSync(process.execPath, ['bin/sluice.js', 'validate', 'examples/mqtt-to-amqp.json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(v.stdout).toBe('examples/mqtt-to-amqp.json: valid\n');
    expect(v.status).toBe(0);
  });

  it('finds node runtimes in the compiled tree', () => {
    const r = spawnSync(process.execPath, ['bin/sluice.js', 'run', 'examples/sensors-demo.json', '--duration', '600'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/"msg":"flow started"/);
  });
});
