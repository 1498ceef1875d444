/**
 * One http-in route: authenticates a request, reads and decodes its body, hands it to the flow and answers once the
 * flow has settled it (or at once with 202 in the at-most-once mode). HTTP's own at-least-once: the client keeps the
 * message until it sees a 2xx, and retries on a 5xx, a timeout or a broken connection.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Deadline, Deadlines } from '../../kit/index.js';
import { type Message, newMessageId, type WireHeaders } from '../../spec/message.js';
import type { Logger, Outcome, Settle } from '../../spec/runtime-contract.js';
import type { Decoded } from '../codec.js';
import { isReservedHeader } from '../envelope.js';
import { type AuthSettings, checkHeaders, checkSignature, needsBody } from './auth.js';
import { type BodyCodec, type BodyRead, type CsvOptions, decodeBody, formObject, readBody } from './body.js';

export interface WebhookSettings extends AuthSettings {
  codec: BodyCodec;
  csv: CsvOptions;
  maxBodyBytes: number;
  /** `settled`: answer after the flow settled the message. `at-once`: 202 on receipt (at most once). */
  respond: 'settled' | 'at-once';
  successStatus: number;
  /** Longest wait for the flow to settle a message (and for room in the flow) before answering 503. */
  responseTimeoutMs: number;
  resendAfterSeconds: number;
  /** A request header whose value becomes the message id (so a client's retry keeps its id). */
  idHeader: string;
}

export interface WebhookFlow {
  ingest(msg: Message, settle?: Settle): undefined | Promise<void>;
  ingestFailed(msg: Message, reason: string, settle?: Settle): undefined | Promise<void>;
  log: Logger;
}

/** Request headers never passed on: credentials, signatures and hop-by-hop framing. */
const DROPPED = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'expect',
  'content-length',
  'x-hub-signature',
  'x-hub-signature-256',
  'stripe-signature',
]);

const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

export interface WebhookCounts {
  requests: number;
  refused: number;
}

export class Webhook {
  private taking = true;
  /** Set while the flow's in-flight window is full: new requests wait for it. */
  private room: Promise<void> | undefined;
  /** Requests waiting for room, in arrival order. */
  private readonly queue: Array<(ok: boolean) => void> = [];
  /** Answers still owed, so a stop can answer them (503) instead of leaving clients hanging. */
  private readonly open = new Set<ServerResponse>();
  readonly counts: WebhookCounts = { requests: 0, refused: 0 };
  /** One timer for every request waiting on the flow (they all wait the same time). */
  private readonly deadlines: Deadlines<Waiting>;

  constructor(
    private readonly s: WebhookSettings,
    private readonly flow: WebhookFlow,
  ) {
    this.deadlines = new Deadlines<Waiting>(s.responseTimeoutMs, this.timedOut);
  }

  stopTaking(): void {
    this.taking = false;
  }

  /** Answers every request still waiting with 503 (the flow stopped before settling them). */
  abandon(): void {
    for (const turn of this.queue.splice(0)) turn(true); // each then sees the flow is not taking and answers 503
    for (const res of this.open) this.retryLater(res, 'the flow stopped', true);
    this.open.clear();
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>): void => {
    this.counts.requests++;
    if (!this.taking) {
      this.retryLater(res, 'the flow is stopping', true);
      return;
    }
    const denied = checkHeaders(this.s, req.headers);
    if (denied) {
      this.refuse(req, res, 401, denied);
      return;
    }
    readBody(req, this.s.maxBodyBytes, (read) => {
      try {
        this.received(req, res, params, read);
      } catch (err) {
        this.failedToAnswer(res, err);
      }
    });
  };

  private failedToAnswer(res: ServerResponse, err: unknown): void {
    this.flow.log.warn({ err: (err as Error).message }, 'http-in: answering a request failed');
    if (!res.headersSent) this.retryLater(res, 'internal error', true);
  }

  private received(req: IncomingMessage, res: ServerResponse, params: Record<string, string>, read: BodyRead): void {
    if (!read.ok) {
      this.refuse(req, res, read.status, read.reason);
      return;
    }
    const s = this.s;
    if (needsBody(s)) {
      const bad = checkSignature(s, req.headers, read.body);
      if (bad) {
        this.refuse(req, res, 401, bad);
        return;
      }
    }
    const msg = this.message(req, params, read.body);
    const decoded =
      read.body.length === 0 && BODYLESS.has(req.method ?? '')
        ? { ok: true as const, payload: queryPayload(req.url ?? '') }
        : decodeBody(read.body, s.codec, s.csv);
    msg.payload = decoded.payload;
    if (this.room || this.queue.length > 0) {
      this.waitForRoom(res).then(
        (ok) => {
          if (ok) this.admit(res, msg, decoded);
        },
        (err: unknown) => this.failedToAnswer(res, err),
      );
      return;
    }
    this.admit(res, msg, decoded);
  }

  /** The flow has room: hand the message over and answer now (at-once) or once it settles. */
  private admit(res: ServerResponse, msg: Message, decoded: Decoded): void {
    if (!this.taking) {
      this.pump();
      this.retryLater(res, 'the flow is stopping', true);
      return;
    }
    if (this.s.respond === 'at-once') {
      // At most once: answered before the flow has it; a body that does not decode is still a bad request.
      this.track(decoded.ok ? this.flow.ingest(msg) : this.flow.ingestFailed(msg, decoded.reason));
      if (decoded.ok) this.reply(res, 202, { id: msg.id, accepted: true });
      else this.reply(res, 400, { id: msg.id, error: decoded.reason });
      return;
    }
    const wait = new Waiting(this, res, msg.id, decoded.ok ? undefined : decoded.reason);
    const full = decoded.ok
      ? this.flow.ingest(msg, wait.settle)
      : this.flow.ingestFailed(msg, decoded.reason, wait.settle);
    // Settled already (a flow that acks at once): no clock to start and stop, which armed and cleared a timer on
    // every request when nothing else was waiting.
    if (!wait.answered) {
      this.open.add(res);
      this.deadlines.add(wait);
    }
    this.track(full);
  }

