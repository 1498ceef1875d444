/** Comments and groups in the flow document: the schema, validation and stable serialisation keep them. */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import type { FlowDocument } from '../../src/flow/document.js';
import { serializeFlow } from '../../src/flow/serialize.js';
import { createFlowValidator } from '../../src/flow/validate.js';

const validator = createFlowValidator(catalog);

function flow(extra: Partial<FlowDocument> = {}): FlowDocument {
  return {
    format: 'sluice/flow@1',
    id: 'organised',
    nodes: [
      { id: 'gen', type: 'generate', position: { x: 0, y: 0 }, config: { intervalMs: 1000, count: 1 } },
      { id: 'log', type: 'debug', position: { x: 300, y: 0 }, config: {} },
    ],
    edges: [{ source: 'gen', sourcePort: 'out', target: 'log', targetPort: 'in' }],
    ...extra,
  };
}

const errors = (doc: unknown) => validator.validate(doc).problems.filter((p) => p.severity === 'error');

describe('comments and groups', () => {
  it('a flow with a comment and a group is valid', () => {
    const doc = flow({
      comments: [{ id: 'note-1', text: 'Readings arrive every second', position: { x: 0, y: -80 }, width: 220 }],
      groups: [{ id: 'group-1', name: 'Ingest', color: '#3b82f6', nodes: ['gen', 'log'] }],
    });
    expect(errors(doc)).toEqual([]);
  });

  it('a group naming a node that does not exist is an error that says which', () => {
    const doc = flow({ groups: [{ id: 'group-1', name: 'Ingest', nodes: ['gen', 'ghost'] }] });
    const problems = errors(doc);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'unknown-group-node', path: '/groups/0/nodes/1' });
    expect(problems[0].message).toContain('"ghost"');
    expect(problems[0].message).toContain('Ingest');
  });

  it('a node in two groups, and duplicate comment or group ids, are errors', () => {
    const doc = flow({
      comments: [
        { id: 'n', text: 'a', position: { x: 0, y: 0 } },
        { id: 'n', text: 'b', position: { x: 0, y: 0 } },
      ],
      groups: [
        { id: 'a', nodes: ['gen'] },
        { id: 'b', nodes: ['gen', 'log'] },
      ],
    });
    const codes = errors(doc).map((p) => `${p.code} ${p.path}`);
    expect(codes).toEqual(['duplicate-id /comments/1/id', 'node-in-two-groups /groups/1/nodes/0']);
  });

  it('the schema refuses a bad colour, an empty group and unknown fields', () => {
    const doc = flow({
      comments: [{ id: 'c', text: 'x', position: { x: 0, y: 0 }, colour: 'red' } as never],
      groups: [{ id: 'g', color: 'blue', nodes: [] }],
    });
    const paths = errors(doc).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/groups/0/color', '/groups/0/nodes']));
    expect(paths.some((p) => p.startsWith('/comments/0'))).toBe(true);
  });

  it('serialises in a fixed order, keeps item order and rounds positions', () => {
    const doc = flow({
      groups: [{ nodes: ['gen', 'log'], color: '#112233', name: 'Both', id: 'g1' }],
      comments: [{ width: 200.4, position: { y: 10.6, x: 3.2 }, text: 'hello', id: 'c1' }],
    });
    const text = serializeFlow(doc);
    const back = JSON.parse(text) as FlowDocument;
    expect(Object.keys(back)).toEqual(['format', 'id', 'nodes', 'edges', 'comments', 'groups']);
    expect(Object.keys(back.groups?.[0] ?? {})).toEqual(['id', 'name', 'color', 'nodes']);
    expect(back.groups?.[0].nodes).toEqual(['gen', 'log']);
    expect(back.comments?.[0]).toEqual({ id: 'c1', text: 'hello', position: { x: 3, y: 11 }, width: 200 });
    expect(Object.keys(back.comments?.[0] ?? {})).toEqual(['id', 'text', 'position', 'width']);
    expect(serializeFlow(back)).toBe(text);
    expect(errors(back)).toEqual([]);
  });
});
