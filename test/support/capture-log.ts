/** A real pino logger whose JSON lines are kept in memory, so a test can check what was logged and at which level. */
import { pino } from 'pino';
import type { SluiceLogger } from '../../src/runtime/log.js';

export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** pino's number for `warn`. */
export const WARN = 40;

export function captureLog(level = 'debug'): { log: SluiceLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = { write: (line: string) => lines.push(JSON.parse(line) as LogLine) };
  return { log: pino({ level, base: undefined }, stream) as unknown as SluiceLogger, lines };
}
