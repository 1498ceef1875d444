/** The editor's document model: lossless conversion, connection rules with reasons, copy/paste fragments. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectionProblem, edgeProblem, pathBetween } from '../../renderer/src/model/connect-rules.js';
import { fromDocument, toDocument } from '../../renderer/src/model/convert.js';
import { FRAGMENT_FORMAT, makeFragment, parseFragment, pasteFragment } from '../../renderer/src/model/fragment.js';
import { sameContent } from '../../renderer/src/model/history.js';
import { uniqueId } from '../../renderer/src/model/ids.js';
import { portsOf } from '../../renderer/src/model/ports.js';
import type { FlowDocument } from '../../src/flow/index.js';
import { serializeFlow } from '../../src/flow/index.js';

const demo = JSON.parse(
  readFileSync(new URL('../../examples/sensors-demo.json', import.meta.url), 'utf8'),
) as FlowDocument;

describe('document <-> editor content', () => {
  it('round-trips a flow file unchanged', () => {
    expect(serializeFlow(toDocument(fromDocument(demo)))).toBe(serializeFlow(demo));
  });

  it('keeps explicit edge ids and empty arrays', () => {
    const doc: FlowDocument = {
      format: 'sluice/flow@1',
      connections: [],
      nodes: [
        { id: 'a', type: 'generate', config: {}, position: { x: 0, y: 0 } },
        { id: 'b', type: 'debug', config: {}, position: { x: 10, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'a', sourcePort: 'out', target: 'b', targetPort: 'in' }],
    };
    expect(toDocument(fromDocument(doc))).toEqual(doc);
  });
});

describe('connection rules', () => {
  const content = fromDocument(demo);

  it('accepts an output to a free input', () => {
    expect(
      edgeProblem(content, { source: 'sensors', sourcePort: 'error', target: 'mild', targetPort: 'in' }),
    ).toBeUndefined();
  });

  it('refuses input to input and output to output, saying which way to drag', () => {
    expect(
      connectionProblem(
        content,
        { nodeId: 'hot', type: 'target', port: 'in' },
        { nodeId: 'mild', type: 'target', port: 'in' },
      ),
    ).toMatch(/Both ends are inputs/);
    expect(
      connectionProblem(
        content,
        { nodeId: 'sensors', type: 'source', port: 'out' },
        { nodeId: 'by-band', type: 'source', port: 'hot' },
      ),
    ).toMatch(/Both ends are outputs/);
  });

  it('refuses a cycle and names it', () => {
    const p = edgeProblem(content, {
      source: 'by-band',
      sourcePort: 'otherwise',
      target: 'to-fahrenheit',
      targetPort: 'in',
    });
    expect(p).toMatch(/cycle/);
    expect(p).toContain('To Fahrenheit');
    expect(pathBetween(content, 'to-fahrenheit', 'by-band')).toEqual(['to-fahrenheit', 'not-freezing', 'by-band']);
  });

  it('refuses a duplicate and a source input', () => {
    expect(
      edgeProblem(content, { source: 'sensors', sourcePort: 'out', target: 'to-fahrenheit', targetPort: 'in' }),
    ).toMatch(/already connected/);
    expect(
      edgeProblem(content, { source: 'to-fahrenheit', sourcePort: 'out', target: 'sensors', targetPort: 'in' }),
    ).toMatch(/is a source/);
    expect(connectionProblem(content, { nodeId: 'by-band', type: 'source', port: 'hot' }, null, 'sensors')).toMatch(
      /is a source/,
    );
  });

  it("knows a switch's outputs from its rules, plus the implicit error port", () => {
    const sw = content.nodes.find((n) => n.id === 'by-band')!;
    expect(portsOf(sw.data.type, sw.data.config).outputs.map((p) => p.name)).toEqual(['hot', 'otherwise', 'error']);
    expect(edgeProblem(content, { source: 'by-band', sourcePort: 'cold', target: 'hot', targetPort: 'in' })).toMatch(
      /no output "cold"/,
    );
  });
});

describe('copy and paste fragments', () => {
  it('copies the selected nodes with the edges between them, and pastes them with fresh ids', () => {
    const content = fromDocument(demo);
    const fragment = makeFragment(content, new Set(['not-freezing', 'by-band']))!;
    expect(fragment.format).toBe(FRAGMENT_FORMAT);
    expect(fragment.nodes.map((n) => n.id)).toEqual(['not-freezing', 'by-band']);
    expect(fragment.edges).toHaveLength(1);
    const parsed = parseFragment(JSON.stringify(fragment))!;
    const pasted = pasteFragment(content, parsed);
    expect(pasted.nodes.map((n) => n.id)).toEqual(['filter-1', 'switch-1']);
    expect(pasted.nodes.every((n) => n.selected)).toBe(true);
    expect(pasted.edges).toEqual([
      expect.objectContaining({ source: 'filter-1', target: 'switch-1', sourceHandle: 'out' }),
    ]);
    expect(pasted.nodes[0].position).toEqual({ x: 440 + 40, y: 100 + 40 });
  });

  it('pasted where the originals are, the copy steps down-right instead of landing on top of them', () => {
    const content = fromDocument(demo);
    const fragment = makeFragment(content, new Set(['not-freezing', 'by-band']))!;
    const pasted = pasteFragment(content, fragment, { x: 440, y: 100 });
    expect(pasted.nodes[0].position).toEqual({ x: 480, y: 140 });
  });

  it('pastes a whole flow document too, and ignores text that is not one', () => {
    expect(parseFragment(JSON.stringify(demo))?.nodes).toHaveLength(6);
    expect(parseFragment('hello')).toBeUndefined();
    expect(parseFragment('{"nodes": []}')).toBeUndefined();
  });

  it('reuses an identical connection and renames a clashing one, pointing the pasted nodes at it', () => {
    const base = fromDocument({
      format: 'sluice/flow@1',
      connections: [{ id: 'rabbit', kind: 'amqp', config: { host: 'a' } }],
      nodes: [],
      edges: [],
    });
    const fragment = {
      format: FRAGMENT_FORMAT,
      nodes: [
        { id: 'out', type: 'amqp-out', config: { connection: 'rabbit', exchange: 'x' }, position: { x: 0, y: 0 } },
      ],
      edges: [],
      connections: [{ id: 'rabbit', kind: 'amqp', config: { host: 'b' } }],
    } as const;
    const pasted = pasteFragment(base, structuredClone(fragment) as never);
    expect(pasted.connections.map((c) => c.id)).toEqual(['amqp-1']);
    expect(pasted.nodes[0].data.config.connection).toBe('amqp-1');
    const same = pasteFragment(base, {
      ...structuredClone(fragment),
      connections: [{ id: 'rabbit', kind: 'amqp', config: { host: 'a' } }],
    } as never);
    expect(same.connections).toEqual([]);
    expect(same.nodes[0].data.config.connection).toBe('rabbit');
  });
});

describe('history equality', () => {
  it('ignores view state (selection, measured size) and sees content changes', () => {
    const a = fromDocument(demo);
    const selected = {
      ...a,
      nodes: a.nodes.map((n) => ({ ...n, selected: true, measured: { width: 200, height: 90 } })),
    };
    expect(sameContent(a, selected)).toBe(true);
    const moved = { ...a, nodes: a.nodes.map((n, i) => (i === 0 ? { ...n, position: { x: 1, y: 2 } } : n)) };
    expect(sameContent(a, moved)).toBe(false);
  });

  it('makes readable unique ids', () => {
    expect(uniqueId('transform', new Set(['transform-1']))).toBe('transform-2');
    expect(uniqueId('My Node!', new Set())).toBe('my-node-1');
  });
});
