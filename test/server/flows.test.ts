import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../src/flow/document.js';
import { serializeFlow } from '../../src/flow/serialize.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import type { ApiErrorBody, FlowSummary, SavedFlow } from '../../src/server/protocol.js';
import { call, edge, flowDoc, serverCatalog, startServer, type TestServer } from './support.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const simple = (id?: string, name = 'Simple') =>
  flowDoc(
    id,
    [
      { id: 'gen', type: 'generate', config: { intervalMs: 1000 } },
      { id: 'dbg', type: 'debug', config: {} },
    ],
    [edge('gen', 'dbg')],
    { name },
  );

describe('flows CRUD', () => {
  it('creates, lists, reads, saves, deletes', async () => {
    t = await startServer();
    const { app } = t;
    expect((await call(app, 'GET', '/api/flows')).body).toEqual([]);

    const created = await call<SavedFlow>(app, 'POST', '/api/flows', { flow: simple('one') });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'one', revision: 1, problems: [] });

    const got = await call<{ flow: FlowDocument; revision: number }>(app, 'GET', '/api/flows/one');
    expect(got.status).toBe(200);
    expect(got.body.revision).toBe(1);
    expect(got.body.flow.id).toBe('one');
    expect(got.body.flow.nodes.map((n) => n.id)).toEqual(['gen', 'dbg']);

    const listed = await call<FlowSummary[]>(app, 'GET', '/api/flows');
    expect(listed.body).toEqual([{ id: 'one', name: 'Simple', revision: 1, deployed: false }]);

    // The file on disk is the canonical serialisation, so it diffs cleanly.
    const text = await readFile(join(t.dir, 'flows', 'one.json'), 'utf8');
    expect(text).toBe(serializeFlow(got.body.flow));

    const renamed = { ...got.body.flow, name: 'Renamed' };
    const saved = await call<SavedFlow>(app, 'PUT', '/api/flows/one', { flow: renamed, revision: 1 });
    expect(saved.status).toBe(200);
    expect(saved.body.revision).toBe(2);
    expect((await call<FlowSummary[]>(app, 'GET', '/api/flows')).body[0].name).toBe('Renamed');

    const deleted = await call(app, 'DELETE', '/api/flows/one');
    expect(deleted.status).toBe(200);
    expect((await call(app, 'GET', '/api/flows/one')).status).toBe(404);
    await expect(readFile(join(t.dir, 'flows', 'one.json'))).rejects.toThrow(/ENOENT/);
  });

  it('each read gives the latest save, as JSON, though the body is made once per revision', async () => {
    t = await startServer();
    const { app } = t;
    await call(app, 'POST', '/api/flows', { flow: simple('cached') });
    const first = await call<{ flow: FlowDocument; revision: number }>(app, 'GET', '/api/flows/cached');
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    // What one reader receives is its own: changing it changes nothing the next reader gets.
    first.body.flow.name = 'Changed by a reader';
    const again = await call<{ flow: FlowDocument; revision: number }>(app, 'GET', '/api/flows/cached');
    expect(again.text).toBe(first.text);
    expect(again.body.flow.name).toBe('Simple');

    await call(app, 'PUT', '/api/flows/cached', { flow: { ...again.body.flow, name: 'Saved' }, revision: 1 });
    const saved = await call<{ flow: FlowDocument; revision: number }>(app, 'GET', '/api/flows/cached');
    expect(saved.body.revision).toBe(2);
    expect(saved.body.flow.name).toBe('Saved');
    expect(saved.body.flow.nodes.map((n) => n.id)).toEqual(['gen', 'dbg']);
  });

  it('a second save from a stale revision fails with a clear message', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: simple('shared') });
    const first = await call<SavedFlow>(t.app, 'PUT', '/api/flows/shared', {
      flow: simple('shared', 'A'),
      revision: 1,
    });
    expect(first.body.revision).toBe(2);
    const second = await call<ApiErrorBody>(t.app, 'PUT', '/api/flows/shared', {
      flow: simple('shared', 'B'),
      revision: 1,
    });
    expect(second.status).toBe(409);
    expect(second.body.error).toEqual({
      code: 'stale-revision',
      message: 'the flow was changed by someone else (revision 2, you had 1); reload it',
    });
    const got = await call<{ flow: FlowDocument }>(t.app, 'GET', '/api/flows/shared');
    expect(got.body.flow.name).toBe('A');
  });

  it('keeps revisions across a restart', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: simple('kept') });
    await call(t.app, 'PUT', '/api/flows/kept', { flow: simple('kept'), revision: 1 });
    const dir = t.dir;
    await t.server.close();
    t = await startServer({ dir });
    const got = await call<{ revision: number }>(t.app, 'GET', '/api/flows/kept');
    expect(got.body.revision).toBe(2);
  });

  it('a draft with problems is saved, and the problems come back', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: simple('draft') });
    const draft = flowDoc('draft', [{ id: 'x', type: 'no-such-type', config: {} }]);
    const saved = await call<SavedFlow>(t.app, 'PUT', '/api/flows/draft', { flow: draft, revision: 1 });
    expect(saved.status).toBe(200);
    expect(saved.body.problems).toEqual([
      expect.objectContaining({ code: 'unknown-node-type', path: '/nodes/0/type', nodeId: 'x' }),
    ]);
    const got = await call<{ flow: FlowDocument }>(t.app, 'GET', '/api/flows/draft');
    expect(got.body.flow.nodes[0].type).toBe('no-such-type');
  });

  it('ids: 409 when taken, generated from the name when absent, checked against the URL', async () => {
    t = await startServer();
    await call(t.app, 'POST', '/api/flows', { flow: simple('taken') });
    const again = await call<ApiErrorBody>(t.app, 'POST', '/api/flows', { flow: simple('taken') });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('exists');

    const a = await call<SavedFlow>(t.app, 'POST', '/api/flows', { flow: simple(undefined, 'Sensors to Kafka') });
    const b = await call<SavedFlow>(t.app, 'POST', '/api/flows', { flow: simple(undefined, 'Sensors to Kafka') });
    expect([a.body.id, b.body.id]).toEqual(['sensors-to-kafka', 'sensors-to-kafka-2']);

    const mismatch = await call<ApiErrorBody>(t.app, 'PUT', '/api/flows/taken', { flow: simple('other'), revision: 1 });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe('id-mismatch');

    const missing = await call<ApiErrorBody>(t.app, 'PUT', '/api/flows/nope', { flow: simple('nope'), revision: 1 });
    expect(missing.status).toBe(404);

    const badId = await call<ApiErrorBody>(t.app, 'POST', '/api/flows', { flow: simple('a:b') });
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toMatch(/file name/);
  });
});

