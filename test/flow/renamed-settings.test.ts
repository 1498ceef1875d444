/**
 * Every rename a definition declares (its `renamed` map) migrates: a flow written with the old name loads with the new
 * one (a warning, no error), and is saved with the new name only. Derived from the catalogue: a rename added to any
 * definition is checked here without editing this file.
 */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { renamedSettings } from '../../src/flow/migrate.js';
import { createFlowValidator } from '../../src/flow/validate.js';
import { prepareSave } from '../../src/server/prepare.js';
import type { TSchema } from '../../src/spec/index.js';

const validator = createFlowValidator(catalog);
const renamed = renamedSettings(catalog);

type Props = Record<string, TSchema & { default?: unknown; type?: string; enum?: unknown[]; minimum?: number }>;
const propsOf = (schema: unknown) => (schema as { properties: Props }).properties;

/** A value the new field accepts that is not its default, so a lost rename cannot pass as the default. */
function valueFor(p: Props[string]): unknown {
  if (Array.isArray(p.enum)) return p.enum.find((v) => v !== p.default) ?? p.enum[0];
  if (p.type === 'integer' || p.type === 'number')
    return typeof p.default === 'number' ? p.default + 1 : (p.minimum ?? 1);
  if (p.type === 'boolean') return p.default === undefined ? true : !p.default;
  if (p.type === 'string') return 'renamed-value';
  return p.default;
}

const cases = [
  ...Object.entries(renamed.nodes).flatMap(([type, map]) =>
    Object.entries(map).map(([old, now]) => ({ list: 'nodes' as const, what: type, old, now })),
  ),
  ...Object.entries(renamed.connections).flatMap(([kind, map]) =>
    Object.entries(map).map(([old, now]) => ({ list: 'connections' as const, what: kind, old, now })),
  ),
];

function schemaOf(list: 'nodes' | 'connections', what: string) {
  return list === 'nodes'
    ? catalog.nodes.find((n) => n.type === what)!.config
    : catalog.connections.find((c) => c.kind === what)!.config;
}

describe('renamed settings declared by the definitions', () => {
  it('the catalogue declares renames for nodes and connection kinds', () => {
    expect(cases.length).toBeGreaterThan(10);
    expect(Object.keys(renamed.nodes).length).toBeGreaterThan(0);
    expect(Object.keys(renamed.connections).length).toBeGreaterThan(0);
  });

  it.each(cases)(
    '$list $what: $old -> $now loads under the new name and is saved with it',
    ({ list, what, old, now }) => {
      const props = propsOf(schemaOf(list, what));
      expect(props[now], `${what}.${now} exists`).toBeDefined();
      expect(props[old], `${what}.${old} is gone`).toBeUndefined();
      const value = valueFor(props[now]);
      const item =
        list === 'nodes'
          ? { id: 'n', type: what, config: { [old]: value } }
          : { id: 'c', kind: what, config: { [old]: value } };
      const input = {
        format: 'sluice/flow@1',
        nodes: list === 'nodes' ? [item] : [],
        connections: list === 'connections' ? [item] : [],
        edges: [],
      };
      const { problems, flow } = validator.validate(input);
      const at = `/${list}/0/config/`;
      // Other required fields are missing on purpose; nothing may be wrong with the renamed field itself.
      expect(problems.filter((p) => p.severity === 'error' && (p.path === at + old || p.path === at + now))).toEqual(
        [],
      );
      expect(problems).toContainEqual(
        expect.objectContaining({ code: 'renamed-setting', severity: 'warning', path: at + now }),
      );
      const config = (flow as unknown as Record<string, Array<{ config: Record<string, unknown> }>>)[list][0].config;
      expect(config[now]).toEqual(value);
      expect(Object.hasOwn(config, old)).toBe(false);
      const saved = prepareSave(input as never, 'f', validator);
      const savedConfig = (saved.flow as unknown as Record<string, Array<{ config: Record<string, unknown> }>>)[list][0]
        .config;
      expect(Object.hasOwn(savedConfig, old)).toBe(false);
      // A secret is stripped from what is saved; any other value keeps its new name.
      if (!(props[now] as { 'x-secret'?: boolean })['x-secret']) expect(savedConfig[now]).toEqual(value);
    },
  );

  it('a name that is a prototype key is not taken for a rename map', () => {
    const { problems } = validator.validate({
      format: 'sluice/flow@1',
      nodes: [{ id: 'n', type: 'constructor', config: { toString: 1 } }],
      edges: [],
    });
    expect(problems.some((p) => p.code === 'renamed-setting')).toBe(false);
  });
});
