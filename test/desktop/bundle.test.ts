/**
 * The built desktop shell (scripts/build-desktop.mjs, what `npm run desktop` starts): its main process runs (under
 * Node, with `electron` resolved to the test double), starts the admin server and loads the editor from it; the
 * preload bundle needs nothing but `electron`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

function node(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env } });
  let out = '';
  proc.stdout.on('data', (d) => {
    out += String(d);
  });
  proc.stderr.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, out: () => out, exited };
}

describe('the desktop bundle', () => {
  it('builds; its main process starts the server and loads the editor; its preload requires only electron', async () => {
    const build = node(['scripts/build-desktop.mjs']);
    expect(await build.exited, build.out()).toBe(0);
    const preload = readFileSync(join(repoRoot, 'dist/desktop/preload.cjs'), 'utf8');
    expect([...new Set([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))]).toEqual(['electron']);

    const data = await mkdtemp(join(tmpdir(), 'sluice-desktop-bundle-'));
    const double = join(data, 'electron-double.mjs');
    await esbuild({
      entryPoints: ['test/desktop/electron-double.ts'],
      outfile: double,
      bundle: true,
      format: 'esm',
      platform: 'node',
    });
    const app = node(['--import', './test/desktop/electron-hook.mjs', 'dist/desktop/main.js'], {
      SLUICE_TEST_ELECTRON_DOUBLE: pathToFileURL(double).href,
      SLUICE_TEST_ELECTRON_USERDATA: data,
      SLUICE_TEST_ELECTRON_REPORT: '1',
      SLUICE_LOG_LEVEL: 'warn',
    });
    try {
      const end = Date.now() + 30_000;
      let url: RegExpExecArray | null = null;
      while (!url && Date.now() < end && app.proc.exitCode === null) {
        url = /electron-double: loadURL (http:\/\/127\.0\.0\.1:\d+)\/#token=([0-9a-f]+)/.exec(app.out());
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(url, app.out()).not.toBeNull();
      const [, base, token] = url as RegExpExecArray;
      const health = await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${token}` } });
      expect(await health.json()).toMatchObject({ ok: true, role: 'editor', version: expect.any(String) });
      // The catalogue and the runtime are in the bundle: a flow validates against every node type.
      const res = await fetch(`${base}/api/validate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-sluice-client': 't' },
        body: JSON.stringify({ flow: { format: 'sluice/flow@1', nodes: [{ id: 'g', type: 'generate', config: {} }] } }),
      });
      expect(res.status).toBe(200);
    } finally {
      app.proc.kill('SIGKILL');
      await rm(data, { recursive: true, force: true });
    }
  }, 90_000);
});
