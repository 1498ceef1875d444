/**
 * Runs the compiled launcher and speaks its line protocol: the first stdout line is the bootstrap list, then every
 * command written to stdin gets exactly one reply line ("ok" or "error ..."), in order, so a FIFO of waiters suffices.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { INSTALL_HINT } from './build.js';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const STDERR_KEEP = 4_000;

interface Waiter {
  resolve(line: string): void;
  reject(err: Error): void;
}

export interface MockProcess {
  brokers: string[];
  /** Sends one command line; resolves on "ok", rejects with the launcher's "error ..." text. */
  command(line: string): Promise<void>;
  stop(): Promise<void>;
}

export function startMockProcess(binary: string, brokerCount: number): Promise<MockProcess> {
  const child = spawn(binary, [String(brokerCount)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiters: Waiter[] = [];
  let stderr = '';
  let exited: Error | undefined;

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  createInterface({ input: child.stdout }).on('line', (line) => waiters.shift()?.resolve(line));
  // Writing after the launcher died raises EPIPE on stdin; the exit handler already failed the waiters.
  child.stdin.on('error', () => {});

  const fail = (err: Error): void => {
    exited = err;
    for (const w of waiters.splice(0)) w.reject(err);
  };
  child.on('error', (err) => fail(new Error(`Kafka mock: cannot run ${binary}: ${err.message}; ${INSTALL_HINT}.`)));
  child.on('exit', (code, signal) => {
    const why = signal ? `signal ${signal}` : `code ${code}`;
    const hint = /librdkafka\.so/.test(stderr) ? ` (librdkafka runtime missing; ${INSTALL_HINT})` : '';
    fail(new Error(`Kafka mock exited with ${why}${hint}${stderr ? `: ${stderr.trim()}` : ''}`));
  });

  const nextLine = (): Promise<string> =>
    exited ? Promise.reject(exited) : new Promise<string>((resolve, reject) => waiters.push({ resolve, reject }));

  const command = async (line: string): Promise<void> => {
    if (/[\r\n]/.test(line)) throw new Error('Kafka mock: a command must be one line');
    const reply = nextLine();
    child.stdin.write(`${line}\n`);
    const answer = await reply;
    if (answer !== 'ok') throw new Error(`Kafka mock: '${line}' failed: ${answer.replace(/^error /, '')}`);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopChild(child);
    return stopping;
  };

  return withTimeout(nextLine(), START_TIMEOUT_MS, 'Kafka mock did not print its bootstrap address').then(
    (bootstrap) => ({ brokers: bootstrap.split(','), command, stop }),
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
}

/** Closing stdin is the launcher's quit signal; SIGKILL only if it does not exit in time. */
async function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
