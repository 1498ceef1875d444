/** `sluice serve`: the editor, the admin API and the runtime in one process until SIGINT/SIGTERM. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { catalog } from '../../../nodes/catalog.js';
import { FlowManager } from '../../runtime/flow-manager.js';
import { createLogger, type SluiceLogger } from '../../runtime/log.js';
import { createServer, ServerConfigError, type SluiceServer } from '../../server/app.js';
import { ApiError } from '../../server/errors.js';
import { importFlow } from '../../server/import.js';
import { prepareSave } from '../../server/prepare.js';
import { runnerRoutes } from '../../server/runners/routes.js';
import { defaultRunnersFile, RunnerSettings } from '../../server/runners/settings.js';
import { DEMO_MQTT_PORT, portNumber, startEmbeddedMqtt } from '../embedded-mqtt.js';
import { EXIT, limitHeap, readText, UserError } from '../io.js';
import { hostArg, commaList as list, portArg as port } from '../net-args.js';
import { addOpsOptions, logLevelOption, type OpsOptions, startOps } from '../ops-options.js';

export interface ServeOptions extends OpsOptions {
  host: string;
  port: string;
  flowsDir: string;
  token?: string;
  open?: string;
  demo?: boolean;
  allowHost?: string;
  allowOrigin?: string;
  logLevel?: string;
  embeddedMqtt?: string;
  runnersFile?: string;
}

const DEMO_ID = 'embedded-demo';
/** From src/cli/commands (tsx), dist/src/cli/commands (tsc) or dist/cli (the bundled CLI). */
const DEMO_FLOW_CANDIDATES = ['../../../', '../../../../', '../../'].map(
  (up) => new URL(`${up}examples/${DEMO_ID}.json`, import.meta.url),
);

export function defineServe(cmd: Command): Command {
  const serve = cmd
    .description('the editor and admin API with the runtime, until SIGINT/SIGTERM (then drain and exit)')
    .addOption(
      new Option('--host <host>', 'address to bind; anything but loopback requires --token')
        .env('SLUICE_HOST')
        .argParser(hostArg)
        .default('127.0.0.1'),
    )
    .addOption(
      new Option('--port <port>', 'port; 0 picks a free one (the address is printed)')
        .env('SLUICE_PORT')
        .argParser(port)
        .default('1880'),
    )
    .addOption(
      new Option('--flows-dir <dir>', 'where flows are stored, one file each')
        .env('SLUICE_FLOWS_DIR')
        .default('./flows'),
    )
    .addOption(new Option('--token <token>', 'bearer token required by the API').env('SLUICE_TOKEN'))
    .option('--open <file>', 'import a flow file and print its editor address')
    .option(
      '--demo',
      `start an embedded MQTT broker on port ${DEMO_MQTT_PORT}, seed the demo flow (MQTT into SQLite) and deploy it`,
    )
    .option('--embedded-mqtt <port>', 'start an in-process MQTT 3.1.1 broker on 127.0.0.1:<port>')
    .addOption(
      new Option('--runners-file <file>', 'where the remote runners added in the editor are kept, with their tokens')
        .env('SLUICE_RUNNERS_FILE')
        .default(defaultRunnersFile(), '~/.config/sluice/runners.json'),
    )
    .option('--allow-host <names>', 'extra Host names to accept, comma-separated (e.g. a reverse proxy)')
    .option('--allow-origin <origins>', 'extra origins to accept, comma-separated (e.g. a dev server)')
    .addOption(logLevelOption());
  return addOpsOptions(serve);
}

function readDemo(): string {
  const found = DEMO_FLOW_CANDIDATES.find((url) => existsSync(url));
  return readFileSync(found ?? DEMO_FLOW_CANDIDATES[0], 'utf8');
}

/** The demo flow's broker address as shipped (examples/embedded-demo.json). */
const DEMO_BROKER_URL = `mqtt://127.0.0.1:${DEMO_MQTT_PORT}`;

/** The demo's MQTT connections pointed at the embedded broker that actually runs (--embedded-mqtt PORT). */
function demoOnBroker(flow: Record<string, unknown>, brokerUrl: string): Record<string, unknown> | undefined {
  const connections = flow.connections as Array<{ kind: string; config: Record<string, unknown> }> | undefined;
  const stale = (connections ?? []).filter(
    (c) => c.kind === 'mqtt' && typeof c.config.url === 'string' && c.config.url !== brokerUrl,
  );
  // Only an embedded-broker address (loopback) is the demo's own: a broker the user chose stays.
  if (stale.length === 0 || !stale.every((c) => String(c.config.url).startsWith('mqtt://127.0.0.1:'))) return undefined;
  return {
    ...flow,
    connections: connections?.map((c) => (stale.includes(c) ? { ...c, config: { ...c.config, url: brokerUrl } } : c)),
  };
}

