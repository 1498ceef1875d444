/**
 * The ops endpoints through the real CLI: `sluice run` and `sluice serve` with the ops port from a flag or from
 * SLUICE_OPS_PORT (flags win over the environment), and JSON log lines that carry the flow and node ids.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../conformance/harness.js';
import { parseMetrics, sampleValue } from '../ops/metrics-text.js';
import { repoRoot, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-ops-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI; `url` resolves with the ops server's address from its "ops server listening" log line. */
function start(args: string[], env: Record<string, string> = {}) {
  let kill: ((sig: NodeJS.Signals) => void) | undefined;
  let found: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => {
    found = resolve;
  });
  const done = runCli(args, {
    env,
    timeoutMs: 40_000,
    onStdout: (out, k) => {
      kill = k;
      const line = out.split('\n').find((l) => l.includes('"msg":"ops server listening"'));
      if (line) found((JSON.parse(line) as { url: string }).url);
    },
  });
  return {
    url: Promise.race([url, done.then((r) => Promise.reject(new Error(`exited: ${r.stderr}`)))]),
    done,
    stop: () => kill?.('SIGTERM'),
  };
}

const json = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('sluice run --ops-port', () => {
  it('serves /healthz, /readyz and /metrics; the ops port from SLUICE_OPS_PORT, the host flag over SLUICE_OPS_HOST', async () => {
    const file = join(dir, 'gen.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'sluice/flow@1',
        id: 'ops-cli',
        nodes: [
          { id: 'gen', type: 'generate', config: { intervalMs: 10, payload: '{"n": $random() < 0.5 ? 1 : 2}' } },
          // Fails every message with n = 2: the engine logs those failures (at most 10 per 10 s).
          { id: 'check', type: 'transform', config: { expression: 'payload.n = 2 ? $error("n is 2") : payload' } },
        ],
        edges: [{ source: 'gen', sourcePort: 'out', target: 'check', targetPort: 'in' }],
        settings: { onError: 'ack' },
      }),
    );
    const run = start(['run', file, '--ops-host', '127.0.0.1', '--log-level', 'info'], {
      SLUICE_OPS_PORT: '0',
      // Flags win: an address that cannot be bound, and a level that would hide the info lines.
      SLUICE_OPS_HOST: '192.0.2.1',
      SLUICE_LOG_LEVEL: 'error',
    });
    const url = await run.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await json(`${url}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await eventually(
      () => json(`${url}/readyz`),
      (r) => r.status === 200,
      20_000,
      '/readyz 200',
    );
    expect(ready.body).toMatchObject({ ready: true, flows: [{ flow: 'ops-cli', state: 'running', ready: true }] });
    const samples = await eventually(
      async () => parseMetrics(await (await fetch(`${url}/metrics`)).text()),
      (s) => (sampleValue(s, 'sluice_node_messages_total', { node: 'check', outcome: 'failed' }) ?? 0) > 0,
      20_000,
      'a failed message counted',
    );
    expect(
      sampleValue(samples, 'sluice_node_messages_in_total', { flow: 'ops-cli', node: 'check', type: 'transform' }),
    ).toBeGreaterThan(0);
    expect(sampleValue(samples, 'sluice_source_settled_total', { node: 'gen', outcome: 'ack' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    run.stop();
    const r = await run.done;
    expect(r.code).toBe(0);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Every line about a node names its flow too: the engine's, the node's own and the runner's.
    const aboutNodes = lines.filter((l) => l.node !== undefined);
    const failedLine = (l: Record<string, unknown>) => String(l.msg).startsWith('message failed');
    expect(aboutNodes.some(failedLine)).toBe(true);
    expect(aboutNodes.map((l) => l.msg)).toContain('node status');
    for (const l of aboutNodes) expect(l).toMatchObject({ flow: 'ops-cli' });
    expect(lines.find((l) => l.msg === 'flow started')).toMatchObject({ flow: 'ops-cli' });
    expect(lines.find(failedLine)).toMatchObject({ flow: 'ops-cli', node: 'check' });
  }, 120_000);

  it('a bad --ops-port is a usage error; an ops port in use is a start-up error', async () => {
    const file = join(dir, 'tiny.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'sluice/flow@1',
        nodes: [{ id: 'gen', type: 'generate', config: { intervalMs: 1000 } }],
      }),
    );
    const bad = await runCli(['run', file, '--ops-port', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a port number');
    const first = start(['run', file, '--ops-port', '0']);
    const url = await first.url;
    const taken = await runCli(['run', file], { env: { SLUICE_OPS_PORT: new URL(url).port } });
    expect(taken.code).toBe(4);
    expect(taken.stderr).toMatch(/cannot serve the ops endpoints on 127\.0\.0\.1:\d+: the port is in use/);
    first.stop();
    expect((await first.done).code).toBe(0);
  }, 120_000);
});

describe('sluice serve --ops-port', () => {
  it('serves the ops endpoints beside the editor; ready with no flow deployed', async () => {
    const flowsDir = join(dir, 'flows');
    const serve = start(['serve', '--port', '0', '--ops-port', '0'], { SLUICE_FLOWS_DIR: flowsDir, SLUICE_TOKEN: '' });
    const url = await serve.url;
    expect(await json(`${url}/healthz`)).toMatchObject({ status: 200 });
    expect(await json(`${url}/readyz`)).toMatchObject({ status: 200, body: { ready: true, flows: [] } });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(sampleValue(parseMetrics(text), 'nodejs_heap_size_total_bytes')).toBeGreaterThan(0);
    serve.stop();
    const r = await serve.done;
    expect(r.code).toBe(0);
    // SLUICE_FLOWS_DIR was used: serve creates the folder.
    expect(existsSync(flowsDir)).toBe(true);
  }, 120_000);
});

describe('the configuration table', () => {
  it('names only environment variables that the --help of each command shows', async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const rows = table
      .slice(0, table.indexOf('\n\n', table.indexOf('| setting')))
      .split('\n')
      .filter((l) => l.startsWith('| ') && l.includes('SLUICE_'));
    const help = {
      run: (await runCli(['run', '--help'])).stdout.replace(/\s+/g, ' '),
      serve: (await runCli(['serve', '--help'])).stdout.replace(/\s+/g, ' '),
    };
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const cells = row.split('|').map((c) => c.trim());
      const [flags, env, commands] = [cells[2], cells[3], cells[5]];
      const names = [...env.matchAll(/SLUICE_[A-Z_]+/g)].map((m) => m[0]);
      for (const command of ['run', 'serve'] as const) {
        if (!commands.includes(command)) continue;
        // Read at start-up rather than by a flag (heap growth): not in --help.
        if (!flags) continue;
        for (const name of names) expect(help[command], `${command} --help names ${name}`).toContain(`env: ${name}`);
      }
    }
  }, 60_000);
});
