/** Retry with exponential backoff and jitter, abortable; for sinks' transient failures. */
import { Completion } from './completion.js';

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

/** After `attempt` failed with `err`: may another attempt follow? */
function mayRetry(err: unknown, attempt: number, o: RetryOptions): boolean {
  return attempt < o.attempts && !o.signal?.aborted && (o.retryable?.(err) ?? true);
}

async function retryAfter<T>(err: unknown, fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (!mayRetry(err, attempt, o)) throw err;
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

/** Where one attempt reports its end. */
export interface AttemptTarget {
  succeeded(): void;
  failed(err: unknown): void;
}

/**
 * One message's delivery with retries, as a single object: the Completion a sink's `handle` returns and the target
 * each attempt reports to (withRetry's promise chain made several objects per message, alive until the broker's
 * acknowledgement). Subclasses start one attempt in `attempt`; a synchronous throw there is a failed attempt.
 */
export abstract class RetriedDelivery extends Completion implements AttemptTarget {
  private tries = 0;

  constructor(private readonly retry: RetryOptions) {
    super();
  }

  protected abstract attempt(n: number): void;

  /** Start the first attempt; returns this (for `return new X(...).start()`). */
  start(): this {
    this.next();
    return this;
  }

  succeeded(): void {
    this.resolve();
  }

  failed(err: unknown): void {
    const o = this.retry;
    if (!mayRetry(err, this.tries, o)) {
      this.reject(err);
      return;
    }
    const delay = backoffDelay(this.tries, o.baseMs, o.maxMs);
    o.onRetry?.(err, this.tries, delay);
    void sleep(delay, o.signal).then(() => this.next());
  }

  private next(): void {
    this.tries++;
    try {
      this.attempt(this.tries);
    } catch (err) {
      this.failed(err);
    }
  }
}
