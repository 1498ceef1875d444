/**
 * The import rules of docs/architecture.md, checked on every source file: which layer may import which. A rule
 * broken here is a layer leaking (Node-only code in the editor bundle, a node reaching into the engine, a connector
 * knowing a node), so the message names the file, the import and the rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Import {
  /** The file that imports, relative to the repository root. */
  from: string;
  /** What it imports: a path relative to the root for a relative import, else the package or `node:` name. */
  target: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sourceFiles(path));
    } else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

// Static imports and re-exports (`import x from`, `import type {..} from`, `export * from`) and dynamic `import()`.
const STATIC = /^\s*(import|export)\s+(type\s+)?[^;'"]*?from\s+['"]([^'"]+)['"]/gm;
const BARE = /^\s*import\s+['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: Import[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const target = spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : spec;
    found.push({ from: file, target, typeOnly });
  };
  for (const m of text.matchAll(STATIC)) add(m[3], m[2] !== undefined);
  for (const m of text.matchAll(BARE)) add(m[1], false);
  for (const m of text.matchAll(DYNAMIC)) add(m[1], false);
  return found;
}

const nodeBuiltins = new Set(builtinModules);
const isNodeBuiltin = (t: string) => t.startsWith('node:') || nodeBuiltins.has(t.split('/')[0]);
const under = (t: string, dir: string) => t === dir || t.startsWith(`${dir}/`);
const isRelative = (i: Import) =>
  !isNodeBuiltin(i.target) && /^(src|nodes|renderer|test|bench|scripts)(\/|$)/.test(i.target);

/** One rule: which files it covers, and why an import is refused (undefined: allowed). */
interface Rule {
  name: string;
  files: string[];
  refuse(i: Import): string | undefined;
}

/** Isomorphic layers: the editor bundles them, so no Node built-ins and nothing from the Node-only layers. */
const NODE_ONLY = ['src/runtime', 'src/connectors', 'src/server', 'src/cli', 'src/sandbox', 'src/ops', 'src/kit'];

/** A node's own connector: the connector family its folder name starts with (sql sinks share `sql`). */
function ownConnector(nodeDir: string): string[] {
  const type = nodeDir.split('/')[1] === 'connections' ? nodeDir.split('/')[2] : nodeDir.split('/')[1];
  const family = type.split('-')[0];
  if (['postgres', 'mysql', 'sqlite'].includes(family)) return ['src/connectors/sql'];
  if (family === 'function') return ['src/sandbox'];
  // Sparkplug B is an MQTT payload standard: its nodes use the MQTT client code, and MQTT nodes its codec.
  if (family === 'sparkplug' || family === 'mqtt') return ['src/connectors/mqtt', 'src/connectors/sparkplug'];
  return [`src/connectors/${family}`];
}

function nodeFolderOf(file: string): string {
  const parts = file.split('/');
  return parts[1] === 'connections' ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
}

const rules: Rule[] = [
  {
    name: 'the renderer never imports Node-only code (only node definitions, src/flow, src/spec, src/expr, and types from src/server/protocol.ts and src/desktop/bridge.ts)',
    files: sourceFiles('renderer/src'),
    refuse(i) {
      if (isNodeBuiltin(i.target)) return 'a Node built-in';
      if (!isRelative(i) || under(i.target, 'renderer')) return undefined;
      if (i.target === 'src/server/protocol.js') return i.typeOnly ? undefined : 'protocol.ts only with `import type`';
      // The desktop shell's contract with the editor (IPC channel names, the preload's API): types only here.
      if (i.target === 'src/desktop/bridge.js') return i.typeOnly ? undefined : 'bridge.ts only with `import type`';
      if (['src/flow', 'src/spec', 'src/expr'].some((d) => under(i.target, d))) return undefined;
      if (i.target === 'nodes/catalog.js' || /^nodes\/(connections\/)?[^/]+\/definition\.js$/.test(i.target)) {
        return undefined;
      }
      if (/^nodes\/.*\/definition\.js$/.test(i.target)) return undefined;
      return 'Node-only or engine code';
    },
  },
  {
    name: 'nodes import only src/spec, src/kit, src/expr, their own connector, connection definitions and their own folder',
    files: sourceFiles('nodes').filter((f) => f.split('/').length > 2),
    refuse(i) {
      if (!isRelative(i)) return undefined; // packages and Node built-ins: a runtime.ts is Node code
      const own = nodeFolderOf(i.from);
      if (under(i.target, own)) return undefined;
      if (['src/spec', 'src/kit', 'src/expr'].some((d) => under(i.target, d))) return undefined;
      // Shared connector pieces (codec, envelope, wire headers) and the node's own connector family.
      if (/^src\/connectors\/[^/]+\.js$/.test(i.target)) return undefined;
      if (ownConnector(own).some((d) => under(i.target, d))) return undefined;
      if (/^nodes\/connections\/[^/]+\/(definition|runtime)\.js$/.test(i.target)) return undefined;
      return 'not the spec, the kit, the expression language or its own connector';
    },
  },
  {
    name: 'connectors never import nodes/ or the engine (src/runtime)',
    files: sourceFiles('src/connectors'),
    refuse(i) {
      if (under(i.target, 'nodes')) return 'a node folder';
      if (under(i.target, 'src/runtime')) return 'the engine';
      if (['src/server', 'src/cli', 'src/ops'].some((d) => under(i.target, d))) return 'a layer above the connectors';
      return undefined;
    },
  },
  {
    name: 'the kit imports only the spec, the expression language and itself',
    files: sourceFiles('src/kit'),
    refuse(i) {
      if (!isRelative(i)) return undefined;
      if (['src/kit', 'src/spec', 'src/expr'].some((d) => under(i.target, d))) return undefined;
      return 'a layer the kit must not depend on';
    },
  },
  {
    name: 'src/spec, src/flow and src/expr are isomorphic: no Node built-ins, no Node-only layers, no nodes',
    files: [...sourceFiles('src/spec'), ...sourceFiles('src/flow'), ...sourceFiles('src/expr')],
    refuse(i) {
      if (isNodeBuiltin(i.target)) return 'a Node built-in';
      if (NODE_ONLY.some((d) => under(i.target, d))) return 'Node-only code';
      if (under(i.target, 'nodes')) return 'a node folder';
      return undefined;
    },
  },
  {
    name: 'the engine (src/runtime) never imports the server, the CLI or the ops server',
    files: sourceFiles('src/runtime'),
    refuse(i) {
      if (['src/server', 'src/cli', 'src/ops'].some((d) => under(i.target, d))) return 'a layer above the engine';
      return undefined;
    },
  },
];

describe('import rules (docs/architecture.md)', () => {
  for (const rule of rules) {
    it(rule.name, () => {
      expect(rule.files.length).toBeGreaterThan(0);
      const broken: string[] = [];
      for (const file of rule.files) {
        for (const i of importsOf(file)) {
          const why = rule.refuse(i);
          if (why) broken.push(`${file} imports ${i.target}: ${why}`);
        }
      }
      expect(broken).toEqual([]);
    });
  }

  it('sees every kind of import it checks (static, type-only, re-export, dynamic)', () => {
    const seen = importsOf('src/kit/index.ts');
    expect(seen.some((i) => i.target === 'src/kit/batcher.js')).toBe(true);
    const loader = importsOf('src/runtime/loader.ts');
    expect(loader.length).toBeGreaterThan(0);
  });
});
