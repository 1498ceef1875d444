/**
 * kafkajs log lines into the connection's logger. kafkajs logs every failed attempt at ERROR while a cluster is
 * down, which the node statuses already report: its errors and warnings become warnings, at most 10 per 10 s.
 */
import { type LogEntry, logLevel } from 'kafkajs';
import type { Logger } from '../../../spec/runtime-contract.js';

const WINDOW_MS = 10_000;
const PER_WINDOW = 10;

export function logCreator(log: Logger) {
  let windowStart = 0;
  let inWindow = 0;
  return () =>
    ({ namespace, level, log: entry }: LogEntry): void => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry;
      const obj = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR || level === logLevel.WARN) {
        const now = Date.now();
        if (now - windowStart > WINDOW_MS) {
          windowStart = now;
          inWindow = 0;
        }
        if (++inWindow <= PER_WINDOW) log.warn(obj, `kafka: ${message}`);
        else log.debug(obj, `kafka: ${message}`);
      } else {
        log.debug(obj, `kafka: ${message}`);
      }
    };
}