  /** The flow settled a message (once): answer its request, unless the timeout already did. */
  answer(w: Waiting, o: Outcome): void {
    if (w.answered) return;
    w.answered = true;
    this.deadlines.remove(w);
    this.open.delete(w.res);
    if (!o.ok) this.retryLater(w.res, 'not delivered');
    else if (w.badBody !== undefined) this.reply(w.res, 400, { id: w.id, error: w.badBody });
    else this.reply(w.res, this.s.successStatus, { id: w.id });
  }

  private readonly timedOut = (w: Waiting): void => {
    if (w.answered) return;
    w.answered = true;
    this.open.delete(w.res);
    this.flow.log.warn(
      { id: w.id, timeoutMs: this.s.responseTimeoutMs },
      'http-in: the flow did not settle the message in time; answered 503 (the client should retry)',
    );
    this.retryLater(w.res, `not delivered within ${this.s.responseTimeoutMs} ms`);
  };

  /** After an ingest: a full flow makes later requests wait for room; with room, the next waiter goes in. */
  private track(full: undefined | Promise<void>): void {
    if (full) {
      const room = full.then(() => {
        if (this.room !== room) return;
        this.room = undefined;
        this.pump();
      });
      this.room = room;
    } else this.pump();
  }

  /**
   * Waits for its turn while the flow is full: one waiter is let in at a time, and the next only after it ingested
   * (it may fill the flow again). False when the response timeout passed first (answered 503).
   */
  private waitForRoom(res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const turn = (ok: boolean) => {
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => {
        const i = this.queue.indexOf(turn);
        if (i >= 0) this.queue.splice(i, 1);
        this.retryLater(res, 'the flow is busy');
        resolve(false);
      }, this.s.responseTimeoutMs);
      this.queue.push(turn);
    });
  }

  /** Lets the next waiter in when the flow has room. */
  private pump(): void {
    if (!this.room) this.queue.shift()?.(true);
  }

  private message(req: IncomingMessage, params: Record<string, string>, body: Buffer): Message {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const headers: Record<string, string> = { 'http-method': req.method ?? 'GET', 'http-path': path };
    if (q >= 0) headers['http-query'] = url.slice(q + 1);
    for (const [k, v] of Object.entries(params)) headers[`http-param-${k === '*' ? 'rest' : k}`] = v;
    const type = req.headers['content-type'];
    if (type) headers['content-type'] = type;
    const wire = wireHeaders(req.headers, headers);
    const given = this.s.idHeader ? req.headers[this.s.idHeader.toLowerCase()] : undefined;
    const id = typeof given === 'string' && given !== '' && given.length <= 200 ? given : newMessageId();
    return {
      id,
      topic: path,
      payload: body,
      headers,
      ...(wire ? { wire } : {}),
      timestamp: Date.now(),
    };
  }

  private refuse(req: IncomingMessage, res: ServerResponse, status: number, reason: string): void {
    this.counts.refused++;
    this.flow.log.debug({ status, reason, path: req.url }, 'http-in: request refused');
    // The body may be unread (401 before reading, 413): close rather than drain it.
    res.setHeader('connection', 'close');
    if (status === 401 && this.s.auth === 'bearer') res.setHeader('www-authenticate', 'Bearer');
    this.reply(res, status, { error: reason });
  }

  retryLater(res: ServerResponse, reason: string, close = false): void {
    if (res.headersSent || res.destroyed) return;
    res.setHeader('retry-after', String(this.s.resendAfterSeconds));
    if (close) res.setHeader('connection', 'close');
    this.reply(res, 503, { error: reason });
  }

  private reply(res: ServerResponse, status: number, body: object): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    // The flat array form: Node takes it without walking an object's keys.
    res.writeHead(status, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(text))]);
    res.end(text);
  }
}

function queryPayload(url: string): Record<string, string | string[]> {
  const q = url.indexOf('?');
  return formObject(new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
}

/**
 * The request's headers as received (credentials and framing left out), or undefined when none remain; each with one
 * value and a name Sluice does not reserve is also put in `headers`.
 */
function wireHeaders(h: IncomingHttpHeaders, headers: Record<string, string>): WireHeaders | undefined {
  let out: WireHeaders | undefined;
  for (const k in h) {
    const v = h[k];
    if (v === undefined || DROPPED.has(k)) continue;
    out ??= Object.create(null) as WireHeaders;
    out[k] = v;
    if (typeof v === 'string' && !isReservedHeader(k)) headers[k] = v;
  }
  return out;
}

/** A request waiting for the flow to settle its message. */
class Waiting extends Deadline {
  answered = false;
  readonly settle: Settle;

  constructor(
    hook: Webhook,
    readonly res: ServerResponse,
    readonly id: string,
    /** Why the body did not decode (answered 400 once the error route has it). */
    readonly badBody: string | undefined,
  ) {
    super();
    this.settle = (o) => hook.answer(this, o);
  }
}
