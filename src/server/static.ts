/**
 * The built editor at `/` (any other non-API path falls back to index.html for client-side routes), a short
 * page when it is not built, and the security headers every response carries.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

/**
 * Strict: everything from this origin only, no inline or generated script (the editor precompiles its Ajv
 * validators at build time, so it needs no 'unsafe-eval'; see API.md).
 */
export const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** renderer/dist next to src/ (tsx) or next to dist/src/ (compiled). */
export function defaultStaticDir(): string {
  for (const rel of ['../../renderer/dist', '../../../renderer/dist']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return fileURLToPath(new URL('../../renderer/dist', import.meta.url));
}

/** What Vite writes under assets/: a name with its content hash. */
const IMMUTABLE_ASSET = /[\\/]assets[\\/][^\\/]+-[A-Za-z0-9_-]{8}\.(?:js|css|woff2|svg|png)$/;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sluice</title></head>
<body><h1>Sluice</h1><p>The editor is not built yet. Run <code>npm run build</code>, then reload this page.</p>
<p>The admin API is running at <code>/api</code>.</p></body></html>
`;

export async function registerStatic(app: FastifyInstance, staticDir: string): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Content-Security-Policy', CSP);
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  const built = existsSync(`${staticDir}/index.html`);
  if (built)
    await app.register(fastifyStatic, {
      root: staticDir,
      prefix: '/',
      index: 'index.html',
      // The build names every script and style after its content: a browser keeps them and never asks again, and
      // Chromium reuses the code it compiled from them (the editor then opens without parsing its script again).
      // index.html names the current ones, so it is always revalidated.
      setHeaders(reply, path) {
        reply.header('Cache-Control', IMMUTABLE_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0];
    if (path.startsWith('/api/') || path === '/api' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      throw new ApiError(404, 'not-found', `no route ${request.method} ${path}`);
    }
    if (built) return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
    return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
  });
}
