/**
 * Node-side: a node type's or connection kind's runtime module, imported on first use from its folder
 * (`nodes/<type>/runtime.ts`, `nodes/connections/<kind>/runtime.ts`), so a flow loads only what it uses and there is
 * no list to keep: adding a node type is its folder and one catalogue line.
 *
 * The import is a template literal on purpose: esbuild (scripts/bundle-cli.mjs, build-desktop.mjs) turns it into a
 * map of every `runtime.ts` under nodes/, each its own chunk; tsc (rewriteRelativeImportExtensions) rewrites the
 * `.ts` to `.js` at run time for the compiled tree; tsx and vitest import the source.
 */
import type { ConnectionRuntime, CreateRuntime } from '../spec/runtime-contract.js';

/** Folder names of node types and connection kinds: nothing else reaches the import (no `..`, no `/`). */
const FOLDER_NAME = /^[a-z0-9][a-z0-9-]*$/;

function folder(what: string, name: string): string {
  if (!FOLDER_NAME.test(name)) throw new Error(`no ${what} "${name}": not a folder name under nodes/`);
  return name;
}

async function importRuntime(what: string, load: () => Promise<Record<string, unknown>>, where: string) {
  try {
    return await load();
  } catch (err) {
    // Node (compiled tree), esbuild's map (bundles) and Vite's (tests) each say "no such module" their own way.
    const missing =
      (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' ||
      /not found in bundle|unknown variable dynamic import/i.test(String(err));
    if (missing) throw new Error(`no ${what} runtime: ${where} is missing`);
    throw err;
  }
}

/**
 * `trial`: for try-it. A runtime module may export `createForTrial` to run trials apart from deployed flows
 * (the function node runs trials on a sandbox pool of their own); `create` otherwise.
 */
export async function loadNodeRuntime(type: string, opts: { trial?: boolean } = {}): Promise<CreateRuntime<unknown>> {
  const name = folder('node type', type);
  const mod = await importRuntime(
    `node type "${type}"`,
    () => import(`../../nodes/${name}/runtime.ts`),
    `nodes/${type}/runtime.ts`,
  );
  if (opts.trial && typeof mod.createForTrial === 'function') return mod.createForTrial as CreateRuntime<unknown>;
  if (typeof mod.create !== 'function') throw new Error(`nodes/${type}/runtime does not export create()`);
  return mod.create as CreateRuntime<unknown>;
}

export async function loadConnectionRuntime(kind: string): Promise<ConnectionRuntime<unknown, unknown>> {
  const name = folder('connection kind', kind);
  const mod = await importRuntime(
    `connection kind "${kind}"`,
    () => import(`../../nodes/connections/${name}/runtime.ts`),
    `nodes/connections/${kind}/runtime.ts`,
  );
  const rt = (mod.runtime ?? mod.default) as ConnectionRuntime<unknown, unknown> | undefined;
  if (!rt || typeof rt.open !== 'function')
    throw new Error(`nodes/connections/${kind}/runtime does not export runtime`);
  return rt;
}
