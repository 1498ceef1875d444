/**
 * The app's own runtime and admin server, in process, on 127.0.0.1 with a random port and a random token: the editor
 * is loaded from it like from `sluice serve`. Runner tokens are sealed with the OS keychain when one is available.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { catalog } from '../../nodes/catalog.js';
import { FlowManager } from '../runtime/flow-manager.js';
import { createLogger, type SluiceLogger } from '../runtime/log.js';
import { createServer, type SluiceServer } from '../server/app.js';
import { runnerRoutes } from '../server/runners/routes.js';
import { RunnerSettings, type TokenSeal } from '../server/runners/settings.js';

export interface LocalServer {
  url: string;
  token: string;
  server: SluiceServer;
  close(): Promise<void>;
}

export async function startLocalServer(options: {
  dataDir: string;
  staticDir?: string;
  seal?: TokenSeal;
  log?: SluiceLogger;
}): Promise<LocalServer> {
  const log = options.log ?? createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? 'info' });
  const token = randomBytes(24).toString('hex');
  const runners = await RunnerSettings.open(join(options.dataDir, 'runners.json'), options.seal);
  const server = await createServer({
    host: '127.0.0.1',
    port: 0,
    token,
    flowsDir: join(options.dataDir, 'flows'),
    staticDir: options.staticDir,
    manager: new FlowManager({ catalog, log }),
    catalog,
    log,
    extraRoutes: runnerRoutes(runners),
  });
  return { url: server.url, token, server, close: () => server.close() };
}
