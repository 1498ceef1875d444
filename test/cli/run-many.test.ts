/**
 * `sluice run` with several flows (files or a directory) against the real Mosquitto: each flow in its own engine,
 * side by side; one failing to start is reported and the others run; SIGTERM drains them all.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { requireService } from '../support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-run-many-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tag = randomBytes(4).toString('hex');

/** generate -> mqtt-out -> Mosquitto -> mqtt-in -> debug. */
function mqttLoop(id: string | undefined, topicPart: string, o: { topicRef?: string } = {}) {
  const topic = `sluice-test/run-many-${tag}/${topicPart}`;
  return {
    format: 'sluice/flow@1',
    ...(id ? { id } : {}),
    connections: [{ id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } }],
    nodes: [
      { id: 'gen', type: 'generate', config: { intervalMs: 20, payload: '{"n": $seq}', topic: o.topicRef ?? 'x' } },
      { id: 'pub', type: 'mqtt-out', config: { connection: 'broker', topic, qos: 1 } },
      { id: 'sub', type: 'mqtt-in', config: { connection: 'broker', topics: [topic], qos: 1, codec: 'json' } },
      { id: 'dbg', type: 'debug', config: { keep: 5, log: false } },
    ],
    edges: [
      { source: 'gen', sourcePort: 'out', target: 'pub', targetPort: 'in' },
      { source: 'sub', sourcePort: 'out', target: 'dbg', targetPort: 'in' },
    ],
  };
}

interface LogLine {
  msg: string;
  level: number;
  flow?: string;
  counters?: Record<string, { in: number; out: number; acked?: number; nacked?: number }>;
  nackedAtDeadline?: number;
}

const logsOf = (stdout: string): LogLine[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

/** Runs until every flow in `ids` has received messages through Mosquitto, then SIGTERM. */
function runUntilFlowing(args: string[], ids: string[]) {
  let signalled = false;
  return runCli(['run', ...args, '--log-level', 'debug'], {
    timeoutMs: 60_000,
    onStdout: (out, kill) => {
      if (signalled) return;
      const started = logsOf(out).filter((l) => l.msg === 'flow started');
      if (ids.every((id) => started.some((l) => l.flow === id))) {
        signalled = true;
        setTimeout(() => kill('SIGTERM'), 1500);
      }
    },
  });
}

describe.runIf(await requireService('mosquitto'))('sluice run with several flows (real Mosquitto)', () => {
  it('runs a directory of flows side by side, each its own engine, and drains them all on SIGTERM (exit 0)', async () => {
    const flows = join(dir, 'flows');
    mkdirSync(flows);
    writeFileSync(join(flows, 'one.json'), JSON.stringify(mqttLoop('one', 'one')));
    // No id: the file name names it.
    writeFileSync(join(flows, 'two.json'), JSON.stringify(mqttLoop(undefined, 'two')));
    // What `sluice serve` keeps next to its flows is not a flow.
    writeFileSync(join(flows, 'one.meta.json'), '{"revision": 3}');
    writeFileSync(join(flows, '.deployed.json'), '{}');
    const r = await runUntilFlowing([flows], ['one', 'two']);
    const logs = logsOf(r.stdout);
    expect(r.code, r.stderr).toBe(0);
    const stopped = logs.filter((l) => l.msg === 'stopped');
    expect(stopped.map((l) => l.flow).sort()).toEqual(['one', 'two']);
    for (const l of stopped) {
      expect(l.counters!.sub.out, `${l.flow} received`).toBeGreaterThan(0);
      expect(l.counters!.gen.acked).toBe(l.counters!.gen.out);
      expect(l.nackedAtDeadline).toBe(0);
    }
  }, 90_000);

  it('a flow that fails to start is reported; the others run; the exit code says so (4)', async () => {
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify(mqttLoop('good', 'good')));
    writeFileSync(bad, JSON.stringify(mqttLoop('bad', 'bad', { topicRef: '${env:SLUICE_TEST_RUN_MANY_UNSET}' })));
    const r = await runUntilFlowing([good, bad], ['good']);
    expect(r.stderr).toMatch(/bad\.json: .*SLUICE_TEST_RUN_MANY_UNSET is not set/);
    const logs = logsOf(r.stdout);
    const stopped = logs.filter((l) => l.msg === 'stopped');
    expect(stopped.find((l) => l.flow === 'good')?.counters?.sub.out).toBeGreaterThan(0);
    expect(logs.some((l) => l.msg === 'some flows never started')).toBe(true);
    expect(r.code).toBe(4);
  }, 90_000);

  it('two files with the same flow id are refused before anything starts (exit 1)', async () => {
    const a = join(dir, 'dup-a.json');
    const b = join(dir, 'dup-b.json');
    writeFileSync(a, JSON.stringify(mqttLoop('same', 'a')));
    writeFileSync(b, JSON.stringify(mqttLoop('same', 'b')));
    const r = await runCli(['run', a, b]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/flow id "same" is also the id of .*dup-a\.json/);
    expect(r.stdout).not.toMatch(/flow started/);
  });
});
