/**
 * The desktop shell stays out of the CLI and the editor stays free of Node: walk the static and dynamic imports from
 * the CLI's entry (what scripts/bundle-cli.mjs bundles) and read every renderer source file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
}

function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const s of specifiers(file)) {
      if (!s.startsWith('.')) {
        packages.add(s);
        continue;
      }
      const target = resolve(dirname(file), s.replace(/\.js$/, '.ts'));
      if (existsSync(target)) stack.push(target);
    }
  }
  return { files, packages };
}

function tree(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tree(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('boundaries', () => {
  it('the CLI reaches no desktop code and never imports electron', () => {
    const { files, packages } = reachable(join(root, 'src/cli/main.ts'));
    expect(files.size).toBeGreaterThan(50);
    expect([...files].map((f) => relative(root, f)).filter((f) => f.startsWith('src/desktop/'))).toEqual([]);
    expect([...packages].filter((p) => p === 'electron' || p.startsWith('electron/'))).toEqual([]);
  });

  it('the editor imports no Node built-ins and no Electron; of the desktop only the bridge contract (no Node in it)', () => {
    const offending: string[] = [];
    for (const file of tree(join(root, 'renderer/src'))) {
      for (const s of specifiers(file)) {
        const node = s.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'electron'].includes(s);
        const desktop = s.includes('/src/desktop/') && !s.endsWith('/src/desktop/bridge.js');
        if (node || desktop) offending.push(`${relative(root, file)}: ${s}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
