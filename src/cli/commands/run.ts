/**
 * `sluice run FLOW.json... | DIR...`: run flows headless, side by side in one process, each in its own engine with its
 * own connections (the flow manager), until SIGINT/SIGTERM; then drain every flow and exit.
 *
 * Every file is validated before anything starts: one invalid file stops the whole run (exit 1), since a typo should
 * not half-start a deployment. A flow that is valid but fails to start (missing env variable, refused connection) is
 * reported and the others run; the exit code then says so (4) when the run ends. If no flow starts, it exits 4 at once.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { catalog } from '../../../nodes/catalog.js';
import type { FlowDocument } from '../../flow/document.js';
import { formatProblem, hasErrors, type Problem } from '../../flow/problem.js';
import { createFlowValidator } from '../../flow/validate.js';
import { StartupError } from '../../runtime/errors.js';
import { FlowManager, type FlowStatusEvent } from '../../runtime/flow-manager.js';
import { createLogger } from '../../runtime/log.js';
import { compileCached } from '../../runtime/schema-cache.js';
import { EXIT, limitHeap, readText, UserError } from '../io.js';
import { type OpsOptions, startOps } from '../ops-options.js';
import type { RunnerApi } from '../runner-api.js';

export interface RunOptions extends Partial<OpsOptions> {
  logLevel?: string;
  drainTimeout?: string;
  /** Stop (with drain) after this many milliseconds: for demos and smoke tests. */
  duration?: string;
  /** Start an in-process MQTT broker on this port first. */
  embeddedMqtt?: string;
  /** Serve the admin API's flows, runtime and live-feed routes (no editor) on this port: a remote runner. */
  api?: string;
  apiHost?: string;
  token?: string;
  flowsDir?: string;
  allowHost?: string;
}

interface FlowFile {
  file: string;
  id: string;
  flow: FlowDocument;
  /** Warnings (a valid flow has no errors). */
  problems: Problem[];
}

/** The flow files named: files as given, directories as their `*.json` (not `*.meta.json`, not hidden), sorted. */
export function flowFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // not there: readText names it
    }
    if (!isDir) {
      out.push(p);
      continue;
    }
    const names = readdirSync(p)
      .filter((n) => n.endsWith('.json') && !n.endsWith('.meta.json') && !n.startsWith('.'))
      .sort();
    if (names.length === 0) throw new UserError(`no flow files (*.json) in ${p}`, EXIT.usage);
    out.push(...names.map((n) => join(p, n)));
  }
  return out;
}

/** Validate every file; the id of a flow is its `id`, else its file name. Problems go to stderr. */
function loadAll(files: string[]): FlowFile[] | undefined {
  // The compiled flow schema comes from the disk cache after the first run (a fast restart after a crash).
  const validator = createFlowValidator(catalog, { compileSchema: (s) => compileCached(s, { useDefaults: true }) });
  const loaded: FlowFile[] = [];
  let bad = false;
  for (const file of files) {
    const { problems, flow } = validator.validateText(readText(file));
    if (!flow || hasErrors(problems)) {
      for (const p of problems) process.stderr.write(`${formatProblem(p, file)}\n`);
      bad = true;
      continue;
    }
    const id = typeof flow.id === 'string' && flow.id ? flow.id : basename(file, '.json');
    const twin = loaded.find((l) => l.id === id);
    if (twin) {
      process.stderr.write(
        `${file}: flow id "${id}" is also the id of ${twin.file}; give each flow its own "id" (ids name client ids and consumer groups)\n`,
      );
      bad = true;
      continue;
    }
    loaded.push({ file, id, flow, problems });
  }
  return bad ? undefined : loaded;
}

