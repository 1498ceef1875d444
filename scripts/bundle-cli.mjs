/**
 * Bundle the CLI into dist/cli/ (bin/sluice.js runs it). Start-up time is module loading: TypeBox alone is 373 ESM
 * files (~200 ms to resolve and link, ~25 ms as one file). Our code and the pure-JS libraries made of many small
 * files are bundled; every other dependency stays an ordinary import (native addons, libraries that find files or
 * workers next to themselves, libraries patched through their internals). Code splitting keeps each command and each
 * node runtime in its own chunk, imported only when used.
 */
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

/**
 * Bundled: many small ES/CommonJS modules, no files of their own read at run time. mqtt.js with its dependencies is
 * ~150 files (readable-stream, bl, worker-timers, ws, socks); what Sluice reaches into is per client instance
 * (src/connectors/mqtt/internals.ts), which a bundled copy has too.
 */
const BUNDLED = new Set(['typebox', 'ajv', 'ajv-formats', 'commander', 'jsonc-parser', 'mqtt', 'pino']);
/**
 * Kept external although only reached through a bundled library: `debug` is patched in require's cache before
 * mqtt-packet creates its loggers (src/connectors/mqtt/quiet-debug.ts); a bundled copy would escape the patch.
 */
const ALSO_EXTERNAL = ['debug'];
const external = [...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)), ...ALSO_EXTERNAL].flatMap(
  (name) => [name, `${name}/*`],
);

const outdir = new URL('dist/cli/', root).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root.pathname,
  // The sandbox worker is an entry of its own: spawn.ts starts `./worker.js` beside the chunk that spawns it.
  entryPoints: { main: 'src/cli/main.ts', worker: 'src/sandbox/worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // ES builds first: jsonc-parser's UMD main requires its files by computed paths a bundle cannot follow.
  mainFields: ['module', 'main'],
  target: 'node20',
  // Every chunk lands in dist/cli/, as deep as src/cli/: paths resolved from import.meta.url (package.json,
  // renderer/dist) still hold.
  external,
  // Bundled CommonJS (commander, ajv) requires Node built-ins: give each chunk a real require.
  banner: {
    js: "import { createRequire as __sluiceRequire } from 'node:module'; const require = __sluiceRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});
