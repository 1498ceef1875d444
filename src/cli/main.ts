#!/usr/bin/env node
/**
 * `sluice` command line. User errors print one line and a documented exit code, never a stack trace.
 * Each command's module is imported only when that command runs: `--version` and `run` must not pay for the
 * editor server, the catalogue's schemas or connectors the flow does not use (start-up time is the window in
 * which a broker may drop an offline session's messages).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { packageVersion } from '../version.js';
import type { RunOptions } from './commands/run.js';
import type { ServeOptions } from './commands/serve.js';
import {
  applyReferenceOptions,
  EXIT,
  type ReferenceOptions,
  tolerateClosedStdout,
  UserError,
  withReferenceOptions,
} from './io.js';
import { hostArg, portArg } from './net-args.js';
import { addOpsOptions, logLevelOption } from './ops-options.js';

function nonNegativeInt(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of milliseconds');
  return value;
}

/** What `sluice --help` says of serve without loading it (its own help comes from `defineServe`). */
const SERVE_SUMMARY = 'the editor and admin API with the runtime, until SIGINT/SIGTERM (then drain and exit)';

async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('sluice')
    .description('Sluice: design, validate and run data-integration flows')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();

  program
    .command('validate')
    .description('check flow files; exit 0 when all are valid, 1 when any has a problem')
    .argument('<files...>', 'flow JSON files')
    .option('--json', 'print the problems as JSON')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { validateCommand } = await import('./commands/validate.js');
      exitCode = validateCommand(files, opts);
    });

  const runCmd = withReferenceOptions(program.command('run'))
    .description('run flows headless, side by side, until SIGINT/SIGTERM, then drain them all and exit')
    .argument('[paths...]', 'flow JSON files, or directories of them (optional with --api)')
    .addOption(logLevelOption())
    .addOption(
      new Option('--drain-timeout <ms>', 'how long to wait for in-flight messages on stop')
        .env('SLUICE_DRAIN_TIMEOUT_MS')
        .argParser(nonNegativeInt),
    )
    .option('--duration <ms>', 'stop (with drain) after this long', nonNegativeInt)
    .option('--embedded-mqtt <port>', 'start an in-process MQTT 3.1.1 broker on 127.0.0.1:<port> first (demos)')
    .addOption(
      new Option('--api <port>', 'serve the runtime API (deploy, stop, status, live feed) for editors; needs --token')
        .env('SLUICE_API_PORT')
        .argParser(portArg),
    )
    .addOption(
      new Option('--api-host <host>', 'address of the runtime API; default loopback')
        .env('SLUICE_API_HOST')
        .argParser(hostArg)
        .default('127.0.0.1'),
    )
    .addOption(new Option('--token <token>', 'bearer token the runtime API requires').env('SLUICE_TOKEN'))
    .addOption(
      new Option('--flows-dir <dir>', 'where flows deployed through --api are kept (and resumed from on restart)')
        .env('SLUICE_FLOWS_DIR')
        .default('./flows'),
    )
    .option('--allow-host <names>', 'extra Host names the runtime API accepts, comma-separated (e.g. a service name)');
  addOpsOptions(runCmd).action(async (paths: string[], opts: RunOptions & ReferenceOptions) => {
    applyReferenceOptions(opts);
    const { runCommand } = await import('./commands/run.js');
    exitCode = await runCommand(paths, opts);
  });

  if (argv.slice(2).includes('serve')) {
    // Its options are declared by its module, which loads the server: only when serve (or its help) is asked for.
    const { defineServe, serveCommand } = await import('./commands/serve.js');
    withReferenceOptions(defineServe(program.command('serve'))).action(
      async (opts: ServeOptions & ReferenceOptions) => {
        applyReferenceOptions(opts);
        exitCode = await serveCommand(opts);
      },
    );
  } else {
    // Listed in `sluice --help` with its summary; `sluice serve --help` takes the branch above.
    program.command('serve').description(SERVE_SUMMARY);
  }

  program
    .command('check')
    .description('try every connection of a flow and say which fail and why (exit 4 if any fails)')
    .argument('<file>', 'flow JSON file')
    .option('--json', 'print the results as JSON')
    .option('--timeout <ms>', 'per connection', nonNegativeInt, '10000')
    .action(async (file: string, opts: { json?: boolean; timeout?: string }) => {
      const { checkCommand } = await import('./commands/check.js');
      exitCode = await checkCommand(file, opts);
    });

  program
    .command('nodes')
    .description('list the node types (with --json: ports and config JSON Schema)')
    .argument('[type]', 'one node type')
    .option('--json', 'print as JSON')
    .action(async (type: string | undefined, opts: { json?: boolean }) => {
      const { nodesCommand } = await import('./commands/nodes.js');
      exitCode = nodesCommand(type, opts);
    });

  program
    .command('schema')
    .description('print the JSON Schema of a flow file (document plus every node type config)')
    .action(async () => {
      const [{ catalog }, { createFlowValidator }] = await Promise.all([
        import('../../nodes/catalog.js'),
        import('../flow/validate.js'),
      ]);
      process.stdout.write(`${JSON.stringify(createFlowValidator(catalog).schema, null, 2)}\n`);
    });

  program
    .command('docs')
    .description('generate the node reference pages (docs/nodes) and, with --readme, the README node table')
    .option('--out <dir>', 'output folder', 'docs/nodes')
    .option('--readme <file>', 'also regenerate the node table between the markers in this README')
    .option('--check', 'fail when the pages are stale instead of writing them')
    .action(async (opts: { out: string; readme?: string; check?: boolean }) => {
      const { docsCommand } = await import('./commands/docs.js');
      exitCode = docsCommand(opts);
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; anything else is a usage error already printed by commander.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UserError) {
      process.stderr.write(`sluice: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  return exitCode;
}

/** serve and run keep going when stdout closes; every other command is done once its output has nowhere to go. */
const LONG_RUNNING = new Set(['serve', 'run']);
tolerateClosedStdout(() => LONG_RUNNING.has(process.argv[2] ?? ''));

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A bug, not a user error: say so plainly, with the stack for the report.
    process.stderr.write(
      `sluice: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
