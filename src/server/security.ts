/**
 * Who may talk to the admin API: a Host check against DNS rebinding, a same-origin check against cross-site
 * requests (and WebSocket hijacking), and a bearer token, compared in constant time, whenever one is configured.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

export const MIN_TOKEN_LENGTH = 16;
/** State-changing requests must carry this header (any value): a cross-site form cannot set it. */
export const CLIENT_HEADER = 'x-sluice-client';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Names a browser may legitimately put in Host for a server bound to `host`. */
export function allowedHostNames(host: string, extra: readonly string[] = []): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, ...extra.map((h) => h.toLowerCase())]);
  const add = (name: string) =>
    names.add(name.includes(':') && !name.startsWith('[') ? `[${name}]` : name.toLowerCase());
  if (isWildcard(host)) {
    // Bound everywhere: this machine's own names and addresses (a token is required in this case anyway).
    add(hostname());
    add(`${hostname()}.local`);
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) add(a.address);
  } else {
    add(host);
  }
  return names;
}

/** The host name of a Host header, lower-cased ('[::1]' keeps its brackets), or undefined when malformed. */
export function hostNameOf(header: string | undefined): string | undefined {
  if (!header || !/^[A-Za-z0-9.:[\]-]+$/.test(header)) return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(header);
  return m ? m[1].toLowerCase() : undefined;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Rough entropy of a token in bits (Shannon, from its own character counts): catches repeats, not words. */
export function tokenBits(token: string): number {
  const counts = new Map<string, number>();
  for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / token.length) * Math.log2(n / token.length);
  return perChar * token.length;
}

/** A random 16-character hex token (`openssl rand -hex 8`) scores above this in practice. */
const MIN_TOKEN_BITS = 30;

/** Why a token is unfit (too short, whitespace, too repetitive), or undefined when it will do. */
export function tokenProblem(token: string): string | undefined {
  const advice = 'use a random one, e.g. from `openssl rand -hex 16`';
  if (/[\s\p{C}]/u.test(token)) {
    return `the token contains whitespace or control characters (often a stray space or newline from a file); ${advice}`;
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    return `the token is too short (${token.length} characters); use at least ${MIN_TOKEN_LENGTH}, e.g. from \`openssl rand -hex 16\``;
  }
  const bits = tokenBits(token);
  if (bits < MIN_TOKEN_BITS) {
    return `the token is too easy to guess (about ${Math.round(bits)} bits: too few different characters); ${advice}`;
  }
  return undefined;
}

/** Constant-time: both sides are hashed to the same length first. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

/** Browsers cannot set headers on a WebSocket, so the socket may carry the token in `?token=`. */
function queryToken(request: FastifyRequest): string | undefined {
  const q = request.url.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(request.url.slice(q + 1)).get('token') ?? undefined;
}

export interface GuardOptions {
  host: string;
  token?: string;
  allowedHosts?: readonly string[];
  /** Extra origins allowed besides the server's own (e.g. a dev server's). */
  allowedOrigins?: readonly string[];
  wsPath: string;
}

/** Methods that change state: they need the client header (a cross-site form or simple request cannot send it). */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The path of a request that matched no route, as a router would see it (`/%61pi` is `/api`). */
function isApiPath(url: string): boolean {
  let path = url.split('?')[0];
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape: judge the raw path.
  }
  return path === '/api' || path.startsWith('/api/');
}

/**
 * An onRequest hook that rejects before any route (or WebSocket upgrade) runs, and before any body is read:
 * Fastify parses a body only after the onRequest hooks, so a refused request costs no parsing.
 */
export function createGuard(options: GuardOptions) {
  const hosts = allowedHostNames(options.host, options.allowedHosts);
  const origins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase().replace(/\/$/, '')));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const hostHeader = request.headers.host;
    const name = hostNameOf(hostHeader);
    if (!name || !hosts.has(name)) {
      throw new ApiError(
        403,
        'bad-host',
        `Host "${hostHeader ?? ''}" is not this server; open the editor at the address the server printed`,
      );
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      const o = origin.toLowerCase();
      const own = o === `http://${hostHeader?.toLowerCase()}` || o === `https://${hostHeader?.toLowerCase()}`;
      if (!own && !origins.has(o)) {
        throw new ApiError(403, 'bad-origin', `requests from origin "${origin}" are not allowed`);
      }
    }
    // Decide by the matched route, not the raw URL: `/%61pi/flows` routes to `/api/flows` too. A request that
    // matched nothing is judged by its decoded path, so probing `/api/...` without the token learns nothing.
    const route = request.routeOptions.url;
    const api = request.is404 ? isApiPath(request.url) : route?.startsWith('/api/') === true;
    // The editor page stays reachable from a link on another site; only the API refuses cross-site callers.
    if (!api) return;
    // Browsers say where a request comes from even when they send no Origin (e.g. a form posted cross-site).
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      throw new ApiError(403, 'cross-site', 'cross-site requests to the API are not allowed');
    }
    if (options.token !== undefined) {
      const given = bearer(request) ?? (route === options.wsPath ? queryToken(request) : undefined);
      if (!tokenMatches(given, options.token)) {
        reply.header('WWW-Authenticate', 'Bearer realm="sluice"');
        throw new ApiError(401, 'unauthorized', 'missing or wrong token: send "Authorization: Bearer <token>"');
      }
    }
    const clientHeader = request.headers[CLIENT_HEADER];
    if (STATE_CHANGING.has(request.method) && !request.is404 && (clientHeader === undefined || clientHeader === '')) {
      throw new ApiError(
        403,
        'missing-client-header',
        `${request.method} requests must carry the header "${CLIENT_HEADER}" (any value, e.g. "${CLIENT_HEADER}: cli"); a cross-site page cannot send it`,
      );
    }
  };
}
