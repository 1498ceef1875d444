import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import { defineConnectionKind, defineNode, Type } from '../../src/spec/index.js';
import { ConnectionRef, Secret } from '../../src/spec/schema.js';

// A catalog with a node that references a connection and a secret, to exercise those checks
// independently of which connectors exist.
const broker = defineConnectionKind({
  kind: 'testbroker',
  title: 'Test broker',
  summary: '',
  docs: '',
  config: Type.Object({ url: Type.String(), password: Type.Optional(Secret()) }),
});
const otherKind = defineConnectionKind({
  kind: 'otherdb',
  title: 'Other',
  summary: '',
  docs: '',
  config: Type.Object({ url: Type.String() }),
});
const publish = defineNode({
  type: 'test-publish',
  version: 1,
  category: 'sink',
  title: 'Publish',
  summary: '',
  docs: '',
  inputs: [{ name: 'in', required: true }],
  outputs: [],
  config: Type.Object({ connection: ConnectionRef('testbroker'), token: Type.Optional(Secret()) }),
});
const testCatalog = { nodes: [...catalog.nodes, publish], connections: [...catalog.connections, broker, otherKind] };
const validator = createFlowValidator(testCatalog);

const base = () => ({
  format: 'sluice/flow@1',
  connections: [
    { id: 'b1', kind: 'testbroker', config: { url: 'tcp://x', password: '${env:PW}' } },
    { id: 'db', kind: 'otherdb', config: { url: 'x' } },
  ],
  nodes: [
    { id: 'gen', type: 'generate', config: { intervalMs: 100 } },
    { id: 'map', type: 'transform', config: { expression: 'payload' } },
    { id: 'out', type: 'test-publish', config: { connection: 'b1' } },
  ],
  edges: [
    { source: 'gen', sourcePort: 'out', target: 'map', targetPort: 'in' },
    { source: 'map', sourcePort: 'out', target: 'out', targetPort: 'in' },
  ],
});

function problemsOf(mutate: (f: ReturnType<typeof base>) => unknown) {
  const f = base();
  const r = mutate(f);
  return validator.validate(r === undefined ? f : r).problems;
}

