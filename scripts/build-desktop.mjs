/**
 * Build the desktop shell into dist/desktop/: the main process (ES module, with the runtime and admin server bundled
 * in, split so node runtimes load on use; the sandbox worker beside it), and the preload (CommonJS: sandboxed preloads
 * cannot be ES modules). Separate from the CLI bundle (scripts/bundle-cli.mjs): the CLI never contains Electron code.
 */
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
// As in the CLI bundle: native addons and libraries that find files beside themselves stay ordinary imports.
const BUNDLED = new Set(['typebox', 'ajv', 'ajv-formats', 'commander', 'jsonc-parser', 'mqtt', 'pino']);
const external = ['electron', 'debug', ...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name))].flatMap(
  (name) => [name, `${name}/*`],
);

const outdir = new URL('dist/desktop/', root).pathname;
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root.pathname,
  entryPoints: { main: 'src/desktop/main.ts', worker: 'src/sandbox/worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'],
  // Electron 45 embeds Node 22.
  target: 'node22',
  external,
  banner: {
    js: "import { createRequire as __sluiceRequire } from 'node:module'; const require = __sluiceRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});

await build({
  absWorkingDir: root.pathname,
  entryPoints: ['src/desktop/preload.ts'],
  outfile: `${outdir}preload.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  external: ['electron'],
  logLevel: 'warning',
});
