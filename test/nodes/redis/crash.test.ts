/**
 * A real crash: `sluice run` (redis-in -> redis-out) is killed with SIGKILL mid-stream, then started again with the
 * same consumer group and consumer name. Every entry of the input stream must reach the output stream (duplicates
 * allowed): an entry is acknowledged only after redis-out's XADD was answered, and the restarted consumer re-reads
 * its own pending entries first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, payloads } from '../../conformance/harness.js';
import { repoRoot } from '../../support/cli.js';
import { requireService } from '../../support/services.js';
import { Admin, redisConnection, unique } from './support.js';

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

describe.runIf(await requireService('redis'))('redis-in -> redis-out under kill -9', () => {
  it('loses nothing: the restarted consumer re-reads its pending entries', async () => {
    const admin = new Admin();
    try {
      const input = unique('crash-in');
      const output = unique('crash-out');
      admin.track(input, output);
      const all = payloads(10_000, 'k');
      for (let i = 0; i < all.length; i += 1000) await admin.addJson(input, all.slice(i, i + 1000));

      const dir = mkdtempSync(join(tmpdir(), 'sluice-redis-crash-'));
      dirs.push(dir);
      const file = join(dir, 'flow.json');
      const flow = {
        format: 'sluice/flow@1',
        id: unique('flow').replace(/:/g, '-'),
        settings: { maxInFlight: 200 },
        connections: [redisConnection()],
        nodes: [
          {
            id: 'in',
            type: 'redis-in',
            config: { connection: 'redis', stream: input, group: unique('g'), consumer: 'c1' },
          },
          // A slow-ish sink (small batches) so that the kill lands mid-stream.
          { id: 'out', type: 'redis-out', config: { connection: 'redis', stream: output, batchSize: 5, lingerMs: 0 } },
        ],
        edges: [{ source: 'in', sourcePort: 'out', target: 'out', targetPort: 'in' }],
      };
      writeFileSync(file, JSON.stringify(flow));

      const first = runFlow(file);
      await eventually(
        () => admin.redis.xlen(output),
        (n) => n >= 500,
        30_000,
        'the first run to deliver 500',
      );
      await killed(first);
      const afterCrash = new Set(await admin.ids(output));
      expect(afterCrash.size).toBeLessThan(all.length);

      const second = runFlow(file);
      const landed = await eventually(
        () => admin.ids(output),
        (ids) => new Set(ids).size >= all.length,
        60_000,
        'every id in the output after the restart',
      );
      await killed(second);
      const seen = new Set(landed);
      expect(all.filter((p) => !seen.has(p.id)).map((p) => p.id)).toEqual([]);
    } finally {
      await admin.close();
    }
  }, 120_000);
});
