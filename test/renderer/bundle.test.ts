/**
 * The editor bundle is browser-only: built with Vite's JS API, its module graph holds no Node built-in, no node
 * runtime (nodes/<type>/runtime.ts), no runtime/server/CLI code and no broker or database client, and Vite
 * externalised nothing "for browser compatibility". Its scripts never generate code (CSP without 'unsafe-eval').
 */

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createLogger, type Plugin } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const NODE_ONLY_PACKAGES = [
  'mqtt',
  'kafkajs',
  'amqplib',
  'pg',
  'pg-copy-streams',
  'mysql2',
  'better-sqlite3',
  'aedes',
  'pino',
  'fastify',
  '@fastify/static',
  '@fastify/websocket',
  'commander',
  'quickjs-emscripten-core',
  '@jitl/quickjs-wasmfile-release-sync',
  'prom-client',
  'ws',
  'electron',
];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function packageOf(id: string): string | undefined {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id.replaceAll('\\', '/'));
  return m?.[1];
}

describe('renderer bundle', () => {
  let outDir: string;
  const modules = new Set<string>();
  const externals = new Set<string>();
  const warnings: string[] = [];
  let nodeEnv: string | undefined;
  let buildNodeEnv: string | undefined;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'sluice-bundle-'));
    const collect: Plugin = {
      name: 'collect-module-graph',
      enforce: 'post',
      resolveId: {
        order: 'post',
        handler(source) {
          if (BUILTINS.has(source)) externals.add(source);
          return null;
        },
      },
      buildEnd() {
        for (const id of this.getModuleIds()) {
          modules.add(id);
        }
      },
    };
    const logger = createLogger('warn');
    const warn = logger.warn.bind(logger);
    logger.warn = (msg, opts) => {
      warnings.push(msg);
      warn(msg, opts);
    };
    // Built as a test run builds it (vitest's NODE_ENV), whatever this runner was started with.
    const runnerNodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'test';
    nodeEnv = process.env.NODE_ENV;
    try {
      await build({
        configFile: join(ROOT, 'renderer/vite.config.ts'),
        customLogger: logger,
        logLevel: 'warn',
        plugins: [collect],
        build: {
          outDir,
          emptyOutDir: true,
          sourcemap: false,
          rolldownOptions: {
            onwarn(warning, defaultHandler) {
              warnings.push(String(warning.message));
              defaultHandler(warning);
            },
          },
        },
      });
      buildNodeEnv = process.env.NODE_ENV;
    } finally {
      process.env.NODE_ENV = runnerNodeEnv;
    }
  }, 120_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('collected the module graph', () => {
    expect(modules.size).toBeGreaterThan(100);
    expect([...modules].some((m) => m.endsWith('nodes/catalog.ts'))).toBe(true);
  });

  it('has no Node built-in, externalised or not', () => {
    const builtins = [...modules, ...externals].filter(
      (id) => BUILTINS.has(id) || id.startsWith('node:') || id.includes('__vite-browser-external'),
    );
    expect(builtins).toEqual([]);
    expect(warnings.filter((w) => /externalized for browser compatibility/.test(w))).toEqual([]);
  });

  it('has no node runtime, engine, server or CLI code', () => {
    const rel = [...modules].map((id) => id.replaceAll('\\', '/').replace(ROOT.replaceAll('\\', '/'), ''));
    // Helpers that definitions share with runtimes (src/connectors/*, nodes/<type>/*.ts) may come along, as long as
    // they pull in nothing Node-only (checked above and below); runtimes and the Node side may not.
    const forbidden = rel.filter(
      (id) => /^nodes\/.+\/runtime\.ts$/.test(id) || /^src\/(runtime|server|cli|desktop)\//.test(id),
    );
    expect(forbidden).toEqual([]);
  });

  it('has no broker, database or server package', () => {
    const packages = new Set([...modules].map(packageOf).filter((p): p is string => p !== undefined));
    expect(NODE_ONLY_PACKAGES.filter((p) => packages.has(p))).toEqual([]);
  });

  it("is React's production build whatever NODE_ENV the build runs under (here `test`, as under vitest)", () => {
    expect(nodeEnv).toBe('test');
    expect(buildNodeEnv).toBe('production');
    const development = [...modules].filter((id) =>
      /node_modules\/.+\.development\.js$/.test(id.replaceAll('\\', '/')),
    );
    expect(development).toEqual([]);
  });

  it('never generates code at run time (no eval, no new Function) in its entry chunk', async () => {
    const assets = join(outDir, 'assets');
    const entries = (await readdir(assets)).filter((f) => /^index-.*\.js$/.test(f));
    expect(entries.length).toBe(1);
    const code = await readFile(join(assets, entries[0]), 'utf8');
    // Ajv's compile (new Function) must not be reachable: flow validation is precompiled at build time.
    expect(code).not.toMatch(/\bnew Function\s*\(/);
    expect(code).not.toMatch(/[^.\w]eval\s*\(/);
  });
});
