import { setMaxListeners } from 'node:events';
import { type Codec, decode, EncodeError, encode } from '../../src/connectors/codec.js';
import {
  createAgent,
  Exchange,
  type ExchangeOptions,
  type HttpAnswer,
  type RequestSpec,
} from '../../src/connectors/http/request.js';
import { compileCheckedTemplate } from '../../src/expr/template.js';
import { isThenable, nodeProblem, reasonOf } from '../../src/kit/index.js';
import { DeterministicError, type Message, type Static } from '../../src/spec/index.js';
import type { CreateRuntime, Output } from '../../src/spec/runtime-contract.js';
import type { httpOut } from './definition.js';

type Config = Static<typeof httpOut.config>;

const CONTENT_TYPES: Record<Config['codec'], string> = {
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  bytes: 'application/octet-stream',
  form: 'application/x-www-form-urlencoded',
  csv: 'text/csv; charset=utf-8',
};

function urlProblem(text: string): string | undefined {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : `"${text}" is not an http(s) URL`;
  } catch {
    return `"${text.length > 100 ? `${text.slice(0, 100)}...` : text}" is not a URL`;
  }
}

/** A form body from an object payload (a value that is an array repeats the name). */
function formBody(payload: unknown): string {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || payload instanceof Uint8Array) {
    throw new EncodeError('the form codec needs an object payload (field names to values)');
  }
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(payload)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === undefined) continue;
      p.append(k, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
    }
  }
  return p.toString();
}

export const create: CreateRuntime<Config> = (ctx) => {
  const c = ctx.config;
  const who = `http-out "${ctx.nodeId}"`;
  const url = compileCheckedTemplate(c.url, 'url', urlProblem, (m) => new DeterministicError(`${who}: ${m}`));
  const agent = createAgent({
    connections: c.connections,
    tls: c.tls ? { ca: c.ca, cert: c.cert, key: c.key, verifyServer: c.verifyServer } : undefined,
  });
  // Header names in lower case, so the ones set below replace a user's `Content-Type` instead of doubling it.
  const fixed: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers)) fixed[k.toLowerCase()] = v;
  const bodyless = c.method === 'GET' || c.method === 'DELETE';
  if (!bodyless) fixed['content-type'] = c.contentType || fixed['content-type'] || CONTENT_TYPES[c.codec];
  if (c.auth === 'bearer') fixed.authorization = `Bearer ${c.token ?? ''}`;
  if (c.auth === 'basic') {
    fixed.authorization = `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
  }
  let failing = false;
  // Each message waiting out a retry delay listens on the signal: many at once are normal here, not a leak.
  setMaxListeners(0, ctx.signal);

  function spec(msg: Message, to: string): RequestSpec {
    const headers = c.idHeader ? { ...fixed, [c.idHeader]: msg.id } : fixed;
    const body = bodyless
      ? undefined
      : c.codec === 'form'
        ? formBody(msg.payload)
        : encode(msg.payload, c.codec as Codec);
    return { url: to, method: c.method, headers, body };
  }

  function responseMessage(msg: Message, answer: HttpAnswer): Message {
    const decoded =
      answer.body.length === 0
        ? { ok: true as const, payload: null }
        : decode(answer.body, c.responseCodec, 'the response body');
    if (!decoded.ok) throw new DeterministicError(`${who}: ${decoded.reason}`);
    const headers: Record<string, string> = { ...msg.headers, 'http-status': String(answer.status) };
    const type = answer.headers['content-type'];
    if (type) headers['content-type'] = type;
    const wire = Object.assign(Object.create(null), answer.headers) as Record<string, string>;
    return { ...msg, payload: decoded.payload, headers, wire };
  }

  const onRetry = (err: unknown, attempt: number) => {
    if (!failing)
      ctx.status({
        state: 'error',
        reason: nodeProblem('http-out', ctx.nodeId, reasonOf(err), 'check the URL and that the server is reachable'),
      });
    failing = true;
    ctx.log.debug({ attempt, err: reasonOf(err) }, 'http-out: retrying');
  };
  const recovered = () => {
    if (!failing) return;
    failing = false;
    ctx.status({ state: 'connected' });
  };

  // One options object for every message (see Exchange: no per-message literal that could outlive it).
  const exchange: ExchangeOptions = {
    agent,
    timeoutMs: c.timeoutMs,
    keepBody: c.response,
    attempts: c.attempts,
    retryDelayMs: c.retryDelayMs,
    retryMaxDelayMs: c.retryMaxDelayMs,
    signal: ctx.signal,
    who,
    onRetry,
  };

  /** The delivery itself is what the engine waits on (a Completion: no promise per message). */
  function send(msg: Message, to: string, out: Output): PromiseLike<void> {
    return new Exchange(spec(msg, to), exchange, (answer) => {
      recovered();
      if (c.response) out.emit('response', responseMessage(msg, answer));
    }).start();
  }

  return {
    start() {
      ctx.status({ state: 'connected' });
    },
    handle(msg, out) {
      try {
        const to = url.render(msg);
        return isThenable(to) ? to.then((t) => send(msg, t, out)) : send(msg, to, out);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async stop() {
      // The flow has drained (or given up at its deadline): what is still in flight is cut off.
      await agent.destroy().catch(() => undefined);
    },
  };
};
