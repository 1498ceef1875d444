/**
 * A real crash: `sluice run` (kafka-in -> kafka-out) is killed with SIGKILL mid-stream, then started again in the
 * same consumer group. Every record of the input topic must reach the output topic (duplicates allowed): offsets
 * are committed only for records the output acknowledged. Both topics are read with kcat.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, payloads } from '../../conformance/harness.js';
import { repoRoot } from '../../support/cli.js';
import { kafkaForTests, uniqueTopic } from '../../support/kafka.js';
import { FAST_GROUP, flowWith, idsIn, kafkaConnection, plainProducer, publishJson } from './support.js';

const kafka = kafkaForTests();

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runFlow(file: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', file, '--log-level', 'warn'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe.runIf(kafka)('kafka-in -> kafka-out under kill -9', () => {
  it('loses nothing: a restarted flow resumes from the committed offsets', async () => {
    const k = kafka!;
    const input = uniqueTopic('crash-in');
    const output = uniqueTopic('crash-out');
    await k.createTopic(input, 3);
    await k.createTopic(output, 3);
    const all = payloads(10_000, 'k');
    const producer = plainProducer(k.brokers);
    await producer.connect();
    await publishJson(producer, input, all);
    await producer.disconnect();

    const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-crash-'));
    dirs.push(dir);
    const file = join(dir, 'flow.json');
    const flow = flowWith(
      [kafkaConnection(k.brokers)],
      [
        ['in', 'kafka-in', { connection: 'kafka', topics: [input], groupId: uniqueTopic('g-crash'), ...FAST_GROUP }],
        // A slow-ish sink (small batches) so that the kill lands mid-stream.
        ['out', 'kafka-out', { connection: 'kafka', topic: output, batchSize: 1, lingerMs: 0 }],
      ],
      [['in', 'out']],
      { maxInFlight: 200 },
    );
    writeFileSync(file, JSON.stringify(flow));

    const first = runFlow(file);
    await eventually(
      () => idsIn(k.brokers, output).then((ids) => ids.length),
      (n) => n >= 500,
      30_000,
      'the first run to deliver 500',
    );
    await killed(first);
    const afterCrash = new Set(await idsIn(k.brokers, output));
    expect(afterCrash.size).toBeLessThan(all.length);

    const second = runFlow(file);
    const landed = await eventually(
      () => idsIn(k.brokers, output),
      (ids) => new Set(ids).size >= all.length,
      45_000,
      'every id in the output after the restart',
    );
    await killed(second);
    const seen = new Set(landed);
    expect(all.filter((p) => !seen.has(p.id)).map((p) => p.id)).toEqual([]);
  }, 90_000);
});
