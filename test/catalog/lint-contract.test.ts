/**
 * The lint contract: a definition's `lint` always gets the config with its schema defaults applied, never the config
 * as saved. Checked for every node type and connection kind with a lint rule, through the flow validator.
 */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import { applyDefaults } from '../../src/runtime/resolve-config.js';
import type { Catalog, ConnectionKindDefinition, NodeDefinition } from '../../src/spec/index.js';

/** The catalogue with `target`'s lint wrapped to record what it is given. */
function spyOn(target: NodeDefinition | ConnectionKindDefinition) {
  const seen: unknown[] = [];
  const lint = (c: unknown) => {
    seen.push(structuredClone(c));
    return target.lint!(c as never);
  };
  const spied: Catalog = {
    nodes: catalog.nodes.map((n) => (n === target ? { ...n, lint } : n)),
    connections: catalog.connections.map((k) => (k === target ? { ...k, lint } : k)),
  };
  return { seen, validator: createFlowValidator(spied) };
}

/** An example written with only what differs from the defaults, as the editor saves it. */
function asSaved(def: NodeDefinition | ConnectionKindDefinition, config: Record<string, unknown>) {
  const defaults = applyDefaults(def.config, {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(config).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defaults[k])),
  );
}

describe('lint sees the config with defaults applied', () => {
  const nodes = catalog.nodes.filter((d) => d.lint);
  const kinds = catalog.connections.filter((d) => d.lint);

  it('there are rules to check', () => {
    expect(nodes.length + kinds.length).toBeGreaterThan(5);
  });

  it.each(nodes.map((d) => [d.type, d] as const))('node type %s', (_, def) => {
    const { seen, validator } = spyOn(def);
    const example = def.examples![0].config as Record<string, unknown>;
    const saved = asSaved(def, example);
    validator.validate({ format: 'sluice/flow@1', nodes: [{ id: 'n', type: def.type, config: saved }], edges: [] });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toEqual(applyDefaults(def.config, saved));
  });

  it.each(kinds.map((d) => [d.kind, d] as const))('connection kind %s', (_, def) => {
    const { seen, validator } = spyOn(def);
    const example = def.examples![0].config as Record<string, unknown>;
    const saved = asSaved(def, example);
    validator.validate({
      format: 'sluice/flow@1',
      nodes: [],
      connections: [{ id: 'c', kind: def.kind, config: saved }],
      edges: [],
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toEqual(applyDefaults(def.config, saved));
  });
});