describe('flow validation', () => {
  it('accepts a valid flow, with defaults left out of the file', () => {
    expect(validator.validate(base()).problems).toEqual([]);
  });

  it('malformed JSON reports line and column', () => {
    const { problems } = validator.validateText('{\n  "format": "sluice/flow@1",\n  "nodes": [,]\n}');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'malformed-json', line: 3, column: 13 });
    expect(problems[0].message).toMatch(/line 3, column 13/);
  });

  it('unknown or missing format version', () => {
    expect(problemsOf((f) => ({ ...f, format: 'sluice/flow@9' }))[0]).toMatchObject({
      code: 'unknown-format-version',
      path: '/format',
    });
    expect(problemsOf((f) => ({ ...f, format: 'node-red' }))[0].code).toBe('unknown-format');
    expect(problemsOf(({ format: _f, ...rest }) => rest)[0].code).toBe('missing-format');
    expect(validator.validate([1, 2]).problems[0].code).toBe('not-an-object');
  });

  it('unknown node type, with a suggestion', () => {
    const [p] = problemsOf((f) => {
      f.nodes[1].type = 'transfrom';
    });
    expect(p).toMatchObject({ code: 'unknown-node-type', nodeId: 'map', path: '/nodes/1/type' });
    expect(p.hint).toMatch(/did you mean "transform"/);
  });

  it('duplicate ids', () => {
    const ps = problemsOf((f) => {
      f.nodes[2].id = 'map';
      f.edges = [];
    });
    expect(ps.find((p) => p.code === 'duplicate-id')).toMatchObject({ nodeId: 'map', path: '/nodes/2/id' });
  });

  it('edges to nodes or ports that do not exist', () => {
    const ps = problemsOf((f) => {
      f.edges.push({ source: 'map', sourcePort: 'nope', target: 'ghost', targetPort: 'in' });
      f.edges.push({ source: 'gen', sourcePort: 'out', target: 'map', targetPort: 'input' });
    });
    expect(ps.map((p) => [p.code, p.path])).toEqual([
      ['dangling-edge', '/edges/2/target'],
      ['unknown-port', '/edges/2/sourcePort'],
      ['unknown-port', '/edges/3/targetPort'],
    ]);
    expect(ps[1].hint).toMatch(/out, error/);
  });

  it('an edge of the wrong shape is named by its schema problems only, never as "edge undefined.undefined"', () => {
    const ps = problemsOf((f) => {
      (f.edges as unknown[]).push({ from: 'gen', to: 'map' });
    });
    expect(ps.every((p) => p.code === 'schema')).toBe(true);
    expect(ps.map((p) => p.path)).toContain('/edges/2/source');
    expect(ps.some((p) => /undefined/.test(p.message))).toBe(false);
  });

  it("a config that fails its schema is not linted: the schema problems say what is wrong, never 'lint failed'", () => {
    const { problems } = validator.validate({
      format: 'sluice/flow@1',
      nodes: [{ id: 'k', type: 'kafka-in', config: {} }],
    });
    expect(problems.map((p) => p.code)).toEqual(['schema', 'schema']);
    expect(problems.some((p) => /lint failed/.test(p.message))).toBe(false);
  });

  it('missing required field, wrong type, out of range, unknown enum value', () => {
    const ps = problemsOf((f) => {
      f.nodes[1].config = {} as never; // no expression... but it has a default, so use filter below
      f.nodes.push({ id: 'sw', type: 'switch', config: { rules: [{ port: 'a' }], mode: 'some' } as never });
      f.nodes[0].config = { intervalMs: 'fast', count: -1 } as never;
      f.edges.push({ source: 'map', sourcePort: 'out', target: 'sw', targetPort: 'in' });
    });
    const byPath = Object.fromEntries(ps.map((p) => [p.path, p]));
    expect(byPath['/nodes/3/config/rules/0/condition']).toMatchObject({ nodeId: 'sw', code: 'schema' });
    expect(byPath['/nodes/3/config/rules/0/condition'].message).toBe('missing required field "condition"');
    expect(byPath['/nodes/3/config/mode'].message).toMatch(/it must be one of "first", "all"/);
    expect(byPath['/nodes/0/config/intervalMs'].message).toMatch(/must be integer, not string "fast"/);
    expect(byPath['/nodes/0/config/count'].message).toMatch(/out of range \(must be >= 0\)/);
    expect(ps.every((p) => p.hint || p.code === 'schema')).toBe(true);
  });

  it('a JSONata expression that does not parse', () => {
    const [p] = problemsOf((f) => {
      f.nodes[1].config.expression = 'payload.(';
    });
    expect(p).toMatchObject({ code: 'expression-syntax', nodeId: 'map', path: '/nodes/1/config/expression' });
    expect(p.message).toMatch(/does not parse: .* \(at character 9\)/);
  });

  it('a {{ }} template that does not parse', () => {
    const ps = problemsOf((f) => {
      f.nodes.push({ id: 'pub', type: 'mqtt-out', config: { connection: 'b1', topic: 'x/{{payload.device' } as never });
      f.edges.push({ source: 'map', sourcePort: 'out', target: 'pub', targetPort: 'in' });
      f.connections.push({ id: 'mq', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } });
      (f.nodes[3].config as Record<string, unknown>).connection = 'mq';
    });
    const t = ps.filter((p) => p.code === 'template-syntax');
    expect(t).toEqual([expect.objectContaining({ nodeId: 'pub', path: '/nodes/3/config/topic' })]);
    expect(t[0].message).toMatch(/"\{\{" at character 3 is not closed/);
  });

  it('unknown fields are reported', () => {
    const [p] = problemsOf((f) => {
      (f.nodes[1].config as Record<string, unknown>).expresion = 'x';
    });
    expect(p).toMatchObject({ path: '/nodes/1/config/expresion', message: 'unknown field "expresion"' });
  });

  it('connection references: missing, or of the wrong kind', () => {
    const missing = problemsOf((f) => {
      f.nodes[2].config.connection = 'nope';
    });
    expect(missing).toEqual([
      expect.objectContaining({ code: 'unknown-connection', nodeId: 'out', path: '/nodes/2/config/connection' }),
    ]);
    expect(missing[0].hint).toMatch(/b1/);
    const wrong = problemsOf((f) => {
      f.nodes[2].config.connection = 'db';
    });
    expect(wrong[0]).toMatchObject({ code: 'wrong-connection-kind' });
    expect(wrong[0].message).toMatch(/otherdb connection, but this field needs testbroker/);
  });

  it('an unconnected required input', () => {
    const ps = problemsOf((f) => {
      f.edges.pop();
    });
    expect(ps).toEqual([expect.objectContaining({ code: 'unconnected-input', nodeId: 'out' })]);
  });

  it('a cycle', () => {
    const ps = problemsOf((f) => {
      f.nodes.push({ id: 'back', type: 'transform', config: { expression: 'payload' } });
      f.edges.push({ source: 'map', sourcePort: 'out', target: 'back', targetPort: 'in' });
      f.edges.push({ source: 'back', sourcePort: 'out', target: 'map', targetPort: 'in' });
    });
    expect(ps).toEqual([expect.objectContaining({ code: 'cycle' })]);
    expect(ps[0].message).toMatch(/map -> back -> map/);
  });

  it('a literal value in a secret field, in a node and in a connection', () => {
    const ps = problemsOf((f) => {
      (f.nodes[2].config as Record<string, unknown>).token = 'hunter2';
      f.connections[0].config.password = 'hunter2';
    });
    expect(ps.map((p) => [p.code, p.path])).toEqual([
      ['literal-secret', '/connections/0/config/password'],
      ['literal-secret', '/nodes/2/config/token'],
    ]);
    expect(ps[0].hint).toMatch(/\$\{env:/);
  });

  it('node lint rules (switch: duplicate and reserved outputs)', () => {
    const ps = problemsOf((f) => {
      f.nodes.push({
        id: 'sw',
        type: 'switch',
        config: {
          rules: [
            { port: 'a', condition: 'true' },
            { port: 'a', condition: 'true' },
            { port: 'otherwise', condition: 'true' },
          ],
        } as never,
      });
      f.edges.push({ source: 'map', sourcePort: 'out', target: 'sw', targetPort: 'in' });
    });
    expect(ps.map((p) => [p.code, p.path])).toEqual([
      ['lint', '/nodes/3/config/rules/1/port'],
      ['lint', '/nodes/3/config/rules/2/port'],
    ]);
  });

  it('the error route must exist and take input', () => {
    expect(problemsOf((f) => ({ ...f, settings: { errorRoute: 'ghost' } }))[0].code).toBe('unknown-error-route');
    expect(problemsOf((f) => ({ ...f, settings: { errorRoute: 'gen' } }))[0].code).toBe('bad-error-route');
  });

  it('does not change the document it validates', () => {
    const f = base();
    const before = JSON.stringify(f);
    validator.validate(f);
    expect(JSON.stringify(f)).toBe(before);
  });
});
