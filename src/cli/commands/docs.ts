import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog } from '../../../nodes/catalog.js';
import { renderAllDocs, withReadmeTable } from '../../docs/node-docs.js';
import { applyDefaults } from '../../runtime/resolve-config.js';
import { EXIT } from '../io.js';

export function generatedDocs(): Map<string, string> {
  return renderAllDocs(catalog, (d) => applyDefaults(d.config, {}));
}

/** `path`'s README text with the current node table; undefined when it has no table markers. */
export function generatedReadme(path: string): string | undefined {
  return withReadmeTable(readFileSync(path, 'utf8'), catalog);
}

/** Write docs/nodes (and the README's node table), or with --check report what is stale. */
export function docsCommand(opts: { out: string; readme?: string; check?: boolean }): number {
  const pages = generatedDocs();
  const stale: string[] = [];
  if (opts.readme) {
    const text = generatedReadme(opts.readme);
    if (text === undefined) {
      process.stderr.write(`${opts.readme}: no generated node table markers found\n`);
      return EXIT.invalid;
    }
    if (text !== readFileSync(opts.readme, 'utf8')) {
      if (opts.check) stale.push(opts.readme);
      else writeFileSync(opts.readme, text);
    }
  }
  if (!opts.check) mkdirSync(opts.out, { recursive: true });
  for (const [name, text] of pages) {
    const path = join(opts.out, name);
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    if (opts.check) stale.push(path);
    else writeFileSync(path, text);
  }
  if (opts.check && stale.length) {
    process.stderr.write(`stale node docs (run \`npm run docs:nodes\`):\n${stale.map((s) => `  ${s}`).join('\n')}\n`);
    return EXIT.invalid;
  }
  if (!opts.check) process.stdout.write(`wrote ${pages.size} pages to ${opts.out}\n`);
  return EXIT.ok;
}