describe('validate', () => {
  it('returns the same problems as `sluice validate`', async () => {
    t = await startServer();
    const flow = flowDoc('v', [
      { id: 'gen', type: 'generate', config: { intervalMs: -5 } },
      { id: 'dbg', type: 'debgu', config: {} },
    ]);
    const res = await call<{ problems: unknown[] }>(t.app, 'POST', '/api/validate', { flow });
    expect(res.status).toBe(200);
    expect(res.body.problems).toEqual(createFlowValidator(serverCatalog).validate(flow).problems);
    expect(res.body.problems.length).toBeGreaterThan(1);

    const notAFlow = await call<{ problems: Array<{ code: string }> }>(t.app, 'POST', '/api/validate', {
      flow: [1, 2],
    });
    expect(notAFlow.body.problems[0].code).toBe('not-an-object');
  });
});

describe('secrets', () => {
  const withSecret = (token: string) =>
    flowDoc(
      'secret',
      [
        { id: 'gen', type: 'generate', config: {} },
        { id: 'out', type: 'test-secret-sink', config: { url: 'https://example.test', token } },
      ],
      [edge('gen', 'out')],
    );

  it('export removes a literal secret that a hand-edited file holds, and keeps references', async () => {
    t = await startServer();
    await t.server.close();
    // Written by hand, bypassing the API, as a user might.
    await writeFile(join(t.dir, 'flows', 'secret.json'), JSON.stringify(withSecret('hunter2')));
    const dir = t.dir;
    t = await startServer({ dir });
    const res = await call<FlowDocument>(t.app, 'GET', '/api/flows/secret/export');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="secret.json"');
    expect(res.text).not.toContain('hunter2');
    expect(res.body.nodes[1].config).toEqual({ url: 'https://example.test' });

    await writeFile(
      join(t.dir, 'flows', 'ref.json'),
      JSON.stringify({ ...withSecret('${env:SINK_TOKEN}'), id: 'ref' }),
    );
    await t.server.close();
    t = await startServer({ dir });
    const ref = await call<FlowDocument>(t.app, 'GET', '/api/flows/ref/export');
    expect(ref.body.nodes[1].config.token).toBe('${env:SINK_TOKEN}');
  });

  it('saving strips a literal secret and says so', async () => {
    t = await startServer();
    const res = await call<SavedFlow>(t.app, 'POST', '/api/flows', { flow: withSecret('hunter2') });
    expect(res.status).toBe(201);
    expect(res.body.problems).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'secret-stripped', path: '/nodes/1/config/token' }),
    ]);
    expect(await readFile(join(t.dir, 'flows', 'secret.json'), 'utf8')).not.toContain('hunter2');
  });
});

describe('import', () => {
  it('stores valid flow text and never overwrites: a taken id gets a suffix', async () => {
    t = await startServer();
    const text = JSON.stringify(simple('imported'), null, 2);
    const first = await call<SavedFlow>(t.app, 'POST', '/api/import', text, { 'content-type': 'text/plain' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: 'imported', revision: 1, problems: [] });
    const second = await call<SavedFlow>(t.app, 'POST', '/api/import', { flow: simple('imported') });
    expect(second.body.id).toBe('imported-2');
  });

  it('malformed JSON gets its line and column, as text or as a JSON body', async () => {
    t = await startServer();
    const text = '{\n  "format": "sluice/flow@1",\n  "nodes": [\n    { "id": "a" "type": "debug" }\n  ]\n}\n';
    for (const contentType of ['text/plain', 'application/json']) {
      const res = await call<ApiErrorBody>(t.app, 'POST', '/api/import', text, { 'content-type': contentType });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('malformed-json');
      expect(res.body.error.message).toBe('malformed JSON at line 4, column 17: expected ","');
      expect(res.body.error.problems?.[0]).toMatchObject({ line: 4, column: 17 });
    }
    expect((await call(t.app, 'GET', '/api/flows')).body).toEqual([]);
  });

  it('refuses what is not a flow', async () => {
    t = await startServer();
    const res = await call<ApiErrorBody>(t.app, 'POST', '/api/import', '{"hello": 1}', {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('not-a-flow');
    expect(res.body.error.message).toMatch(/format/);
  });
});
