/**
 * Which body each route takes, enforced from the headers before anything is read: a route without a body schema
 * takes none (an empty `{}` aside, which fetch clients send), a route with one takes JSON only (import also takes
 * flow text), and a request that matched no route has its body refused unread. A cross-site form can only send
 * `text/plain`, `multipart/form-data` or `application/x-www-form-urlencoded`, so insisting on JSON is also a
 * CSRF defence.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

/** What a route accepts as its body. */
export type BodyKind = 'none' | 'json' | 'json-or-text';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on a route with a body schema that also takes raw text (`text/plain`), e.g. import. */
    acceptsText?: boolean;
    /** Derived for every route when it is added (see registerBodyPolicy). */
    body?: BodyKind;
  }
}

/** Enough for the `{}` an API client may send with a POST that takes no body. */
export const NO_BODY_LIMIT = 64;

const BODYLESS = new Set(['GET', 'HEAD']);

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** Call before any route is added: classifies routes, then checks every request against its route's kind. */
export function registerBodyPolicy(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const kind: BodyKind = route.schema?.body ? (route.config?.acceptsText ? 'json-or-text' : 'json') : 'none';
    route.config = { ...route.config, body: kind };
    if (kind === 'none') route.bodyLimit ??= NO_BODY_LIMIT;
  });

  // onRequest runs before Fastify reads the body; the access guard (added earlier) has already run.
  app.addHook('onRequest', async (request) => {
    if (BODYLESS.has(request.method) || !hasBody(request)) return;
    const path = request.url.split('?')[0];
    if (request.is404) throw new ApiError(404, 'not-found', `no route ${request.method} ${path}`);
    const kind = request.routeOptions.config.body ?? 'none';
    const where = `${request.method} ${request.routeOptions.url ?? path}`;
    if (kind === 'none' && Number(request.headers['content-length'] ?? 0) > NO_BODY_LIMIT) {
      throw new ApiError(413, 'body-not-expected', `${where} takes no body`);
    }
    const type = mediaType(request.headers['content-type']);
    if (type === 'application/json' || (kind === 'json-or-text' && type === 'text/plain')) return;
    const accepted =
      kind === 'json-or-text'
        ? 'JSON (Content-Type: application/json) or flow text (text/plain)'
        : 'JSON (Content-Type: application/json)';
    throw new ApiError(415, 'unsupported-media-type', `${where}: send ${accepted}, not "${type || 'no type'}"`);
  });

  // A small body on a route that takes none: `{}` is "nothing", anything else is a mistake worth saying.
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.body !== 'none' || request.body === undefined || isEmptyObject(request.body)) {
      return;
    }
    throw new ApiError(400, 'body-not-expected', `${request.method} ${request.routeOptions.url} takes no body`);
  });
}
