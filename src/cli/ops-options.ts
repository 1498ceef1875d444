/** `--ops-port`, `--ops-host`, `--max-event-loop-lag` for the long-running commands, and starting the ops server. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_MAX_LAG_MS } from '../ops/lag.js';
import type { OpsServer } from '../ops/server.js';
import type { OpsSource } from '../ops/source.js';
import type { SluiceLogger } from '../runtime/log.js';
import { EXIT, UserError } from './io.js';

export interface OpsOptions {
  opsPort?: string;
  opsHost: string;
  maxEventLoopLag: string;
}

function portArg(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return value;
}

function millisArg(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of milliseconds');
  return value;
}

export function addOpsOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--ops-port <port>', 'serve /healthz, /readyz and /metrics on this port (0 picks a free one)')
        .env('SLUICE_OPS_PORT')
        .argParser(portArg),
    )
    .addOption(new Option('--ops-host <host>', 'address of the ops server').env('SLUICE_OPS_HOST').default('127.0.0.1'))
    .addOption(
      new Option('--max-event-loop-lag <ms>', '/healthz is unhealthy when the event loop lagged more than this')
        .env('SLUICE_MAX_EVENT_LOOP_LAG_MS')
        .argParser(millisArg)
        .default(String(DEFAULT_MAX_LAG_MS)),
    );
}

/** Starts the ops server when `--ops-port` (or SLUICE_OPS_PORT) is set; a port in use is a start-up error. */
export async function startOps(opts: OpsOptions, source: OpsSource, log: SluiceLogger): Promise<OpsServer | undefined> {
  if (opts.opsPort === undefined) return undefined;
  // Loaded only when asked for: prom-client is not needed by a runner without an ops port, nor by the other commands.
  const [{ startOpsServer }, { catalog }] = await Promise.all([
    import('../ops/server.js'),
    // The catalogue (every node definition) is not for `--version` or `--help`: loaded with the ops server.
    import('../../nodes/catalog.js'),
  ]);
  try {
    return await startOpsServer({
      source,
      catalog,
      host: opts.opsHost,
      port: Number(opts.opsPort),
      maxLagMs: Number(opts.maxEventLoopLag),
      log,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use; pick another with --ops-port' : (code ?? String(err));
    throw new UserError(`cannot serve the ops endpoints on ${opts.opsHost}:${opts.opsPort}: ${why}`, EXIT.startup);
  }
}

/** `--log-level`, from SLUICE_LOG_LEVEL when not given. */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'trace, debug, info, warn, error')
    .env('SLUICE_LOG_LEVEL')
    .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info');
}
