/**
 * `sluice serve` running many flows against the real Mosquitto: issue 10 fault 2 (a failed deploy never wedges the
 * runtime, and one SIGTERM stops it), two flows at once with one redeployed while the other keeps counting, and a
 * restart (crash or SIGTERM) resuming every deployed flow at its deployed revision.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowRuntimeView, RuntimeView } from '../../src/server/protocol.js';
import { CLIENT_HEADER } from '../../src/server/security.js';
import { requireService } from '../support/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');
const mainTs = join(root, 'src/cli/main.ts');
const children: ChildProcess[] = [];
let dir: string | undefined;

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function serve(flowsDir: string, env: Record<string, string> = {}) {
  const proc = spawn(
    process.execPath,
    ['--import', tsxLoader, mainTs, 'serve', '--port', '0', '--flows-dir', flowsDir, '--log-level', 'info'],
    { cwd: root, env: { ...process.env, ...env, SLUICE_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d) => {
    stdout += String(d);
  });
  proc.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const look = () => {
      const m = /Sluice editor: (http:\/\/[^/\s]+)\//.exec(stdout);
      if (m) resolve(m[1]);
    };
    proc.stdout?.on('data', look);
    void exited.then(() => reject(new Error(`exited before printing a URL: ${stderr}`)));
  });
  url.catch(() => undefined);
  return { proc, url, exited, output: () => ({ stdout, stderr }) };
}

async function api<T>(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers:
      body === undefined
        ? { [CLIENT_HEADER]: 'test' }
        : { 'content-type': 'application/json', [CLIENT_HEADER]: 'test' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function flowView(url: string, id: string): Promise<FlowRuntimeView | undefined> {
  const all = (await api<RuntimeView>(url, 'GET', '/api/runtime')).body;
  return all.flows.find((f) => f.flowId === id);
}

async function eventually<T>(check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const tag = randomBytes(4).toString('hex');

/** generate -> mqtt-out -> Mosquitto -> mqtt-in -> debug: counts only while its MQTT clients work. */
function mqttLoop(id: string, o: { debugId?: string; password?: string } = {}) {
  const topic = `sluice-test/many-${tag}/${id}`;
  return {
    format: 'sluice/flow@1',
    id,
    connections: [
      {
        id: 'broker',
        kind: 'mqtt',
        config: { url: 'mqtt://127.0.0.1:1883', ...(o.password ? { username: 'u', password: o.password } : {}) },
      },
    ],
    nodes: [
      { id: 'gen', type: 'generate', config: { intervalMs: 20, payload: '{"n": $seq}' } },
      { id: 'pub', type: 'mqtt-out', config: { connection: 'broker', topic, qos: 1 } },
      { id: 'sub', type: 'mqtt-in', config: { connection: 'broker', topics: [topic], qos: 1, codec: 'json' } },
      { id: o.debugId ?? 'dbg', type: 'debug', config: { keep: 5 } },
    ],
    edges: [
      { source: 'gen', sourcePort: 'out', target: 'pub', targetPort: 'in' },
      { source: 'sub', sourcePort: 'out', target: o.debugId ?? 'dbg', targetPort: 'in' },
    ],
  };
}

const received = (v: FlowRuntimeView | undefined) => v?.counters.sub?.out ?? 0;

