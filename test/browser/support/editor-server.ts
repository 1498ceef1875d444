/**
 * The real Sluice server with a freshly built editor, for browser tests, screenshots and the editor benchmark.
 * The renderer is built with Vite's JS API into a temp dir that the server serves (its `staticDir` option).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { createLogger } from '../../../src/runtime/log.js';
import { createServer, type ServerOptions, type SluiceServer } from '../../../src/server/app.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function buildEditor(outDir: string): Promise<void> {
  // The config sets NODE_ENV=production for the build (see renderer/vite.config.ts); the tests go on as they were.
  const nodeEnv = process.env.NODE_ENV;
  try {
    await build({
      configFile: join(ROOT, 'renderer/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

export interface EditorServer {
  url: string;
  server: SluiceServer;
  flowsDir: string;
  close(): Promise<void>;
}

/** Builds the editor (unless `staticDir` is given) and starts a server on a free port with an empty flows dir. */
export async function startEditorServer(
  options: { staticDir?: string; token?: string; extraRoutes?: ServerOptions['extraRoutes'] } = {},
): Promise<EditorServer> {
  const work = await mkdtemp(join(tmpdir(), 'sluice-editor-'));
  const staticDir = options.staticDir ?? join(work, 'dist');
  if (!options.staticDir) await buildEditor(staticDir);
  const flowsDir = join(work, 'flows');
  const server = await createServer({
    port: 0,
    flowsDir,
    staticDir,
    token: options.token,
    extraRoutes: options.extraRoutes,
    log: createLogger({ level: process.env.SLUICE_TEST_LOG ?? 'warn' }),
  });
  return {
    url: server.url,
    server,
    flowsDir,
    async close() {
      await server.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}
