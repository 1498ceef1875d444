import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowRuntimeView, RuntimeView } from '../../src/server/protocol.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const tsxLoader = import.meta.resolve('tsx');
const mainTs = join(root, 'src/cli/main.ts');

function serve(args: string[], env: Record<string, string> = {}, cwd = root) {
  const proc = spawn(process.execPath, ['--import', tsxLoader, mainTs, 'serve', ...args], {
    cwd,
    env: { ...process.env, ...env, SLUICE_TOKEN: env.SLUICE_TOKEN ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d) => {
    stdout += String(d);
  });
  proc.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  /** The address printed on stdout (port 0 becomes the real port). */
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed; stdout: ${stdout} stderr: ${stderr}`)), 20_000);
    const look = () => {
      const m = /Sluice editor: (http:\/\/[^/\s]+)\//.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout?.on('data', look);
    void exited.then(() => reject(new Error(`exited before printing a URL: ${stderr}`)));
  });
  // A test that expects an early exit never awaits the URL: do not let that rejection go unhandled.
  url.catch(() => undefined);
  return { proc, url, exited, output: () => ({ stdout, stderr }) };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('sluice serve', () => {
  it('prints the real URL for --port 0, serves, seeds and deploys the demo, drains on SIGTERM and exits 0', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-serve-'));
    const flowsDir = join(dir, 'flows');
    // The demo writes ./sluice-data.db: run it in the temp dir.
    const s = serve(['--port', '0', '--flows-dir', flowsDir, '--demo', '--log-level', 'warn'], {}, dir);
    const url = await s.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      ok: true,
      version: expect.any(String),
      role: 'editor',
      formats: ['sluice/flow@1'],
    });

    const runtime = (await (await fetch(`${url}/api/runtime`)).json()) as RuntimeView;
    expect(runtime.flows).toMatchObject([{ flowId: 'embedded-demo', state: 'running' }]);
    expect((await readdir(flowsDir)).sort()).toEqual([
      '.deployed.json',
      'embedded-demo.json',
      'embedded-demo.meta.json',
    ]);
    // Data flows through the embedded broker into SQLite.
    const until = Date.now() + 15_000;
    let stored = 0;
    while (stored === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      const view = (await (await fetch(`${url}/api/runtime/flows/embedded-demo`)).json()) as FlowRuntimeView;
      stored =
        (view.counters.subscribe?.acked ?? 0) > 0
          ? (view.counters.store?.out ?? 0) + (view.counters.warm?.dropped ?? 0)
          : 0;
    }
    expect(stored).toBeGreaterThan(0);
    expect(await readdir(dir)).toContain('sluice-data.db');

    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('--demo --embedded-mqtt PORT: the demo follows the broker to PORT, also when an earlier run stored it with another', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-serve-'));
    const flowsDir = join(dir, 'flows');
    const demoRuns = async (port: number) => {
      const s = serve(
        ['--port', '0', '--flows-dir', flowsDir, '--demo', '--embedded-mqtt', String(port), '--log-level', 'warn'],
        {},
        dir,
      );
      const url = await s.url;
      const stored = (await (await fetch(`${url}/api/flows/embedded-demo`)).json()) as {
        flow: { connections: Array<{ config: { url: string } }> };
      };
      expect(stored.flow.connections[0].config.url).toBe(`mqtt://127.0.0.1:${port}`);
      const until = Date.now() + 15_000;
      let acked = 0;
      while (acked === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
        const view = (await (await fetch(`${url}/api/runtime/flows/embedded-demo`)).json()) as FlowRuntimeView;
        acked = view.counters.subscribe?.acked ?? 0;
      }
      expect(acked).toBeGreaterThan(0);
      s.proc.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    };
    await demoRuns(await freePort());
    await demoRuns(await freePort());
  }, 60_000);

  it('refuses to bind a non-loopback address without a token (usage error, exit 2)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-serve-'));
    const s = serve(['--host', '0.0.0.0', '--port', '0', '--flows-dir', join(dir, 'flows')]);
    expect(await s.exited).toBe(2);
    expect(s.output().stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without authentication/);
  });

  it('takes the token from SLUICE_TOKEN; --open imports a flow file and prints its address', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-serve-'));
    const token = 'cli-token-0123456789abcdef';
    const flowsDir = join(dir, 'flows');
    const s = serve(['--port', '0', '--flows-dir', flowsDir, '--open', 'examples/sensors-demo.json'], {
      SLUICE_TOKEN: token,
    });
    const url = await s.url;
    expect(s.output().stdout).toContain(`${url}/#flow=sensors-demo`);
    expect(await readdir(flowsDir)).toContain('sensors-demo.json');
    expect((await fetch(`${url}/api/flows`)).status).toBe(401);
    expect((await fetch(`${url}/api/flows`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    s.proc.kill('SIGINT');
    expect(await s.exited).toBe(0);
  });
});
