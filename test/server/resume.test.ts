/** What is deployed is recorded in the flows dir; a new server on that dir starts it again at the deployed revision. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowRuntimeView, RuntimeView } from '../../src/server/protocol.js';
import { call, edge, eventually, flowDoc, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const ticking = (id: string, debugId = 'dbg', topic = 't') =>
  flowDoc(
    id,
    [
      { id: 'gen', type: 'generate', config: { intervalMs: 5, topic } },
      { id: debugId, type: 'debug', config: { keep: 5 } },
    ],
    [edge('gen', debugId)],
  );

async function view(t: TestServer, id: string): Promise<FlowRuntimeView | undefined> {
  return (await call<RuntimeView>(t.app, 'GET', '/api/runtime')).body.flows.find((f) => f.flowId === id);
}

describe('deployed flows resume', () => {
  it('resumes the deployed revision (not a later saved edit); a stopped flow stays stopped', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-resume-'));
    t = await startServer({ dir });
    await call(t.app, 'POST', '/api/flows', { flow: ticking('kept') });
    await call(t.app, 'POST', '/api/flows', { flow: ticking('halted') });
    await call(t.app, 'POST', '/api/flows/kept/deploy');
    await call(t.app, 'POST', '/api/flows/halted/deploy');
    await call(t.app, 'POST', '/api/flows/halted/stop');
    await call(t.app, 'PUT', '/api/flows/kept', { flow: ticking('kept', 'edited'), revision: 1 });
    const record = JSON.parse(await readFile(join(dir, 'flows', '.deployed.json'), 'utf8'));
    expect(record.flows.map((f: { id: string; revision: number }) => [f.id, f.revision])).toEqual([['kept', 1]]);
    await t.close();

    t = await startServer({ dir });
    await t.server.resumed;
    const kept = await eventually(async () => {
      const v = await view(t!, 'kept');
      return v?.counters.dbg?.in ? v : undefined;
    });
    expect(kept).toMatchObject({ state: 'running', revision: 1 });
    expect(Object.keys(kept.statuses)).toEqual(['gen', 'dbg']);
    expect(await view(t, 'halted')).toBeUndefined();
    expect((await call<Array<{ id: string; deployed: boolean }>>(t.app, 'GET', '/api/flows')).body).toEqual([
      expect.objectContaining({ id: 'halted', deployed: false }),
      expect.objectContaining({ id: 'kept', revision: 2, deployed: true }),
    ]);
  });

  it('a flow that fails to resume is shown failed and kept for the next start; an unreadable record resumes nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-resume-'));
    process.env.SLUICE_TEST_RESUME_TOPIC = 'there';
    try {
      t = await startServer({ dir });
      await call(t.app, 'POST', '/api/flows', { flow: ticking('needs-env', 'dbg', '${env:SLUICE_TEST_RESUME_TOPIC}') });
      expect((await call(t.app, 'POST', '/api/flows/needs-env/deploy')).status).toBe(200);
      await t.close();
    } finally {
      delete process.env.SLUICE_TEST_RESUME_TOPIC;
    }
    t = await startServer({ dir });
    await t.server.resumed;
    const failed = await view(t, 'needs-env');
    expect(failed).toMatchObject({ state: 'failed', revision: 1 });
    expect(failed?.error).toMatch(/SLUICE_TEST_RESUME_TOPIC is not set/);
    await t.close();
    const record = JSON.parse(await readFile(join(dir, 'flows', '.deployed.json'), 'utf8'));
    expect(record.flows.map((f: { id: string }) => f.id)).toEqual(['needs-env']);

    await writeFile(join(dir, 'flows', '.deployed.json'), '{ not json');
    t = await startServer({ dir });
    await t.server.resumed;
    expect((await call<RuntimeView>(t.app, 'GET', '/api/runtime')).body.flows).toEqual([]);
  });
});
