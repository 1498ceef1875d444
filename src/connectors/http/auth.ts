/**
 * Request authentication for http-in, checked before anything reaches the flow: a bearer token, or an HMAC
 * signature of the raw body with a shared secret (GitHub's `X-Hub-Signature-256: sha256=<hex>`, Stripe's
 * `Stripe-Signature: t=<unix>,v1=<hex>` over `<t>.<body>`, or a header of your own). Constant-time comparisons.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type AuthMode = 'none' | 'bearer' | 'github' | 'stripe' | 'hmac';

export interface AuthSettings {
  auth: AuthMode;
  token?: string;
  secret?: string;
  /** `hmac`: the header holding the signature. */
  signatureHeader: string;
  /** `hmac`: text before the signature in the header, e.g. `sha256=`. */
  signaturePrefix: string;
  signatureAlgorithm: 'sha256' | 'sha1' | 'sha512';
  signatureFormat: 'hex' | 'base64';
  /** `stripe`: how old a signed timestamp may be. */
  signatureToleranceSeconds: number;
}

/** Whether the checks need the raw body (signatures) before the request can be accepted. */
export function needsBody(s: AuthSettings): boolean {
  return s.auth === 'github' || s.auth === 'stripe' || s.auth === 'hmac';
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Undefined when the request may pass; else why not (answered 401, never shown the secret). */
export function checkHeaders(s: AuthSettings, headers: IncomingHttpHeaders): string | undefined {
  if (s.auth !== 'bearer') return undefined;
  const given = header(headers, 'authorization');
  if (!given) return 'no Authorization header';
  const m = /^Bearer\s+(.+)$/i.exec(given);
  if (!m) return 'the Authorization header is not a bearer token';
  return equalText(m[1].trim(), s.token ?? '') ? undefined : 'the bearer token is wrong';
}

/** For the signature modes: undefined when the body's signature is right. */
export function checkSignature(
  s: AuthSettings,
  headers: IncomingHttpHeaders,
  body: Buffer,
  nowMs = Date.now(),
): string | undefined {
  const secret = s.secret ?? '';
  if (s.auth === 'github') {
    const given = header(headers, 'x-hub-signature-256');
    if (!given) return 'no X-Hub-Signature-256 header';
    const want = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    return equalText(given, want) ? undefined : 'the X-Hub-Signature-256 signature does not match the body';
  }
  if (s.auth === 'stripe') {
    const given = header(headers, 'stripe-signature');
    if (!given) return 'no Stripe-Signature header';
    let t: string | undefined;
    const v1: string[] = [];
    for (const part of given.split(',')) {
      const eq = part.indexOf('=');
      const k = part.slice(0, eq).trim();
      const v = part.slice(eq + 1).trim();
      if (k === 't') t = v;
      else if (k === 'v1') v1.push(v);
    }
    if (t === undefined || !/^\d+$/.test(t) || v1.length === 0) return 'the Stripe-Signature header is malformed';
    const age = Math.abs(nowMs / 1000 - Number(t));
    if (age > s.signatureToleranceSeconds) {
      return `the Stripe-Signature timestamp is ${Math.round(age)} s away from now (more than ${s.signatureToleranceSeconds} s)`;
    }
    const want = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
    return v1.some((v) => equalText(v, want)) ? undefined : 'the Stripe-Signature does not match the body';
  }
  if (s.auth === 'hmac') {
    const given = header(headers, s.signatureHeader);
    if (!given) return `no ${s.signatureHeader} header`;
    const want = s.signaturePrefix + createHmac(s.signatureAlgorithm, secret).update(body).digest(s.signatureFormat);
    return equalText(given.trim(), want) ? undefined : `the ${s.signatureHeader} signature does not match the body`;
  }
  return undefined;
}
