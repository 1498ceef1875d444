/** Retry with exponential backoff and jitter, abortable; for sinks' transient failures. */
export interface RetryOptions {
  /** Attempts in all, including the first. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  signal?: AbortSignal;
  /** Return false for errors that retrying cannot fix (a constraint violation, a bad value). */
  retryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/**
 * `fn(1)`, then on a retryable failure `fn(2)`, ... after backoff. Not async itself: sinks call it per message,
 * and the first attempt, which usually succeeds, should cost no more than the promise `fn` returns.
 */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  let first: Promise<T>;
  try {
    first = fn(1);
  } catch (err) {
    first = Promise.reject(err);
  }
  return first.then(undefined, (err: unknown) => retryAfter(err, fn, o));
}

async function retryAfter<T>(err: unknown, fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const canRetry = attempt < o.attempts && !o.signal?.aborted && (o.retryable?.(err) ?? true);
    if (!canRetry) throw err;
    const delay = backoffDelay(attempt, o.baseMs, o.maxMs);
    o.onRetry?.(err, attempt, delay);
    await sleep(delay, o.signal);
    try {
      return await fn(attempt + 1);
    } catch (next) {
      err = next;
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
