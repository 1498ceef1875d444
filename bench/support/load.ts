/**
 * Parent side of the load processes (bench/support/load-child.ts): an MQTT QoS 1 publisher and sink-side readers,
 * each in its own child process so that neither its CPU nor its event loop is the measured flow's.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromPublisher, FromReader, ReaderSpec, ToPublisher, ToReader } from './protocol.js';

const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

type Reply<T, K> = Extract<T, { op: K }>;

/**
 * Forks `script` (the load child unless told otherwise; TypeScript through tsx unless `execArgv` says otherwise)
 * and waits for its `ready` (or its reason for failing).
 */
export async function spawn<From extends { op: string }>(
  args: string[],
  script = CHILD,
  execArgv = ['--import', 'tsx'],
): Promise<ChildProcess> {
  const child = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // A send racing the child's exit: nothing to do.
  child.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('a load process did not start in time')), START_TIMEOUT_MS);
    const onMessage = (m: From) => {
      if (m.op === 'ready') done();
      else if (m.op === 'failed') fail(new Error((m as { message?: string }).message ?? 'failed'));
    };
    const onExit = (code: number | null) => fail(new Error(`a load process exited (${code}) before it was ready`));
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const fail = (err: Error) => {
      cleanup();
      child.kill();
      reject(err);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  return child;
}

/** The next message from `child` that `match` accepts. */
export function next<M extends { op: string }, R extends M>(
  child: ChildProcess,
  match: (m: M) => m is R,
  timeoutMs: number,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no answer from a load process within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: M) => {
      if (!match(m)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
  });
}

export async function quit(child: ChildProcess, message: { op: 'quit' }): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (child.connected) child.send(message);
  const timer = setTimeout(() => child.kill(), 3_000);
  await exited;
  clearTimeout(timer);
}

// ---- publisher -----------------------------------------------------------------------------------------

export type Published = Reply<FromPublisher, 'published'>;

export interface PublishRun {
  run: number;
  /** Resolves when every publish of the run was acknowledged by the broker. */
  done: Promise<Published>;
}

export interface LoadPublisher {
  /**
   * Publish `count` readings under `root` (`<root>/dev-<n>/temperature`, n round robin below `devices`, default 10):
   * at `rate` msg/s, or on credit.
   */
  publish(root: string, count: number, options?: { rate?: number; timeoutMs?: number; devices?: number }): PublishRun;
  /** Credit mode: let the run publish up to message number `allowed`. */
  grant(run: number, allowed: number): void;
  close(): Promise<void>;
}

let runs = 0;

export async function startPublisher(mqttUrl: string): Promise<LoadPublisher> {
  const child = await spawn<FromPublisher>(['--publisher', mqttUrl]);
  const tell = (m: ToPublisher) => {
    if (child.connected) child.send(m);
  };
  return {
    publish(root, count, options = {}) {
      const run = ++runs;
      const done = next(
        child,
        (m: FromPublisher): m is Published => m.op === 'published' && m.run === run,
        options.timeoutMs ?? 120_000,
      );
      tell({ op: 'publish', run, root, count, rate: options.rate, devices: options.devices });
      return { run, done };
    },
    grant: (run, allowed) => tell({ op: 'grant', run, allowed }),
    close: () => quit(child, { op: 'quit' }),
  };
}

// ---- reader --------------------------------------------------------------------------------------------

export type ReaderReport = Reply<FromReader, 'report'>;

export interface LoadReader {
  /** Forget what arrived so far (between runs). */
  reset(): Promise<void>;
  /** How many arrived since the reset, now. */
  count(): Promise<number>;
  /** What arrived since the reset, once `want` messages did or after `waitMs`. */
  report(want: number, options?: { waitMs?: number; latencies?: boolean }): Promise<ReaderReport>;
  close(): Promise<void>;
}

export async function startReader(spec: ReaderSpec): Promise<LoadReader> {
  const child = await spawn<FromReader>(['--reader', JSON.stringify(spec)]);
  let seq = 0;
  const ask = <R extends FromReader>(m: ToReader, match: (r: FromReader) => r is R, timeoutMs: number) => {
    const answer = next(child, match, timeoutMs);
    child.send(m);
    return answer;
  };
  return {
    async reset() {
      const run = ++seq;
      await ask(
        { op: 'reset', run },
        (r): r is Reply<FromReader, 'reset'> => r.op === 'reset' && r.run === run,
        10_000,
      );
    },
    async count() {
      const run = ++seq;
      const r = await ask(
        { op: 'count', run },
        (r): r is Reply<FromReader, 'count'> => r.op === 'count' && r.run === run,
        10_000,
      );
      return r.count;
    },
    report(want, options = {}) {
      const run = ++seq;
      const waitMs = options.waitMs ?? 5_000;
      return ask(
        { op: 'report', run, want, waitMs, latencies: options.latencies ?? false },
        (r): r is ReaderReport => r.op === 'report' && r.run === run,
        waitMs + 10_000,
      );
    },
    close: () => quit(child, { op: 'quit' }),
  };
}
