/**
 * Compiles launcher.c into a native binary, only when the binary is missing or older than the source.
 * Kept apart from the process handling so that a missing toolchain yields one clear, tested error message.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const LAUNCHER_SOURCE = fileURLToPath(new URL('./launcher.c', import.meta.url));
export const LAUNCHER_BINARY = fileURLToPath(new URL('../../.tmp/kafka-mock', import.meta.url));

/** What to install, in words a developer or a CI script can act on. */
export const INSTALL_HINT =
  'install the C toolchain and librdkafka headers (Debian/Ubuntu: `apt-get install -y gcc libc6-dev librdkafka-dev`), ' +
  'or point the tests at a real cluster with KAFKA_BROKERS=host:9092';

export interface BuildOptions {
  /** C compiler; defaults to $CC, then gcc. */
  cc?: string;
  source?: string;
  out?: string;
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function errorStderr(err: unknown): string {
  return err instanceof Error && 'stderr' in err && typeof err.stderr === 'string' ? err.stderr : '';
}

/** Returns the path of an up-to-date launcher binary, compiling it first when needed. */
export async function ensureLauncherBinary(opts: BuildOptions = {}): Promise<string> {
  const cc = opts.cc ?? process.env.CC ?? 'gcc';
  const source = opts.source ?? LAUNCHER_SOURCE;
  const out = opts.out ?? LAUNCHER_BINARY;
  const [srcTime, binTime] = await Promise.all([mtimeMs(source), mtimeMs(out)]);
  if (srcTime === undefined) throw new Error(`Kafka mock launcher source missing: ${source}`);
  if (binTime !== undefined && binTime >= srcTime) return out;

  await mkdir(dirname(out), { recursive: true });
  // Compile to a private name and rename: concurrent test runs never execute a half-written binary.
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await run(cc, ['-O2', '-o', tmp, source, '-lrdkafka'], { timeout: 120_000 });
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    if (errorCode(err) === 'ENOENT') {
      throw new Error(`Kafka mock: C compiler '${cc}' not found; ${INSTALL_HINT}.`);
    }
    const stderr = errorStderr(err).trim();
    if (/rdkafka/.test(stderr)) {
      throw new Error(`Kafka mock: librdkafka development files not found (${firstLine(stderr)}); ${INSTALL_HINT}.`);
    }
    throw new Error(`Kafka mock: compiling ${source} with '${cc}' failed; ${INSTALL_HINT}.\n${stderr}`);
  }
  return out;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => /rdkafka/.test(l)) ?? text.split('\n')[0] ?? '';
}
