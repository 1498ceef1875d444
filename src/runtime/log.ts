/** Node-side logging: JSON lines through pino. */
import { pino } from 'pino';
import type { Logger } from '../spec/runtime-contract.js';

export interface SluiceLogger extends Logger {
  child(bindings: Record<string, unknown>): SluiceLogger;
}

export function createLogger(options: { level?: string; pretty?: boolean } = {}): SluiceLogger {
  return pino({
    level: options.level ?? process.env.SLUICE_LOG_LEVEL ?? 'info',
    base: undefined,
  }) as unknown as SluiceLogger;
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): SluiceLogger {
  return pino({ level: 'silent' }) as unknown as SluiceLogger;
}
