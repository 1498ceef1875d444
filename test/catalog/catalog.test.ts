import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { generatedDocs, generatedReadme } from '../../src/cli/commands/docs.js';
import { createAjv } from '../../src/flow/ajv.js';
import { loadConnectionRuntime, loadNodeRuntime } from '../../src/runtime/loader.js';
import { applyDefaults } from '../../src/runtime/resolve-config.js';
import { outputPorts } from '../../src/spec/node-definition.js';

const ajv = createAjv();

describe('the node catalogue', () => {
  it('has unique types and kinds, named like their folders', () => {
    const types = catalog.nodes.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    for (const t of types) {
      expect(t).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(existsSync(new URL(`../../nodes/${t}/definition.ts`, import.meta.url)), `nodes/${t}/definition.ts`).toBe(
        true,
      );
    }
    const kinds = catalog.connections.map((c) => c.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it('has a runtime folder for every type and kind, and no runtime folder outside the catalogue', async () => {
    // The loader finds runtimes by folder name (no list to keep): the folders and the catalogue must agree.
    const withRuntime = (dir: URL) =>
      readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(new URL(`${e.name}/runtime.ts`, dir)))
        .map((e) => e.name)
        .sort();
    const nodesDir = new URL('../../nodes/', import.meta.url);
    expect(withRuntime(nodesDir)).toEqual(catalog.nodes.map((d) => d.type).sort());
    expect(withRuntime(new URL('connections/', nodesDir))).toEqual(catalog.connections.map((c) => c.kind).sort());
    for (const c of catalog.connections) expect(typeof (await loadConnectionRuntime(c.kind)).open).toBe('function');
  });

  it('refuses a type that is not a folder name, and says which runtime is missing', async () => {
    await expect(loadNodeRuntime('../src/cli/main')).rejects.toThrow(/not a folder name under nodes\//);
    await expect(loadNodeRuntime('no-such-type')).rejects.toThrow(/nodes\/no-such-type\/runtime.ts is missing/);
    await expect(loadConnectionRuntime('no-such-kind')).rejects.toThrow(/connections\/no-such-kind\/runtime.ts/);
  });

  for (const def of catalog.nodes) {
    describe(def.type, () => {
      it('has a runtime exporting create()', async () => {
        expect(typeof (await loadNodeRuntime(def.type))).toBe('function');
      });

      it('has a config schema that compiles, and defaults and examples that validate', () => {
        const validate = ajv.compile(JSON.parse(JSON.stringify(def.config)));
        const defaults = applyDefaults(def.config, {});
        // Defaults alone may lack required fields without defaults (a connection id); examples must be complete.
        for (const ex of def.examples ?? []) {
          const ok = validate(applyDefaults(def.config, ex.config));
          expect(ok, `${def.type} example "${ex.title}": ${JSON.stringify(validate.errors)}`).toBe(true);
          // The lint contract: a rule sees the config with its defaults applied, as the validator passes it.
          const filled = applyDefaults(def.config, ex.config);
          expect(def.lint?.(filled as never) ?? [], `lint of example "${ex.title}"`).toEqual([]);
        }
        expect((def.examples ?? []).length, 'at least one example').toBeGreaterThan(0);
        expect(outputPorts(def, defaults).at(-1)?.name).toBe('error');
      });

      it('is documented: title, summary, docs and a described field each', () => {
        expect(def.title.length).toBeGreaterThan(0);
        expect(def.summary.length).toBeGreaterThan(10);
        expect(def.docs.length).toBeGreaterThan(40);
        const props = (
          def.config as unknown as { properties?: Record<string, { title?: string; description?: string }> }
        ).properties;
        for (const [name, p] of Object.entries(props ?? {})) {
          expect(p.title ?? p.description, `${def.type}.${name} has a title or description`).toBeTruthy();
        }
      });
    });
  }

  for (const kind of catalog.connections) {
    it(`connection kind ${kind.kind} has a runtime with open/close and a compiling schema`, async () => {
      const rt = await loadConnectionRuntime(kind.kind);
      expect(typeof rt.open).toBe('function');
      expect(typeof rt.close).toBe('function');
      ajv.compile(JSON.parse(JSON.stringify(kind.config)));
      for (const ex of kind.examples ?? []) {
        const v = ajv.compile(JSON.parse(JSON.stringify(kind.config)));
        expect(v(applyDefaults(kind.config, ex.config)), `${kind.kind} example ${ex.title}`).toBe(true);
      }
    });
  }

  it('the generated node reference in docs/nodes is up to date (run `npm run docs:nodes`)', () => {
    for (const [name, text] of generatedDocs()) {
      const path = new URL(`../../docs/nodes/${name}`, import.meta.url);
      expect(existsSync(path), `docs/nodes/${name} exists`).toBe(true);
      expect(readFileSync(path, 'utf8'), `docs/nodes/${name} is current`).toBe(text);
    }
  });

  it('the README node table is generated from the definitions and up to date (run `npm run docs:nodes`)', () => {
    const path = new URL('../../README.md', import.meta.url).pathname;
    const text = generatedReadme(path);
    expect(text, 'README.md has the generated table markers').toBeDefined();
    expect(readFileSync(path, 'utf8'), 'README.md node table is current').toBe(text);
    for (const d of catalog.nodes) expect(text).toContain(`[\`${d.type}\`](docs/nodes/${d.type}.md)`);
  });
});
