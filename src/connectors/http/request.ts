/**
 * One http-out request per message with undici, retried with the kit's backoff on what can pass (a network error, a
 * timeout, 408, 425, 429, 5xx), waiting at least what `Retry-After` asks (up to the longest retry delay). Any other
 * answer outside 2xx is a deterministic failure whose reason quotes the response: sending it again would not help.
 */
import { Agent, type Dispatcher, request } from 'undici';
import { RetriedDelivery, reasonOf, sleep } from '../../kit/index.js';
import { DeterministicError, markFailure, TransientError } from '../../spec/failure.js';

export type Method = 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE';

export interface AgentSettings {
  connections: number;
  tls?: { ca?: string; cert?: string; key?: string; verifyServer: boolean };
}

/** A connection pool per origin, with the TLS settings (custom CA, client certificate for mTLS). */
export function createAgent(s: AgentSettings): Agent {
  return new Agent({
    connections: s.connections,
    pipelining: 1,
    connect: s.tls
      ? {
          ca: s.tls.ca || undefined,
          cert: s.tls.cert || undefined,
          key: s.tls.key || undefined,
          rejectUnauthorized: s.tls.verifyServer,
        }
      : undefined,
  });
}

/** The answer, for the response port. */
export interface HttpAnswer {
  status: number;
  /** Empty unless the exchange keeps the body (`keepBody`, the response port). */
  headers: Record<string, string>;
  body: Buffer;
}

export interface RequestSpec {
  url: string;
  method: Method;
  headers: Record<string, string>;
  body: Buffer | string | undefined;
}

export interface ExchangeOptions {
  agent: Dispatcher;
  timeoutMs: number;
  /** Read the answer's body (for the response port); else it is discarded. */
  keepBody: boolean;
  attempts: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
  signal: AbortSignal;
  /** `http-out "<id>"`, for reasons. */
  who: string;
  onRetry?: (err: unknown, attempt: number) => void;
}

/** Called with the 2xx answer before the delivery resolves (e.g. to emit it); a throw fails the message. */
export type OnAnswer = (answer: HttpAnswer) => void;

/** A failure that may pass, with the server's `Retry-After` when it gave one. */
class RetryableAnswer extends TransientError {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([408, 425, 429]);
/** The body of a 2xx answer nobody reads (zero bytes: nothing to mutate, so one for all). */
const NO_BODY = Buffer.alloc(0);
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const MAX_REASON_BODY = 500;

/** `Retry-After` as milliseconds from now: seconds, or an HTTP date. */
export function retryAfterMs(value: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function quote(body: Buffer): string {
  const text = body.subarray(0, MAX_REASON_BODY).toString('utf8').replace(/\s+/g, ' ').trim();
  return text ? `: ${text}${body.length > MAX_REASON_BODY ? '...' : ''}` : '';
}

/** A message's request with its retries; settles with the 2xx answer in `answer`. */
export class Exchange extends RetriedDelivery {
  answer: HttpAnswer | undefined;
  /** When the last attempt failed and how long its `Retry-After` asked to wait. */
  private failedAt = 0;
  private hintMs = 0;

  /**
   * `o` is meant to be one object per node, not a literal per message: a per-message literal that V8 pretenures
   * (allocates old) would keep, through `onAnswer`, the whole message and its source's request alive until a full GC.
   */
  constructor(
    private readonly spec: RequestSpec,
    private readonly o: ExchangeOptions,
    private readonly onAnswer?: OnAnswer,
  ) {
    super({
      attempts: o.attempts,
      baseMs: o.retryDelayMs,
      maxMs: o.retryMaxDelayMs,
      signal: o.signal,
      retryable: (err) => !(err instanceof DeterministicError),
      onRetry: o.onRetry,
    });
  }

  override failed(err: unknown): void {
    this.failedAt = Date.now();
    this.hintMs = err instanceof RetryableAnswer ? Math.min(err.retryAfterMs ?? 0, this.o.retryMaxDelayMs) : 0;
    super.failed(err);
  }

  protected attempt(): void {
    // The backoff has passed; a longer Retry-After is waited out here.
    const rest = this.failedAt + this.hintMs - Date.now();
    if (this.hintMs > 0 && rest > 0) {
      this.hintMs = 0;
      void sleep(rest, this.o.signal).then(() => this.send());
      return;
    }
    this.send();
  }

  private send(): void {
    this.once().then(
      (answer) => {
        this.answer = answer;
        try {
          this.onAnswer?.(answer);
        } catch (err) {
          this.failed(err);
          return;
        }
        this.succeeded();
      },
      (err: unknown) => this.failed(err),
    );
  }

  private async once(): Promise<HttpAnswer> {
    const { spec, o } = this;
    if (o.signal.aborted) throw new TransientError(`${o.who}: the node is stopping`);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(spec.url, {
        dispatcher: o.agent,
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
        // No per-request abort listener on the node's signal: stopping the node destroys the agent instead.
      });
    } catch (err) {
      throw markFailure(
        new Error(
          `${o.who}: ${spec.method} ${spec.url} failed: ${reasonOf(err)}; check the URL and that the server is reachable (retried while attempts remain)`,
        ),
        'transient',
      );
    }
    const status = res.statusCode;
    const ok = status >= 200 && status < 300;
    let body: Buffer;
    try {
      if (ok && !o.keepBody) {
        await res.body.dump();
        body = NO_BODY;
      } else body = Buffer.from(await res.body.arrayBuffer());
    } catch (err) {
      throw markFailure(new Error(`${o.who}: reading the answer of ${spec.url} failed: ${reasonOf(err)}`), 'transient');
    }
    // The headers are only read for the response port (keepBody): not flattened on every request otherwise.
    if (ok) return { status, headers: o.keepBody ? flatHeaders(res.headers) : NO_HEADERS, body };
    const what = `${o.who}: ${spec.method} ${spec.url} answered ${status}${quote(body)}`;
    if (status >= 500 || RETRYABLE.has(status)) {
      throw new RetryableAnswer(what, retryAfterMs(res.headers['retry-after']));
    }
    // 3xx (redirects are not followed) and 4xx: the request itself is refused.
    throw new DeterministicError(status < 400 ? `${what} (redirects are not followed: set the final URL)` : what);
  }
}
