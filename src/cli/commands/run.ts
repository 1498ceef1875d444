import { basename, resolve } from 'node:path';
import { catalog } from '../../../nodes/catalog.js';
import { formatProblem, hasErrors } from '../../flow/problem.js';
import { createFlowValidator } from '../../flow/validate.js';
import { SingleFlow } from '../../ops/source.js';
import { Engine } from '../../runtime/engine.js';
import { StartupError } from '../../runtime/errors.js';
import { createLogger } from '../../runtime/log.js';
import { compileCached } from '../../runtime/schema-cache.js';
import { EXIT, limitHeap, readText } from '../io.js';
import { type OpsOptions, startOps } from '../ops-options.js';

export interface RunOptions extends Partial<OpsOptions> {
  logLevel?: string;
  drainTimeout?: string;
  /** Stop (with drain) after this many milliseconds: for demos and smoke tests. */
  duration?: string;
  /** Start an in-process MQTT broker on this port first. */
  embeddedMqtt?: string;
}

/** Headless: run a flow until SIGINT/SIGTERM, then drain and exit. */
export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const log = createLogger({ level: opts.logLevel });
  limitHeap();
  // The compiled flow schema comes from the disk cache after the first run (a fast restart after a crash).
  const validator = createFlowValidator(catalog, { compileSchema: (s) => compileCached(s, { useDefaults: true }) });
  const { problems, flow } = validator.validateText(readText(file));
  if (!flow || hasErrors(problems)) {
    for (const p of problems) process.stderr.write(`${formatProblem(p, file)}\n`);
    return EXIT.invalid;
  }
  for (const p of problems) log.warn({ problem: p }, formatProblem(p, file));
  // The embedded broker (aedes) is loaded only when asked for.
  const embedded = opts.embeddedMqtt === undefined ? undefined : await import('../embedded-mqtt.js');
  const broker =
    embedded && opts.embeddedMqtt !== undefined
      ? await embedded.startEmbeddedMqtt(embedded.portNumber(opts.embeddedMqtt), log)
      : undefined;
  const flowId = flow.id ?? flow.name ?? basename(file, '.json');
  const flowLog = log.child({ flow: flowId });
  const engine = new Engine({ catalog, log, flowId });
  engine.on('status', (s) => flowLog.info({ node: s.nodeId, state: s.state, reason: s.reason }, 'node status'));
  const watched = new SingleFlow(flowId, engine);
  let ops: Awaited<ReturnType<typeof startOps>>;
  try {
    ops = await startOps({ opsHost: '127.0.0.1', maxEventLoopLag: '1000', ...opts }, watched, log);
  } catch (err) {
    await broker?.close();
    throw err;
  }
  try {
    await engine.start(flow);
    watched.started();
  } catch (err) {
    watched.failed(err);
    await ops?.close();
    await broker?.close();
    process.stderr.write(`sluice run: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof StartupError && err.problems.length ? EXIT.invalid : EXIT.startup;
  }
  log.info({ file: resolve(file) }, 'running; SIGINT or SIGTERM drains and exits');

  const drainMs = opts.drainTimeout === undefined ? undefined : Number(opts.drainTimeout);
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = async (why: string) => {
      if (stopping) {
        log.warn('second signal: exiting without drain');
        process.exit(130);
      }
      stopping = true;
      watched.stopping();
      log.info({ why }, 'stopping: draining in-flight messages');
      const report = await engine.stop({ deadlineMs: drainMs });
      log.info({ counters: engine.counters(), ...report }, 'stopped');
      await ops?.close();
      await broker?.close();
      if (report.notStopped.length > 0) {
        // Their sockets or timers would keep the process alive: exit once the exit code is set.
        log.warn({ notStopped: report.notStopped }, 'exiting without waiting for what did not stop');
        setTimeout(() => process.exit(), 200).unref();
      }
      done(EXIT.ok);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    if (opts.duration !== undefined) setTimeout(() => void stop(`duration ${opts.duration} ms`), Number(opts.duration));
  });
}
