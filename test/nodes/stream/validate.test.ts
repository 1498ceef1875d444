import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validate } from '../../../nodes/validate/definition.js';
import { create } from '../../../nodes/validate/runtime.js';
import { Engine } from '../../../src/runtime/engine.js';
import { createResolveEnv } from '../../../src/runtime/resolve-config.js';
import { failureKindOf } from '../../../src/spec/index.js';
import { configFor, startNode, testMessage } from '../../support/node-context.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';

const READING = JSON.stringify({
  type: 'object',
  required: ['device', 'temp'],
  additionalProperties: false,
  properties: {
    device: { type: 'string', minLength: 1 },
    temp: { type: 'number', minimum: -50 },
    at: { type: 'string', format: 'date-time' },
    mode: { enum: ['a', 'b'] },
    tags: { type: 'array', items: { type: 'string' } },
  },
});

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

describe('validate', () => {
  it('passes a valid payload on unchanged', async () => {
    const node = await startNode(create, configFor(validate, { schema: READING }));
    const msg = testMessage({ payload: { device: 'd1', temp: 20, at: '2026-01-01T00:00:00Z' } });
    const [sent] = await node.send(msg);
    expect(sent).toEqual({ port: 'out', msg });
  });

  it('fails an invalid payload deterministically with every Ajv error, each saying where and what', async () => {
    const node = await startNode(create, configFor(validate, { schema: READING }));
    const err = await node
      .send(testMessage({ payload: { temp: 'hot', at: 'yesterday', mode: 'c', extra: 1, tags: ['x', 2] } }))
      .catch((e: unknown) => e);
    expect(failureKindOf(err)).toBe('deterministic');
    const reason = (err as Error).message;
    expect(reason).toMatch(/^invalid: /);
    expect(reason).toContain("payload must have required property 'device'");
    expect(reason).toContain('payload must NOT have additional properties ("extra")');
    expect(reason).toContain('payload.temp must be number');
    expect(reason).toContain('payload.at must match format "date-time"');
    expect(reason).toContain('payload.mode must be equal to one of the allowed values ("a", "b")');
    expect(reason).toContain('payload.tags[1] must be string');
    expect(reason.split('; ')).toHaveLength(6);
    expect(node.output.emitted).toEqual([]);
  });

  it('keeps at most maxErrors reasons and counts the rest', async () => {
    const node = await startNode(
      create,
      configFor(validate, { schema: '{"type": "array", "items": {"type": "number"}}', maxErrors: 2 }),
    );
    const err = await node.send(testMessage({ payload: ['a', 'b', 'c', 'd'] })).catch((e: unknown) => e);
    expect((err as Error).message).toBe('invalid: payload[0] must be number; payload[1] must be number; and 2 more');
  });

  it('formats off: a format is only an annotation', async () => {
    const node = await startNode(create, configFor(validate, { schema: READING, formats: false }));
    const sent = await node.send(testMessage({ payload: { device: 'd', temp: 1, at: 'whenever' } }));
    expect(sent).toHaveLength(1);
  });

  it('refuses to start with a schema that is not JSON or does not compile, saying which node and why', async () => {
    await expect(startNode(create, configFor(validate, { schema: '{nope' }))).rejects.toThrow(
      /validate "node-1": the schema is not JSON/,
    );
    await expect(startNode(create, configFor(validate, { schema: '{"type": "whatever"}' }))).rejects.toThrow(
      /validate "node-1": the schema does not compile: .*type/,
    );
    expect(validate.lint!(configFor(validate, { schema: '{nope' }))[0]).toMatchObject({ path: '/schema' });
    expect(validate.lint!(configFor(validate, { schema: '${file:/run/secrets/s.json}' }))).toEqual([]);
  });

  it('in a flow: invalid messages go to the error port with the reason; the source acks them all', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['check', 'validate', { schema: READING }],
          ['ok', 'test-sink'],
          ['bad', 'test-sink'],
        ],
        [
          ['src', 'check'],
          ['check', 'ok'],
          ['check:error', 'bad'],
        ],
      ),
    );
    const src = sources.get('src')!;
    await src.push({ device: 'a', temp: 1 }, 'v1');
    await src.push({ device: 'b' }, 'v2');
    await src.push({ device: 'c', temp: 3 }, 'v3');
    await engine.whenIdle(5000);
    expect(sinks.get('ok')!.delivered.map((m) => m.id)).toEqual(['v1', 'v3']);
    const [failed] = sinks.get('bad')!.delivered;
    expect(failed.id).toBe('v2');
    expect(failed.headers['sluice-error']).toBe("invalid: payload must have required property 'temp'");
    expect(failed.headers['sluice-error-node']).toBe('check');
    expect([...src.outcomes.values()].flat()).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(engine.counters().check).toMatchObject({ in: 3, out: 2, failed: 1, inFlight: 0 });
  });

  it('in a flow with nothing to take failures: an invalid message is dropped and acknowledged, never redelivered', async () => {
    engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['check', 'validate', { schema: READING }],
          ['ok', 'test-sink'],
        ],
        [
          ['src', 'check'],
          ['check', 'ok'],
        ],
      ),
    );
    const src = sources.get('src')!;
    await src.push({ temp: 'x' }, 'bad1');
    await engine.whenIdle(5000);
    const [outcome] = src.outcomes.get('bad1')!;
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && outcome.dropped).toContain('node "check": invalid: payload must have required property');
  });

  it('reads the schema from a file reference, only under the allowed directories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
    const file = join(dir, 'reading.schema.json');
    writeFileSync(file, READING);
    engine = new Engine({
      catalog: testCatalog,
      loadRuntime: loadTestRuntime,
      resolve: createResolveEnv({ secretDirs: [dir] }),
    });
    const flow = (path: string) =>
      flowOf(
        [
          ['src', 'test-source'],
          ['check', 'validate', { schema: `\${file:${path}}` }],
          ['ok', 'test-sink'],
        ],
        [
          ['src', 'check'],
          ['check', 'ok'],
        ],
      );
    await engine.start(flow(file));
    const src = sources.get('src')!;
    await src.push({ device: 'a', temp: 1 }, 'f1');
    await src.push({ device: 'a', temp: 'warm' }, 'f2');
    await engine.whenIdle(5000);
    expect(sinks.get('ok')!.delivered.map((m) => m.id)).toEqual(['f1']);
    await engine.stop();
    const outside = new Engine({
      catalog: testCatalog,
      loadRuntime: loadTestRuntime,
      resolve: createResolveEnv({ secretDirs: [join(dir, 'elsewhere')] }),
    });
    await expect(outside.start(flow(file))).rejects.toThrow(
      /cannot read secret file .*outside the allowed directories/,
    );
  });
});
