/** A real `sluice run --api 0` process (from source, through tsx): a remote runner for tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export interface RunnerProcess {
  url: string;
  token: string;
  flowsDir: string;
  proc: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Exit code after SIGTERM (drain). */
  stop(): Promise<number | null>;
}

/** A flow that needs no service: simulated messages into a debug node, so counters rise on their own. */
export function generatorFlow(id: string, intervalMs = 50): Record<string, unknown> {
  return {
    format: 'sluice/flow@1',
    id,
    name: `Runner test ${id}`,
    nodes: [
      {
        id: 'gen',
        type: 'generate',
        position: { x: 0, y: 0 },
        config: { topic: 'sim', payload: '{"seq": $seq}', intervalMs },
      },
      { id: 'dbg', type: 'debug', position: { x: 240, y: 0 }, config: {} },
    ],
    edges: [{ source: 'gen', sourcePort: 'out', target: 'dbg', targetPort: 'in' }],
  };
}

export async function startRunner(extraArgs: string[] = []): Promise<RunnerProcess> {
  const work = await mkdtemp(join(tmpdir(), 'sluice-runner-'));
  const token = randomBytes(16).toString('hex');
  const flowsDir = join(work, 'flows');
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'run',
      '--api',
      '0',
      '--flows-dir',
      flowsDir,
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    { cwd: repoRoot, env: { ...process.env, SLUICE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d) => {
    stdout += String(d);
  });
  proc.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no runner URL; stdout: ${stdout} stderr: ${stderr}`)), 30_000);
    proc.stdout?.on('data', () => {
      const m = /Sluice runner API: (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the runner exited: ${stderr}`));
    });
  });
  return {
    url,
    token,
    flowsDir,
    proc,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      await rm(work, { recursive: true, force: true });
      return code;
    },
  };
}
