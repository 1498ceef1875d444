/** Node-side logging: JSON lines through pino. */
import { pino } from 'pino';
import type { Logger } from '../spec/runtime-contract.js';

export interface SluiceLogger extends Logger {
  child(bindings: Record<string, unknown>): SluiceLogger;
}

/**
 * Lines go through process.stdout (synchronous for files and pipes on Linux), not pino's own fd writer: when the
 * reader of a pipe goes away, that writer's flush retries EPIPE forever and the process stops serving and ignores
 * SIGTERM. The CLI turns EPIPE on stdout into "stop writing" (src/cli/io.ts).
 */
export function createLogger(options: { level?: string; pretty?: boolean } = {}): SluiceLogger {
  return pino(
    {
      level: options.level ?? process.env.SLUICE_LOG_LEVEL ?? 'info',
      base: undefined,
    },
    process.stdout,
  ) as unknown as SluiceLogger;
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): SluiceLogger {
  return pino({ level: 'silent' }) as unknown as SluiceLogger;
}
