/**
 * `sluice run --api PORT`: the admin API's flows, runtime and live-feed routes over the runner's own flow manager,
 * without the editor's pages or try-it, so an editor (`sluice serve`, the desktop app) can deploy to this runner,
 * watch it and stop its flows. A token is always required, wherever it listens.
 */
import { catalog } from '../../nodes/catalog.js';
import type { FlowManager } from '../runtime/flow-manager.js';
import type { SluiceLogger } from '../runtime/log.js';
import { createServer, ServerConfigError, type SluiceServer } from '../server/app.js';
import { EXIT, UserError } from './io.js';
import { commaList } from './net-args.js';

export interface RunnerApiOptions {
  api?: string;
  apiHost?: string;
  token?: string;
  flowsDir?: string;
  allowHost?: string;
}

export interface RunnerApi {
  url: string;
  server: SluiceServer;
  close(): Promise<void>;
}

export async function startRunnerApi(
  opts: RunnerApiOptions,
  manager: FlowManager,
  log: SluiceLogger,
): Promise<RunnerApi> {
  const token = opts.token || undefined; // an empty SLUICE_TOKEN is no token
  if (token === undefined) {
    throw new UserError(
      '--api needs a token: pass --token <token> or set SLUICE_TOKEN (e.g. from `openssl rand -hex 16`); the editor adding this runner uses the same token',
      EXIT.usage,
    );
  }
  const host = opts.apiHost ?? '127.0.0.1';
  const port = opts.api ?? '0';
  let server: SluiceServer;
  try {
    server = await createServer({
      host,
      port: Number(port),
      flowsDir: opts.flowsDir ?? './flows',
      token,
      manager,
      catalog,
      log,
      editor: false,
      allowedHosts: commaList(opts.allowHost),
    });
  } catch (err) {
    if (err instanceof ServerConfigError) throw new UserError(err.message, EXIT.usage);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(`port ${port} on ${host} is in use; pick another with --api`, EXIT.startup);
    if (code !== undefined) throw new UserError(`cannot listen on ${host}:${port} (${code})`, EXIT.startup);
    throw err;
  }
  // One plain line scripts (and tests, with --api 0) can find the address in.
  process.stdout.write(`Sluice runner API: ${server.url}\n`);
  return { url: server.url, server, close: () => server.close() };
}
