/**
 * Vite plugin: compiles the flow document's JSON Schema with Ajv at build time (Ajv's standalone code), so the
 * browser validates flows without `new Function` and the page keeps a CSP without 'unsafe-eval'.
 *
 * The browser side (`renderer/src/validation/precompiled-ajv.ts`) stands in for `ajv/dist/2020.js` and hands out
 * these functions by schema key; it throws for a schema that was not precompiled here.
 */
import type { Plugin } from 'vite';
import { catalog } from '../../nodes/catalog.js';
import { createAjv } from '../../src/flow/ajv.js';
import { assembleFlowSchema } from '../../src/flow/flow-schema.js';
import { schemaKey } from './schema-key.js';

export const PRECOMPILED_MODULE = 'virtual:sluice-precompiled';
const RESOLVED = `\0${PRECOMPILED_MODULE}`;

/** The schemas the browser compiles, with the Ajv options it compiles them with (see src/flow/validate.ts). */
function schemasToPrecompile(): Array<{ schema: Record<string, unknown>; useDefaults: boolean }> {
  return [{ schema: assembleFlowSchema(catalog), useDefaults: true }];
}

/** Ajv's standalone output `require`s its small runtime helpers; turn those into ES imports. */
function esmRuntimeImports(code: string, prefix: string): { imports: string; body: string } {
  const names = new Map<string, string>();
  const body = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9_]+)"\)/g, (_m, mod: string) => {
    let name = names.get(mod);
    if (!name) {
      name = `${prefix}rt${names.size}`;
      names.set(mod, name);
    }
    // A CommonJS module imported as a namespace: `.default` is the helper or module.exports, depending on interop.
    return `__cjs(${name})`;
  });
  const imports = [...names].map(([mod, name]) => `import * as ${name} from "${mod}.js";`).join('\n');
  return { imports, body };
}

type StandaloneCode = (ajv: unknown, validate: unknown) => string;

async function generate(): Promise<string> {
  // A CommonJS module: depending on the loader, the function is the default export or its `default` property.
  const mod = (await import('ajv/dist/standalone/index.js')) as unknown as {
    default: StandaloneCode | { default: StandaloneCode };
  };
  const toCode: StandaloneCode = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const parts: string[] = [
    'const __cjs = (ns) => (typeof ns.default === "function" ? ns : ns.default);',
    'export const precompiled = {};',
  ];
  schemasToPrecompile().forEach(({ schema, useDefaults }, i) => {
    const ajv = createAjv({ useDefaults });
    // Same options as the browser's createAjv(), plus source output (read at compile time, so set before compile).
    const opts = ajv.opts as { code: { source?: boolean; esm?: boolean } };
    opts.code.source = true;
    opts.code.esm = true;
    const fn = ajv.compile(schema);
    const prefix = `s${i}_`;
    const raw = toCode(ajv, fn)
      .replace(/^"use strict";/, '')
      .replace(/export const validate = \w+;/, '')
      .replace(/export default (\w+);/, `const ${prefix}main = $1;`);
    const { imports, body } = esmRuntimeImports(raw, prefix);
    // Each schema's code lives in its own block so generated names (validate20, schema31, ...) cannot clash.
    parts.unshift(imports);
    parts.push(`{\n${body}\nprecompiled[${JSON.stringify(schemaKey(schema))}] = ${prefix}main;\n}`);
  });
  return parts.join('\n');
}

export function precompiledValidators(): Plugin {
  return {
    name: 'sluice-precompiled-validators',
    resolveId(source) {
      return source === PRECOMPILED_MODULE ? RESOLVED : undefined;
    },
    async load(id) {
      return id === RESOLVED ? generate() : undefined;
    },
  };
}
