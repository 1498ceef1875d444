/**
 * A real crash: `sluice run` (nats-in -> nats-out, JetStream both ends) is killed with SIGKILL mid-stream, then
 * started again on the same durable consumer. Every message of the input stream must reach the output stream: a
 * message is acked only after the output stream acknowledged its copy, what was unacked is redelivered after
 * ackWaitMs, and Nats-Msg-Id (the input's `<stream>/<sequence>`) makes the redelivered copies land once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, payloads } from '../../conformance/harness.js';
import { repoRoot } from '../../support/cli.js';
import { requireService } from '../../support/services.js';
import { Admin, natsConnection, unique } from './support.js';

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

describe.runIf(await requireService('nats'))('nats-in -> nats-out under kill -9', () => {
  it('loses nothing: unacked messages are redelivered to the restarted durable', async () => {
    const admin = await Admin.open();
    try {
      const input = await admin.stream(unique('CRASHIN'));
      const output = await admin.stream(unique('CRASHOUT'));
      const all = payloads(5_000, 'k');
      await admin.publishJson(`${input}.data`, all);

      const dir = mkdtempSync(join(tmpdir(), 'sluice-nats-crash-'));
      dirs.push(dir);
      const file = join(dir, 'flow.json');
      const flow = {
        format: 'sluice/flow@1',
        id: unique('flow'),
        settings: { maxInFlight: 200 },
        connections: [natsConnection()],
        nodes: [
          {
            id: 'in',
            type: 'nats-in',
            config: { connection: 'nats', stream: input, durable: unique('d'), ackWaitMs: 2000 },
          },
          { id: 'out', type: 'nats-out', config: { connection: 'nats', subject: `${output}.data` } },
        ],
        edges: [{ source: 'in', sourcePort: 'out', target: 'out', targetPort: 'in' }],
      };
      writeFileSync(file, JSON.stringify(flow));

      const count = async () => (await admin.jsm.streams.info(output)).state.messages;
      const first = runFlow(file);
      await eventually(count, (n) => n >= 300, 30_000, 'the first run to deliver 300');
      await killed(first);
      expect(await count()).toBeLessThan(all.length);

      const second = runFlow(file);
      await eventually(count, (n) => n >= all.length, 60_000, 'every message in the output after the restart');
      await killed(second);
      const ids = await admin.ids(output);
      const seen = new Set(ids);
      expect(all.filter((p) => !seen.has(p.id)).map((p) => p.id)).toEqual([]);
      // Redelivered copies carried the same Nats-Msg-Id: stored once.
      expect(ids.length).toBe(all.length);
    } finally {
      await admin.close();
    }
  }, 120_000);
});
