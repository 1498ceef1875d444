/**
 * Issue 10, fault 8 (CLI side): a closed stdout never turns into a stack trace or a server that ignores SIGTERM,
 * `--host [::1]` works, and an unusable host is a usage error (never the internal-error exit 70).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli.js';

let dir: string | undefined;
let proc: ChildProcess | undefined;
afterEach(async () => {
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  proc = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const cli = ['--import', 'tsx', 'src/cli/main.ts'];

function exited(p: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function healthy(url: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a closed stdout', () => {
  it('`sluice nodes --json | head -c 20` exits quietly', async () => {
    const p = spawn(
      'bash',
      ['-c', `node ${cli.join(' ')} nodes --json | head -c 20; echo " status=\${PIPESTATUS[0]}"`],
      {
        cwd: repoRoot,
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await exited(p, 30_000);
    expect(err).toBe('');
    expect(out).toMatch(/ status=0$/m);
  });

  it('a server whose stdout is a closed pipe still stops on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-pipe-'));
    const port = await freePort();
    proc = spawn(process.execPath, [...cli, 'serve', '--port', String(port), '--flows-dir', join(dir, 'flows')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.destroy(); // the reader went away before the server wrote anything
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await healthy(`http://127.0.0.1:${port}/api/health`);
    proc.kill('SIGTERM');
    expect(await exited(proc, 15_000)).toBe(0);
    expect(err).not.toMatch(/internal error|EPIPE|at .*\.ts:\d+/);
  });
});

describe('--host', () => {
  it('takes a bracketed IPv6 address such as [::1]', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-host-'));
    const port = await freePort();
    proc = spawn(
      process.execPath,
      [...cli, 'serve', '--host', '[::1]', '--port', String(port), '--flows-dir', join(dir, 'flows')],
      {
        cwd: repoRoot,
      },
    );
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await healthy(`http://[::1]:${port}/api/health`);
    expect(out).toContain(`Sluice editor: http://[::1]:${port}/`);
    proc.kill('SIGTERM');
    expect(await exited(proc, 15_000)).toBe(0);
  });

  it('an address that cannot be used is a clear error, not an internal one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-host-'));
    const res = await runCli([
      'serve',
      '--host',
      'no-such-host.invalid',
      '--token',
      'f3a9c2d17b5e4086a1c9',
      '--flows-dir',
      join(dir, 'flows'),
    ]);
    expect(res.code).not.toBe(70);
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/^sluice: cannot listen on no-such-host\.invalid:1880 \(/m);
    expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
    const bad = await runCli(['serve', '--host', '[::1', '--flows-dir', join(dir, 'flows')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--host/);
  });
});