describe.runIf(await requireService('mosquitto'))('sluice serve with many flows (real Mosquitto)', () => {
  it('fault 2: a deploy failing on a missing ${env:...} leaves A running; deploy and stop work; one SIGTERM exits', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-many-'));
    const s = serve(join(dir, 'flows'));
    const url = await s.url;
    await api(url, 'POST', '/api/flows', { flow: mqttLoop('a') });
    await api(url, 'POST', '/api/flows', { flow: mqttLoop('c') });
    await api(url, 'POST', '/api/flows', { flow: mqttLoop('b', { password: '${env:SLUICE_TEST_MANY_UNSET}' }) });
    expect((await api(url, 'POST', '/api/flows/a/deploy')).status).toBe(200);
    expect((await api(url, 'POST', '/api/flows/c/deploy')).status).toBe(200);
    await eventually(async () => (received(await flowView(url, 'a')) > 5 ? true : undefined));

    const failed = await api<{ error: { code: string; message: string } }>(url, 'POST', '/api/flows/b/deploy');
    expect(failed.status).toBe(400);
    expect(failed.body.error.code).toBe('startup-failed');
    expect(failed.body.error.message).toMatch(/SLUICE_TEST_MANY_UNSET is not set/);
    const b = await flowView(url, 'b');
    expect(b).toMatchObject({ state: 'failed' });
    expect(Object.values(b?.statuses ?? {}).filter((st) => st.state === 'running')).toEqual([]);

    // A keeps running through B's failure and through C's redeploy: its counters only rise (a restart resets them).
    const before = received(await flowView(url, 'a'));
    const rev = await api<{ flow: unknown; revision: number }>(url, 'GET', '/api/flows/c');
    await api(url, 'PUT', '/api/flows/c', { flow: mqttLoop('c', { debugId: 'dbg2' }), revision: rev.body.revision });
    expect((await api(url, 'POST', '/api/flows/c/deploy')).status).toBe(200);
    const c = await eventually(async () => {
      const v = await flowView(url, 'c');
      return received(v) > 2 ? v : undefined;
    });
    expect(c).toMatchObject({ state: 'running', revision: 2 });
    expect(Object.keys(c.statuses)).toContain('dbg2');
    await eventually(async () => (received(await flowView(url, 'a')) > before + 5 ? true : undefined));

    // Deploy and stop keep working for every flow, B included once fixed.
    expect((await api(url, 'POST', '/api/flows/a/deploy')).status).toBe(200);
    const revB = await api<{ revision: number }>(url, 'GET', '/api/flows/b');
    await api(url, 'PUT', '/api/flows/b', { flow: mqttLoop('b'), revision: revB.body.revision });
    expect((await api(url, 'POST', '/api/flows/b/deploy')).status).toBe(200);
    await eventually(async () => (received(await flowView(url, 'b')) > 2 ? true : undefined));
    expect((await api(url, 'POST', '/api/flows/b/stop')).status).toBe(200);
    expect((await flowView(url, 'b'))?.state).toBe('stopped');

    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output().stdout + s.output().stderr).not.toMatch(/second signal/);
  }, 120_000);

  it('a crash and a SIGTERM restart both resume every deployed flow at its deployed revision', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-many-'));
    const flowsDir = join(dir, 'flows');
    const first = serve(flowsDir);
    const url = await first.url;
    await api(url, 'POST', '/api/flows', { flow: mqttLoop('x') });
    await api(url, 'POST', '/api/flows', { flow: mqttLoop('y') });
    await api(url, 'POST', '/api/flows', { flow: mqttLoop('z') });
    expect((await api(url, 'POST', '/api/flows/x/deploy')).status).toBe(200);
    expect((await api(url, 'POST', '/api/flows/y/deploy')).status).toBe(200);
    expect((await api(url, 'POST', '/api/flows/z/deploy')).status).toBe(200);
    expect((await api(url, 'POST', '/api/flows/z/stop')).status).toBe(200);
    // A later edit of x, saved but not deployed: the restart must run the deployed revision 1.
    await api(url, 'PUT', '/api/flows/x', { flow: mqttLoop('x', { debugId: 'edited' }), revision: 1 });
    await eventually(async () => (received(await flowView(url, 'y')) > 2 ? true : undefined));
    first.proc.kill('SIGKILL');
    await first.exited;

    const second = serve(flowsDir);
    const url2 = await second.url;
    for (const id of ['x', 'y']) {
      const v = await eventually(async () => {
        const f = await flowView(url2, id);
        return received(f) > 2 ? f : undefined;
      });
      expect(v).toMatchObject({ state: 'running', revision: 1 });
    }
    expect(Object.keys((await flowView(url2, 'x'))?.statuses ?? {})).toContain('dbg');
    expect(await flowView(url2, 'z')).toBeUndefined();
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const third = serve(flowsDir);
    const url3 = await third.url;
    await eventually(async () => ((await flowView(url3, 'y'))?.state === 'running' ? true : undefined));
    expect((await flowView(url3, 'x'))?.state).toBe('running');
    third.proc.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 180_000);
});
