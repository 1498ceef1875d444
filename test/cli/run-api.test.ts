/** `sluice run --api`: a headless runner an editor deploys to, with the real CLI process. */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { FlowRuntimeView } from '../../src/server/protocol.js';
import { runCli } from '../support/cli.js';
import { generatorFlow, type RunnerProcess, startRunner } from '../support/runner.js';

let runner: RunnerProcess | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

function call(r: RunnerProcess, method: string, path: string, body?: unknown, token = r.token) {
  return fetch(`${r.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'x-sluice-client': 'test',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sluice run --api', () => {
  it('refuses to start without a token, saying how to give one', async () => {
    const r = await runCli(['run', '--api', '0'], { env: { SLUICE_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--api needs a token: pass --token <token> or set SLUICE_TOKEN');
  });

  it('refuses a run with neither flow files nor --api', async () => {
    const r = await runCli(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name flow files or directories to run, or pass --api <port>');
  });

  it('takes deploys on loopback with the token, runs, reports counters, stops, and drains on SIGTERM', async () => {
    runner = await startRunner();
    const r = runner;
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // Token required for every API route, health included.
    expect((await fetch(`${r.url}/api/health`)).status).toBe(401);
    const wrong = await call(r, 'GET', '/api/runtime', undefined, 'f'.repeat(32));
    expect(wrong.status).toBe(401);
    const health = await (await call(r, 'GET', '/api/health')).json();
    expect(health).toEqual({ ok: true, version: expect.any(String), role: 'runner', formats: ['sluice/flow@1'] });

    // No editor pages, no try-it.
    expect((await call(r, 'GET', '/')).status).toBe(404);
    expect((await call(r, 'POST', '/api/try', { flow: {}, nodeId: 'x', message: { payload: 1 } })).status).toBe(404);

    const id = `runner-${Math.random().toString(36).slice(2, 8)}`;
    expect((await call(r, 'POST', '/api/flows', { flow: generatorFlow(id) })).status).toBe(201);
    const deployed = await call(r, 'POST', `/api/flows/${id}/deploy`, {});
    expect(await deployed.json()).toEqual({ deployed: true, flowId: id, revision: 1 });

    const counted = await until('counters to rise', async () => {
      const v = (await (await call(r, 'GET', `/api/runtime/flows/${id}`)).json()) as FlowRuntimeView;
      return v.state === 'running' && (v.counters.dbg?.in ?? 0) >= 3 ? v : undefined;
    });
    expect(counted.counters.gen.out).toBeGreaterThanOrEqual(3);

    // The live feed is there too (the token in the query, as browsers send it).
    const ws = new WebSocket(`${r.url.replace('http', 'ws')}/api/ws?token=${r.token}`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    ws.close();
    expect(JSON.parse(first)).toMatchObject({ type: 'flow-state', flowId: id, state: 'running' });

    const stopped = await (await call(r, 'POST', `/api/flows/${id}/stop`, {})).json();
    expect(stopped).toMatchObject({ stopped: true, flowId: id, notStopped: [] });
    const view = (await (await call(r, 'GET', `/api/runtime/flows/${id}`)).json()) as FlowRuntimeView;
    expect(view.state).toBe('stopped');

    expect(await r.stop()).toBe(0);
    runner = undefined;
  });

  it('runs its flow files and takes deploys beside them', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-runner-files-'));
    const fileId = `file-${Math.random().toString(36).slice(2, 8)}`;
    await writeFile(join(dir, `${fileId}.json`), JSON.stringify(generatorFlow(fileId)));
    try {
      runner = await startRunner([join(dir, `${fileId}.json`)]);
      const r = runner;
      const listed = await until('the file flow to run', async () => {
        const v = (await (await call(r, 'GET', '/api/runtime')).json()) as { flows: FlowRuntimeView[] };
        return v.flows.find((f) => f.flowId === fileId && f.state === 'running');
      });
      expect(listed.revision).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