export async function runCommand(paths: string[], opts: RunOptions): Promise<number> {
  const log = createLogger({ level: opts.logLevel });
  limitHeap();
  if (paths.length === 0 && opts.api === undefined) {
    throw new UserError(
      'name flow files or directories to run, or pass --api <port> to take deploys from an editor',
      EXIT.usage,
    );
  }
  const files = flowFiles(paths);
  const flows = loadAll(files);
  if (!flows) return EXIT.invalid;
  for (const f of flows) for (const p of f.problems) log.warn({ flow: f.id, problem: p }, formatProblem(p, f.file));
  // The embedded broker (aedes) is loaded only when asked for.
  const embedded = opts.embeddedMqtt === undefined ? undefined : await import('../embedded-mqtt.js');
  const broker =
    embedded && opts.embeddedMqtt !== undefined
      ? await embedded.startEmbeddedMqtt(embedded.portNumber(opts.embeddedMqtt), log)
      : undefined;
  const manager = new FlowManager({ catalog, log });
  manager.on('status', (s: FlowStatusEvent) =>
    log.info({ flow: s.flowId, node: s.nodeId, state: s.state, reason: s.reason }, 'node status'),
  );
  let ops: Awaited<ReturnType<typeof startOps>>;
  let api: RunnerApi | undefined;
  try {
    ops = await startOps({ opsHost: '127.0.0.1', maxEventLoopLag: '1000', ...opts }, manager, log);
    if (opts.api !== undefined) {
      // Loaded only for a runner: a plain `run` must not pay for the admin server at start-up.
      const { startRunnerApi } = await import('../runner-api.js');
      api = await startRunnerApi(opts, manager, log).catch(async (err: unknown) => {
        await ops?.close();
        throw err;
      });
    }
  } catch (err) {
    await broker?.close();
    throw err;
  }

  const failures: Array<{ f: FlowFile; err: unknown }> = [];
  await Promise.all(
    flows.map((f) =>
      manager.deploy(f.id, f.flow, null).catch((err: unknown) => {
        failures.push({ f, err });
      }),
    ),
  );
  for (const { f, err } of failures) {
    const reason = err instanceof Error ? err.message : String(err);
    process.stderr.write(`sluice run: ${flows.length > 1 ? `${f.file}: ` : ''}${reason}\n`);
    log.error({ flow: f.id, file: resolve(f.file), err: reason }, 'flow failed to start');
  }
  if (failures.length === flows.length && flows.length > 0 && !api) {
    await manager.close({ deadlineMs: 0 });
    await ops?.close();
    await broker?.close();
    const problems = failures.some(({ err }) => err instanceof StartupError && err.problems.length > 0);
    return problems ? EXIT.invalid : EXIT.startup;
  }
  log.info(
    { files: flows.map((f) => resolve(f.file)), running: flows.length - failures.length, failed: failures.length },
    'running; SIGINT or SIGTERM drains and exits',
  );

  const drainMs = opts.drainTimeout === undefined ? undefined : Number(opts.drainTimeout);
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = async (why: string) => {
      if (stopping) {
        log.warn('second signal: exiting without drain');
        process.exit(130);
      }
      stopping = true;
      log.info({ why }, 'stopping: draining in-flight messages');
      const engines = new Map(manager.flows().map((f) => [f.id, f.engine]));
      const report = await manager.close({ deadlineMs: drainMs });
      // The runner's API stops after its flows drained (its record of deployed flows is kept for the next start).
      await api?.close();
      for (const [id, r] of Object.entries(report.flows)) {
        log.info({ flow: id, counters: engines.get(id)?.counters(), ...r }, 'stopped');
      }
      await ops?.close();
      await broker?.close();
      if (report.notStopped.length > 0) {
        // Their sockets or timers would keep the process alive: exit once the exit code is set.
        log.warn({ notStopped: report.notStopped }, 'exiting without waiting for what did not stop');
        setTimeout(() => process.exit(), 200).unref();
      }
      let code: number = EXIT.ok;
      if (report.nackedAtDeadline > 0) {
        code = EXIT.unsettled;
        log.warn(
          { nackedAtDeadline: report.nackedAtDeadline, exitCode: code },
          'messages were still in flight at the drain deadline: nacked for their brokers to redeliver',
        );
      }
      if (failures.length > 0) {
        code = EXIT.startup;
        log.warn({ failed: failures.map(({ f }) => f.id), exitCode: code }, 'some flows never started');
      }
      done(code);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    if (opts.duration !== undefined) setTimeout(() => void stop(`duration ${opts.duration} ms`), Number(opts.duration));
  });
}
