import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import type { FlowDocument } from '../../src/flow/document.js';
import { serializeFlow, stripSecrets } from '../../src/flow/serialize.js';
import { defineNode, Type } from '../../src/spec/index.js';
import { Secret } from '../../src/spec/schema.js';

const demo = JSON.parse(
  readFileSync(new URL('../../examples/sensors-demo.json', import.meta.url), 'utf8'),
) as FlowDocument;

function shuffleKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(shuffleKeys) as T;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).reverse();
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x)])) as T;
  }
  return v;
}

describe('serializeFlow', () => {
  it('writes the same text whatever the key order in memory', () => {
    const a = serializeFlow(demo);
    expect(serializeFlow(shuffleKeys(demo))).toBe(a);
    expect(serializeFlow(JSON.parse(a) as FlowDocument)).toBe(a);
    expect(a.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(a) as object)).toEqual([
      'format',
      'id',
      'name',
      'description',
      'settings',
      'nodes',
      'edges',
    ]);
    expect(Object.keys((JSON.parse(a) as FlowDocument).nodes[0])).toEqual(['id', 'type', 'name', 'position', 'config']);
  });

  it('a one-field change is a one-line diff', () => {
    const changed = structuredClone(demo);
    changed.nodes[2].config.condition = 'payload.tempC > 15';
    const before = serializeFlow(demo).split('\n');
    const after = serializeFlow(changed).split('\n');
    expect(after.length).toBe(before.length);
    expect(after.filter((l, i) => l !== before[i])).toEqual(['        "condition": "payload.tempC > 15"']);
  });
});

describe('stripSecrets', () => {
  const secretNode = defineNode({
    type: 'secret-holder',
    version: 1,
    category: 'sink',
    title: 's',
    summary: 's',
    docs: 's',
    inputs: [{ name: 'in' }],
    outputs: [],
    config: Type.Object({ password: Type.Optional(Secret()), user: Type.Optional(Type.String()) }),
  });
  const cat = { nodes: [...catalog.nodes, secretNode], connections: catalog.connections };

  it('removes literal secrets and keeps references', () => {
    const flow: FlowDocument = {
      format: 'sluice/flow@1',
      nodes: [
        { id: 'a', type: 'secret-holder', config: { password: 'hunter2', user: 'me' } },
        { id: 'b', type: 'secret-holder', config: { password: '${env:PW}' } },
      ],
    };
    const { flow: out, stripped } = stripSecrets(flow, cat);
    expect(stripped).toEqual(['/nodes/0/config/password']);
    expect(out.nodes[0].config).toEqual({ user: 'me' });
    expect(out.nodes[1].config).toEqual({ password: '${env:PW}' });
    expect(flow.nodes[0].config.password).toBe('hunter2'); // the original is untouched
  });
});
