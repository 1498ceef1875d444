/** CLI plumbing: user errors print one clear line and set an exit code, never a stack trace. */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { limitHeapGrowth } from '../runtime/heap.js';

/** Documented exit codes (see README "CLI"). */
export const EXIT = {
  ok: 0,
  /** The flow has problems (validate, run, check). */
  invalid: 1,
  /** Bad command-line usage. */
  usage: 2,
  /** A file could not be read or written. */
  io: 3,
  /** The flow was valid but could not start (missing env variable, connection refused). */
  startup: 4,
  /** `sluice run` stopped with messages still unsettled at the drain deadline (nacked, so their brokers redeliver). */
  unsettled: 5,
} as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err));
    throw new UserError(`cannot read ${file}: ${why}`, EXIT.io);
  }
}

/** The long-running commands keep V8's heap near what they use (src/runtime/heap.ts); a bad override is a usage error. */
export function limitHeap(): void {
  try {
    limitHeapGrowth();
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message : String(err), EXIT.usage);
  }
}

/**
 * A closed stdout (`sluice nodes --json | head`, a server whose log reader died) is not an error: a one-shot command
 * exits quietly with its status so far, a long-running one keeps running (and still stops on SIGTERM), silently.
 */
export function tolerateClosedStdout(longRunning: () => boolean): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    if (!longRunning()) process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
  });
}

export interface ReferenceOptions {
  secretDir?: string;
  allowEnv?: string;
  dataDir?: string;
}

/** The flags that bound what a flow may read and write on this machine (serve and run). */
export function withReferenceOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--secret-dir <dirs>',
        '`:`-separated directories ${file:...} may read (default /run/secrets:/var/run/secrets)',
      ).env('SLUICE_SECRET_DIRS'),
    )
    .addOption(
      new Option('--allow-env <names>', 'comma-separated names (or PREFIX*) ${env:...} may read (default all)').env(
        'SLUICE_ALLOW_ENV',
      ),
    )
    .addOption(
      new Option('--data-dir <dir>', 'where SQLite files may be (default the working directory)').env(
        'SLUICE_DATA_DIR',
      ),
    );
}

/** Flags win over the environment; the resolvers read the environment when a flow starts. */
export function applyReferenceOptions(opts: ReferenceOptions): void {
  if (opts.secretDir !== undefined) process.env.SLUICE_SECRET_DIRS = opts.secretDir;
  if (opts.allowEnv !== undefined) process.env.SLUICE_ALLOW_ENV = opts.allowEnv;
  if (opts.dataDir !== undefined) process.env.SLUICE_DATA_DIR = opts.dataDir;
}
