/**
 * Remote runners behind the editor's server: added after a check (reachable, Sluice, token, flow format), deployed to,
 * watched and stopped through same-origin routes, against a real `sluice run --api` process.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runtime/log.js';
import { createServer, type SluiceServer } from '../../src/server/app.js';
import type { RuntimeView } from '../../src/server/protocol.js';
import { runnerRoutes } from '../../src/server/runners/routes.js';
import { defaultRunnersFile, RunnerSettings } from '../../src/server/runners/settings.js';
import { formatProblem } from '../../src/server/runners/version.js';
import { generatorFlow, type RunnerProcess, startRunner } from '../support/runner.js';
import { call } from './support.js';

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const { createServer: tcp } = await import('node:net');
  const s = tcp();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

let runner: RunnerProcess;
let editor: SluiceServer;
let dir: string;
let runnersFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-runners-'));
  runnersFile = join(dir, 'config', 'runners.json');
  runner = await startRunner();
  editor = await createServer({
    port: 0,
    flowsDir: join(dir, 'flows'),
    staticDir: join(dir, 'no-editor'),
    log: createLogger({ level: 'warn' }),
    extraRoutes: runnerRoutes(await RunnerSettings.open(runnersFile)),
  });
}, 60_000);

afterAll(async () => {
  await editor?.close();
  await runner?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('remote runners', () => {
  it('refuses a wrong token, an address where nothing listens, and something that is not Sluice, saying which', async () => {
    const wrong = await call<{ error: { code: string; message: string } }>(editor.app, 'POST', '/api/runners', {
      name: 'edge-1',
      url: runner.url,
      token: '0123456789abcdef0123456789abcdef',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('runner-unauthorized');
    expect(wrong.body.error.message).toBe(
      `runner "edge-1" at ${runner.url} refused the token; use the token it was started with (--token or SLUICE_TOKEN)`,
    );

    const closed = await closedPort();
    const nobody = await call<{ error: { code: string; message: string } }>(editor.app, 'POST', '/api/runners', {
      name: 'gone',
      url: `http://127.0.0.1:${closed}`,
      token: runner.token,
    });
    expect(nobody.status).toBe(502);
    expect(nobody.body.error.code).toBe('runner-unreachable');
    expect(nobody.body.error.message).toContain(
      `cannot reach runner "gone" at http://127.0.0.1:${closed} (ECONNREFUSED)`,
    );

    // An address that answers, but not as a Sluice runner.
    const page = await call<{ error: { code: string } }>(editor.app, 'POST', '/api/runners', {
      name: 'web',
      url: `${editor.url}/nothing-here`,
      token: runner.token,
    });
    expect(page.body.error.code).toBe('runner-invalid');
    expect((await call<{ runners: unknown[] }>(editor.app, 'GET', '/api/runners')).body.runners).toEqual([]);
  });

  it('adds a runner, keeps its token out of replies and in a 0600 file, deploys there, reads counters, stops', async () => {
    const added = await call<{ id: string; name: string; url: string; version: string }>(
      editor.app,
      'POST',
      '/api/runners',
      { name: 'edge-1', url: `${runner.url}/`, token: runner.token },
    );
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      id: expect.stringMatching(/^runner-/),
      name: 'edge-1',
      url: runner.url,
      version: expect.any(String),
    });
    const listed = await call(editor.app, 'GET', '/api/runners');
    expect(listed.text).not.toContain(runner.token);
    expect((await stat(runnersFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(runnersFile, 'utf8')).toContain(runner.token);

    const id = `remote-${Math.random().toString(36).slice(2, 8)}`;
    expect((await call(editor.app, 'POST', '/api/flows', { flow: generatorFlow(id) })).status).toBe(201);
    const base = `/api/runners/${added.body.id}`;
    const deployed = await call(editor.app, 'POST', `${base}/flows/${id}/deploy`, {});
    expect(deployed.body).toEqual({ deployed: true, runnerId: added.body.id, flowId: id, revision: 1 });
    // It runs there, not here.
    expect((await call<RuntimeView>(editor.app, 'GET', '/api/runtime')).body.flows).toEqual([]);
    const end = Date.now() + 20_000;
    let dbgIn = 0;
    while (dbgIn < 3 && Date.now() < end) {
      const view = (await call<RuntimeView>(editor.app, 'GET', `${base}/runtime`)).body;
      dbgIn = view.flows.find((f) => f.flowId === id)?.counters.dbg?.in ?? 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(dbgIn).toBeGreaterThanOrEqual(3);

    // A second deploy updates the runner's copy (a new revision there) and restarts it.
    const again = await call<{ revision: number }>(editor.app, 'POST', `${base}/flows/${id}/deploy`, {});
    expect(again.body.revision).toBe(2);

    const stopped = await call(editor.app, 'POST', `${base}/flows/${id}/stop`, {});
    expect(stopped.body).toMatchObject({ stopped: true, flowId: id });
    const view = (await call<RuntimeView>(editor.app, 'GET', `${base}/runtime`)).body;
    expect(view.flows.find((f) => f.flowId === id)?.state).toBe('stopped');

    // Kept across restarts of the editor's server.
    const reopened = await RunnerSettings.open(runnersFile);
    expect(reopened.list()).toEqual([{ id: added.body.id, name: 'edge-1', url: runner.url }]);
    expect((await call(editor.app, 'DELETE', base)).status).toBe(200);
    expect((await call(editor.app, 'POST', `${base}/flows/${id}/stop`, {})).status).toBe(404);
  });
});

describe('flow format check', () => {
  it('accepts a runner that reads the format and refuses one that does not, saying what to do', () => {
    expect(formatProblem('a', { ok: true, version: '0.1.0', formats: ['sluice/flow@1'] })).toBeUndefined();
    expect(formatProblem('old', { ok: true, version: '0.0.5' })).toBe(
      'runner "old" (Sluice 0.0.5) does not say which flow formats it reads, not sluice/flow@1: upgrade the runner to a Sluice that reads sluice/flow@1',
    );
    expect(formatProblem('b', { ok: true, version: '0.1.0', formats: ['sluice/flow@1'] }, 'sluice/flow@2')).toBe(
      'runner "b" (Sluice 0.1.0) reads sluice/flow@1, not sluice/flow@2: upgrade the runner to a Sluice that reads sluice/flow@2',
    );
  });

  it('keeps runners in the user config directory by default', () => {
    expect(defaultRunnersFile({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/sluice/runners.json');
    expect(defaultRunnersFile({}, '/home/u')).toBe('/home/u/.config/sluice/runners.json');
  });
});
