import { catalog } from '../../../nodes/catalog.js';
import { formatProblem, hasErrors } from '../../flow/problem.js';
import { createFlowValidator } from '../../flow/validate.js';
import { reasonOf } from '../../kit/reason.js';
import { loadConnectionRuntime } from '../../runtime/loader.js';
import { silentLogger } from '../../runtime/log.js';
import { applyDefaults, processEnv, resolveReferences } from '../../runtime/resolve-config.js';
import { EXIT, readText } from '../io.js';

export interface CheckResult {
  id: string;
  kind: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/** Try every connection of a flow (connect, a trivial round trip, close) and say which fail and why. */
export async function checkConnections(
  flowText: string,
  timeoutMs: number,
): Promise<CheckResult[] | { problems: string[] }> {
  const { problems, flow } = createFlowValidator(catalog).validateText(flowText);
  if (!flow || hasErrors(problems)) return { problems: problems.map((p) => formatProblem(p)) };
  const log = silentLogger();
  return Promise.all(
    (flow.connections ?? []).map(async (c): Promise<CheckResult> => {
      const started = Date.now();
      try {
        const kind = catalog.connections.find((k) => k.kind === c.kind)!;
        const config = resolveReferences(applyDefaults(kind.config, c.config), `connection "${c.id}"`, processEnv);
        const rt = await loadConnectionRuntime(c.kind);
        const attempt = (async () => {
          if (rt.check) await rt.check(config, { log, connectionId: c.id });
          else await rt.close(await rt.open(config, { log, connectionId: c.id }));
        })();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        await Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
        return { id: c.id, kind: c.kind, ok: true, ms: Date.now() - started };
      } catch (err) {
        return { id: c.id, kind: c.kind, ok: false, error: reasonOf(err), ms: Date.now() - started };
      }
    }),
  );
}

export async function checkCommand(file: string, opts: { json?: boolean; timeout?: string }): Promise<number> {
  const results = await checkConnections(readText(file), Number(opts.timeout ?? 10_000));
  if (!Array.isArray(results)) {
    for (const p of results.problems) process.stderr.write(`${file}: ${p}\n`);
    return EXIT.invalid;
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else if (results.length === 0) process.stdout.write(`${file}: the flow has no connections\n`);
  else {
    for (const r of results) {
      process.stdout.write(
        r.ok
          ? `ok    connection "${r.id}" (${r.kind}) in ${r.ms} ms\n`
          : `FAIL  connection "${r.id}" (${r.kind}): ${r.error}\n`,
      );
    }
  }
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.startup;
}
