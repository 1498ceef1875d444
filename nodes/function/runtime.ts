// Not the index: the main thread needs no QuickJS (it runs in the pool's workers), so it is not loaded here.
import { SandboxError } from '../../src/sandbox/errors.js';
import {
  createIsolatedSandbox,
  type IsolatedSandbox,
  sharedSandboxPool,
  trialSandboxPool,
} from '../../src/sandbox/isolated.js';
import type { SandboxPool } from '../../src/sandbox/pool.js';
import type { Message, Static } from '../../src/spec/index.js';
import type { CreateRuntime } from '../../src/spec/runtime-contract.js';
import { type functionNode, functionOutputNames } from './definition.js';
import { FUNCTION_HELPERS } from './helpers.js';
import { routeResult } from './route.js';

type Config = Static<typeof functionNode.config>;

function position(err: SandboxError): string {
  return err.line === undefined ? '' : ` (line ${err.line}${err.column === undefined ? '' : `, column ${err.column}`})`;
}

/** The reason a failed message carries to the error port: says which limit, or the user's own message. */
function callFailure(err: unknown, config: Config): Error {
  if (!(err instanceof SandboxError)) return err instanceof Error ? err : new Error(String(err));
  if (err.kind === 'timeout') return new Error(`function timed out after ${config.timeoutMs} ms`);
  if (err.kind === 'memory') return new Error(`function ran out of memory (limit ${config.memoryMb} MB)`);
  return new Error(`${err.message}${position(err)}`);
}

function compileFailure(err: unknown, config: Config): Error {
  if (!(err instanceof SandboxError)) return err instanceof Error ? err : new Error(String(err));
  if (err.kind === 'syntax') return new Error(`the code does not compile: ${err.message}${position(err)}`);
  return new Error(`the code could not be loaded: ${callFailure(err, config).message}`);
}

/** The message as the code sees it: JSON-safe (bytes become an array of byte values). */
function forSandbox(msg: Message): Record<string, unknown> {
  return {
    id: msg.id,
    topic: msg.topic,
    key: msg.key,
    payload: msg.payload instanceof Uint8Array ? Array.from(msg.payload) : msg.payload,
    headers: msg.headers,
    wire: msg.wire,
    timestamp: msg.timestamp,
  };
}

/**
 * The code runs in a worker of `pool()` that is terminated if a call outlives its limit (plus the pool's
 * margin), so user code never blocks the thread that runs the flows and the admin API.
 */
export function createOn(pool: () => SandboxPool): CreateRuntime<Config> {
  return (ctx) => runtime(ctx, pool);
}

/** Deployed flows share one pool. */
export const create: CreateRuntime<Config> = createOn(sharedSandboxPool);

/** Try-it runs on a pool of its own, so trials of hostile code never disturb deployed flows. */
export const createForTrial: CreateRuntime<Config> = createOn(trialSandboxPool);

function runtime(
  ctx: Parameters<CreateRuntime<Config>>[0],
  pool: () => SandboxPool,
): ReturnType<CreateRuntime<Config>> {
  const config = ctx.config;
  const ports = functionOutputNames(config.outputs);
  let sandbox: IsolatedSandbox | undefined;

  return {
    async start() {
      try {
        sandbox = await createIsolatedSandbox(
          {
            code: config.code,
            argName: 'msg',
            setup: FUNCTION_HELPERS,
            timeoutMs: config.timeoutMs,
            memoryBytes: config.memoryMb * 2 ** 20,
            log: (level, text) => ctx.log[level]({ from: 'code' }, text),
          },
          pool(),
        );
      } catch (err) {
        throw compileFailure(err, config);
      }
    },

    async handle(msg, out) {
      if (!sandbox) throw new Error('the function node is not started');
      let result: unknown;
      try {
        result = await sandbox.call(forSandbox(msg));
      } catch (err) {
        throw callFailure(err, config);
      }
      // Validated as a whole before anything is emitted.
      for (const e of routeResult(result, msg, ports)) out.emit(e.port, e.msg);
    },

    stop() {
      sandbox?.dispose();
      sandbox = undefined;
    },
  };
}
