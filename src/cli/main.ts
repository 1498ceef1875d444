#!/usr/bin/env node
/** `sluice` command line. User errors print one line and a documented exit code, never a stack trace. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { catalog } from '../../nodes/catalog.js';
import { createFlowValidator } from '../flow/validate.js';
import { checkCommand } from './commands/check.js';
import { docsCommand } from './commands/docs.js';
import { nodesCommand } from './commands/nodes.js';
import { runCommand } from './commands/run.js';
import { defineServe, type ServeOptions, serveCommand } from './commands/serve.js';
import { validateCommand } from './commands/validate.js';
import { EXIT, UserError } from './io.js';

/** package.json is two levels up from src/cli, three from dist/src/cli. */
function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'sluice' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

function nonNegativeInt(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of milliseconds');
  return value;
}

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
    .action((files: string[], opts: { json?: boolean }) => {
      exitCode = validateCommand(files, opts);
    });

  program
    .command('run')
    .description('run flows headless, side by side, until SIGINT/SIGTERM, then drain them all and exit')
    .argument('<paths...>', 'flow JSON files, or directories of them')
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .option('--drain-timeout <ms>', 'how long to wait for in-flight messages on stop', nonNegativeInt)
    .option('--duration <ms>', 'stop (with drain) after this long', nonNegativeInt)
    .option('--embedded-mqtt <port>', 'start an in-process MQTT 3.1.1 broker on 127.0.0.1:<port> first (demos)')
    .action(async (paths: string[], opts) => {
      exitCode = await runCommand(paths, opts);
    });

  defineServe(program.command('serve')).action(async (opts: ServeOptions) => {
    exitCode = await serveCommand(opts);
  });

  program
    .command('check')
    .description('try every connection of a flow and say which fail and why (exit 4 if any fails)')
    .argument('<file>', 'flow JSON file')
    .option('--json', 'print the results as JSON')
    .option('--timeout <ms>', 'per connection', nonNegativeInt, '10000')
    .action(async (file: string, opts: { json?: boolean; timeout?: string }) => {
      exitCode = await checkCommand(file, opts);
    });

  program
    .command('nodes')
    .description('list the node types (with --json: ports and config JSON Schema)')
    .argument('[type]', 'one node type')
    .option('--json', 'print as JSON')
    .action((type: string | undefined, opts: { json?: boolean }) => {
      exitCode = nodesCommand(type, opts);
    });

  program
    .command('schema')
    .description('print the JSON Schema of a flow file (document plus every node type config)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(createFlowValidator(catalog).schema, null, 2)}\n`);
    });

  program
    .command('docs')
    .description('generate the node reference pages (docs/nodes)')
    .option('--out <dir>', 'output folder', 'docs/nodes')
    .option('--check', 'fail when the pages are stale instead of writing them')
    .action((opts: { out: string; check?: boolean }) => {
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