async function seedDemo(server: SluiceServer, log: SluiceLogger, brokerUrl: string): Promise<void> {
  const { store, runtime, validator } = server.context;
  if (!store.get(DEMO_ID)) await importFlow(server.context, readDemo().replaceAll(DEMO_BROKER_URL, brokerUrl));
  let demo = store.get(DEMO_ID);
  if (!demo) {
    log.warn(`--demo: could not store the "${DEMO_ID}" flow; nothing deployed`);
    return;
  }
  try {
    await server.resumed;
    // The demo follows the broker: a demo stored by a run with another --embedded-mqtt port is pointed at this one.
    const moved = demoOnBroker(demo.flow, brokerUrl);
    if (moved) {
      demo = await store.update(DEMO_ID, (id) => prepareSave(moved, id, validator), undefined);
      log.info({ broker: brokerUrl }, '--demo: the demo flow now uses this embedded broker');
      // The resumed revision points at a broker that is not there: nothing of it can drain, so do not wait for it.
      if (runtime.isDeployed(DEMO_ID)) await runtime.manager.stop(DEMO_ID, { deadlineMs: 0 });
      await runtime.deploy(demo);
    } else if (!runtime.isDeployed(DEMO_ID)) {
      // A demo resumed from the last run keeps running as it is.
      await runtime.deploy(demo);
    }
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, '--demo: deploying the demo failed');
  }
}

/** The id to open: a file inside the flows dir is that flow; any other file is imported. */
async function openFlow(server: SluiceServer, file: string, flowsDir: string): Promise<string> {
  const path = resolve(file);
  const id = basename(path, '.json');
  if (dirname(path) === resolve(flowsDir) && server.context.store.get(id)) return id;
  try {
    return (await importFlow(server.context, readText(file))).id;
  } catch (err) {
    if (err instanceof ApiError) throw new UserError(`cannot open ${file}: ${err.message}`, EXIT.invalid);
    throw err;
  }
}

export async function serveCommand(opts: ServeOptions): Promise<number> {
  const log = createLogger({ level: opts.logLevel });
  limitHeap();
  const token = opts.token || undefined; // an empty SLUICE_TOKEN is no token
  const brokerPort =
    opts.embeddedMqtt !== undefined ? portNumber(opts.embeddedMqtt) : opts.demo ? DEMO_MQTT_PORT : undefined;
  const broker = brokerPort === undefined ? undefined : await startEmbeddedMqtt(brokerPort, log);
  const runnersFile = opts.runnersFile ?? defaultRunnersFile();
  const runners = await RunnerSettings.open(runnersFile).catch(async (err: unknown) => {
    await broker?.close();
    const message = (err as Error).message;
    throw new UserError(
      message.includes(runnersFile) ? message : `cannot read the runners file ${runnersFile}: ${message}`,
      EXIT.startup,
    );
  });
  const manager = new FlowManager({ catalog, log });
  let server: SluiceServer;
  try {
    server = await createServer({
      extraRoutes: runnerRoutes(runners),
      host: opts.host,
      port: Number(opts.port),
      flowsDir: opts.flowsDir,
      token,
      manager,
      catalog,
      log,
      allowedHosts: list(opts.allowHost),
      allowedOrigins: list(opts.allowOrigin),
    });
  } catch (err) {
    await broker?.close();
    if (err instanceof ServerConfigError) throw new UserError(err.message, EXIT.usage);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(`port ${opts.port} on ${opts.host} is in use; pick another with --port`, EXIT.startup);
    // Any other failure to bind (an unknown name, an address not on this machine) is the user's to fix too.
    if (code !== undefined) throw new UserError(`cannot listen on ${opts.host}:${opts.port} (${code})`, EXIT.startup);
    throw err;
  }

  let ops: Awaited<ReturnType<typeof startOps>>;
  try {
    ops = await startOps(opts, manager, log);
  } catch (err) {
    await server.close();
    await broker?.close();
    throw err;
  }

  let stopping = false;
  const done = new Promise<number>((resolveExit) => {
    const stop = async (why: string) => {
      if (stopping) {
        log.warn('second signal: exiting without drain');
        process.exit(130);
      }
      stopping = true;
      log.info({ why }, 'stopping: draining in-flight messages');
      await server.close();
      await ops?.close();
      await broker?.close();
      if (server.context.runtime.closeReport?.notStopped.length) {
        // Their sockets or timers would keep the process alive: exit once the exit code is set.
        setTimeout(() => process.exit(), 200).unref();
      }
      resolveExit(EXIT.ok);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

  try {
    if (opts.demo) await seedDemo(server, log, broker?.url ?? DEMO_BROKER_URL);
    const openId = opts.open ? await openFlow(server, opts.open, opts.flowsDir) : undefined;
    // One plain line on stdout that scripts (and tests, with --port 0) can find the address in.
    process.stdout.write(`Sluice editor: ${server.url}/${openId ? `#flow=${encodeURIComponent(openId)}` : ''}\n`);
    if (token) process.stdout.write('The API requires the token: open the editor with #token=<token> appended.\n');
  } catch (err) {
    await server.close();
    await ops?.close();
    await broker?.close();
    throw err;
  }
  return done;
}
