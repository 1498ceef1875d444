/**
 * `sluice run DIR` as a user starts it: plain `node bin/sluice.js` on the compiled runtime (dist/), a process of its
 * own, told nothing by the bench. It is ready when it logs that it is running; SIGTERM drains and stops it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface SluiceRun {
  pid: number;
  /** Flows running and flows that failed to start, as its start log said. */
  running: number;
  failed: number;
  /** SIGTERM, then the exit code once it drained (SIGKILL after STOP_TIMEOUT_MS: null). */
  stop(): Promise<number | null>;
}

interface LogLine {
  msg?: string;
  running?: number;
  failed?: number;
}

export async function startSluiceRun(paths: string[], args: string[] = []): Promise<SluiceRun> {
  const child = spawn(process.execPath, [BIN, 'run', ...paths, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const started = await new Promise<LogLine>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not log "running" within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`sluice run ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    // Every line is read (and dropped) so that a full pipe never blocks the process's logging.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: LogLine;
      try {
        entry = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      if (!settled && entry.msg?.startsWith('running')) {
        settled = true;
        clearTimeout(timer);
        resolve(entry);
      }
    });
    void exited.then((code) => fail(`exited (${code}) before it was running`));
  });
  return {
    pid: child.pid!,
    running: started.running ?? 0,
    failed: started.failed ?? 0,
    stop: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
