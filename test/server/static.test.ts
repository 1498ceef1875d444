import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/server/protocol.js';
import { call, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('the editor', () => {
  it('serves the build with a strict CSP, falling back to index.html for editor routes', async () => {
    t = await startServer();
    const dist = join(t.dir, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(
      join(dist, 'index.html'),
      '<!doctype html><title>Sluice editor</title><script type="module" src="./assets/app.js"></script>',
    );
    await writeFile(join(dist, 'assets', 'app.js'), 'console.log("editor")');
    const dir = t.dir;
    await t.server.close();
    t = await startServer({ dir, staticDir: dist });

    const index = await call(t.app, 'GET', '/');
    expect(index.status).toBe(200);
    expect(index.text).toContain('Sluice editor');
    expect(index.headers['content-security-policy']).toMatch(/^default-src 'self'; /);
    expect(index.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');

    const js = await call(t.app, 'GET', '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.text).toBe('console.log("editor")');

    const route = await call(t.app, 'GET', '/flows/some-flow');
    expect(route.status).toBe(200);
    expect(route.text).toContain('Sluice editor');

    const api = await call<ApiErrorBody>(t.app, 'GET', '/api/not-a-route');
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe('not-found');
    // No escaping the build folder.
    expect((await call(t.app, 'GET', '/../flows/x.json')).text).not.toContain('"format"');
  });

  it('lets the browser keep the hashed scripts for good and revalidate the page that names them', async () => {
    t = await startServer();
    const dist = join(t.dir, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(
      join(dist, 'index.html'),
      '<!doctype html><script type="module" src="./assets/index-Ab3_x-9Z.js"></script>',
    );
    await writeFile(join(dist, 'assets', 'index-Ab3_x-9Z.js'), 'console.log("editor")');
    await writeFile(join(dist, 'assets', 'notes.js'), 'console.log("unhashed")');
    const dir = t.dir;
    await t.server.close();
    t = await startServer({ dir, staticDir: dist });

    expect((await call(t.app, 'GET', '/assets/index-Ab3_x-9Z.js')).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
    expect((await call(t.app, 'GET', '/')).headers['cache-control']).toBe('no-cache');
    expect((await call(t.app, 'GET', '/flows/some-flow')).headers['cache-control']).toBe('no-cache');
    // A name without a content hash could change under the same name: asked again every time.
    expect((await call(t.app, 'GET', '/assets/notes.js')).headers['cache-control']).toBe('no-cache');
  });

  it('says to run the build when there is none', async () => {
    t = await startServer();
    const res = await call(t.app, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('npm run build');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'self'/);
  });
});
