/**
 * Request bodies: our own JSON parser so a malformed body gets a line and column, absurd nesting refused by a scan
 * before parsing, and a walk that refuses prototype-polluting keys (`__proto__`, `constructor`, `prototype`).
 */
import type { FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH } from '../flow/json-depth.js';
import { parseFlowText } from '../flow/parse.js';
import { ApiError } from './errors.js';

export const BODY_LIMIT = 5 * 1024 * 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Parsed values come from text already scanned for depth; this guards values that did not (e.g. tests). */
const MAX_DEPTH = MAX_JSON_DEPTH;

/** Throws ApiError 400 naming the first forbidden key or the place nesting goes too deep. */
export function assertSafeJson(value: unknown): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth > MAX_DEPTH) {
      throw new ApiError(400, 'too-deep', `the body nests deeper than ${MAX_DEPTH} levels at ${item.path || '/'}`);
    }
    if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => {
        stack.push({ value: v, path: `${item.path}/${i}`, depth: item.depth + 1 });
      });
      continue;
    }
    for (const [key, v] of Object.entries(item.value)) {
      const path = `${item.path}/${key}`;
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ApiError(400, 'forbidden-key', `the key "${key}" is not allowed (at ${path})`, [
          { severity: 'error', code: 'forbidden-key', path, message: `the key "${key}" is not allowed` },
        ]);
      }
      stack.push({ value: v, path, depth: item.depth + 1 });
    }
  }
}

/** Parse JSON text from a request: 400 with line/column when malformed, 400 on forbidden keys. */
export function parseJsonBody(text: string): unknown {
  const parsed = parseFlowText(text);
  if (!parsed.ok) {
    const code = parsed.problem.code === 'too-deep' ? 'too-deep' : 'malformed-json';
    const message =
      code === 'too-deep' ? parsed.problem.message.replace('the JSON', 'the body') : parsed.problem.message;
    throw new ApiError(400, code, message, [parsed.problem]);
  }
  assertSafeJson(parsed.value);
  return parsed.value;
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // An empty body is "no body" (fetch sends the header anyway); the route schema decides if one is required.
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
