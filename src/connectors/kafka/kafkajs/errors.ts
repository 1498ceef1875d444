/** kafkajs errors to DriverErrors: the root cause's text, and whether another attempt may succeed. */
import { DriverError } from '../driver.js';

interface KafkaJsLike {
  name?: string;
  message?: string;
  retriable?: boolean;
  cause?: unknown;
}

function rootCause(err: unknown): KafkaJsLike {
  let e = err as KafkaJsLike;
  for (let i = 0; i < 10 && e?.cause && typeof e.cause === 'object'; i++) e = e.cause as KafkaJsLike;
  return e ?? {};
}

export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const root = rootCause(err);
  const own = err.message || err.name;
  // "Number of retries exceeded" says little; the last attempt's error says why.
  if (root !== err && root.message && root.message !== own) return `${own}: ${root.message}`;
  return own;
}

export function isRetriable(err: unknown): boolean {
  const e = err as KafkaJsLike;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'KafkaJSNumberOfRetriesExceeded') return rootCause(err).retriable === true;
  return e.retriable === true;
}

export function toDriverError(err: unknown, context?: string): DriverError {
  if (err instanceof DriverError) return err;
  const text = errorText(err);
  return new DriverError(context ? `${context}: ${text}` : text, isRetriable(err), { cause: err });
}

/** Runs `fn`, turning what it throws into a DriverError. */
export async function wrap<T>(fn: () => Promise<T>, context?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDriverError(err, context);
  }
}
