/**
 * Node-side: a node type's or connection kind's runtime module, imported on first use from the list in
 * nodes/runtimes.ts (a flow loads only what it uses). A type missing from that list is looked up by folder
 * convention, so a node folder being written works before its line is added.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connectionRuntimes, nodeRuntimes } from '../../nodes/runtimes.js';
import type { ConnectionRuntime, CreateRuntime } from '../spec/runtime-contract.js';

const nodesDir = new URL('../../nodes/', import.meta.url);

function listed(
  list: Readonly<Record<string, () => Promise<Record<string, unknown>>>>,
  name: string,
): (() => Promise<Record<string, unknown>>) | undefined {
  return Object.hasOwn(list, name) ? list[name] : undefined;
}

async function importByFolder(relative: string): Promise<Record<string, unknown>> {
  // Compiled builds have .js next to each other; tests and `tsx` run the .ts sources.
  for (const ext of ['.js', '.ts']) {
    const url = new URL(`${relative}${ext}`, nodesDir);
    if (existsSync(fileURLToPath(url)))
      return (await import(pathToFileURL(fileURLToPath(url)).href)) as Record<string, unknown>;
  }
  throw new Error(`no module nodes/${relative}.js`);
}

/**
 * `trial`: for try-it. A runtime module may export `createForTrial` to run trials apart from deployed flows
 * (the function node runs trials on a sandbox pool of their own); `create` otherwise.
 */
export async function loadNodeRuntime(type: string, opts: { trial?: boolean } = {}): Promise<CreateRuntime<unknown>> {
  const mod = await (listed(nodeRuntimes, type)?.() ?? importByFolder(`${type}/runtime`));
  if (opts.trial && typeof mod.createForTrial === 'function') return mod.createForTrial as CreateRuntime<unknown>;
  if (typeof mod.create !== 'function') throw new Error(`nodes/${type}/runtime does not export create()`);
  return mod.create as CreateRuntime<unknown>;
}

export async function loadConnectionRuntime(kind: string): Promise<ConnectionRuntime<unknown, unknown>> {
  const mod = await (listed(connectionRuntimes, kind)?.() ?? importByFolder(`connections/${kind}/runtime`));
  const rt = (mod.runtime ?? mod.default) as ConnectionRuntime<unknown, unknown> | undefined;
  if (!rt || typeof rt.open !== 'function')
    throw new Error(`nodes/connections/${kind}/runtime does not export runtime`);
  return rt;
}
