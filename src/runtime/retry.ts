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

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const canRetry = attempt < o.attempts && !o.signal?.aborted && (o.retryable?.(err) ?? true);
      if (!canRetry) throw err;
      const delay = backoffDelay(attempt, o.baseMs, o.maxMs);
      o.onRetry?.(err, attempt, delay);
      await sleep(delay, o.signal);
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
