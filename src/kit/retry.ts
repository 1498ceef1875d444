/** Retry with exponential backoff and jitter, abortable; for sinks' transient failures. */
import { Completion } from './completion.js';
import { currentMeter } from './meter.js';

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

/** The retry fields of a node's config (`retryProperties` in src/spec/retry-schema.ts). */
export interface RetryConfig {
  attempts: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
}

/** RetryOptions from a node's retry fields, so no node maps `retryDelayMs` -> `baseMs` by hand. */
export function retryOptions(
  config: RetryConfig,
  more: Pick<RetryOptions, 'signal' | 'retryable' | 'onRetry'> = {},
): RetryOptions {
  return { attempts: config.attempts, baseMs: config.retryDelayMs, maxMs: config.retryMaxDelayMs, ...more };
}

export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/** After `attempt` failed with `err`: may another attempt follow? */
function mayRetry(err: unknown, attempt: number, o: RetryOptions): boolean {
  return attempt < o.attempts && !o.signal?.aborted && (o.retryable?.(err) ?? true);
}

/**
 * `fn(1)`, then on a retryable failure `fn(2)`, ... after backoff: the promise form of RetriedDelivery (below), for
 * work done once per batch (kafka-out's produce call, a SQL batch). Per message, sinks use a RetriedDelivery.
 */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const call = new RetriedCall(fn, o).start();
  return Promise.resolve(call).then(() => call.value as T);
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
  /** The node this delivery works for (see meter.ts), told of each retry. */
  private readonly meter = currentMeter();

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
    this.meter?.retry();
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

/** withRetry's delivery: each attempt is a call of `fn`, and the value of the one that succeeded is kept. */
class RetriedCall<T> extends RetriedDelivery {
  value: T | undefined;

  constructor(
    private readonly fn: (attempt: number) => Promise<T>,
    retry: RetryOptions,
  ) {
    super(retry);
  }

  protected attempt(n: number): void {
    this.fn(n).then(
      (value) => {
        this.value = value;
        this.succeeded();
      },
      (err: unknown) => this.failed(err),
    );
  }
}
