/**
 * kill -9 mid-stream: every message published ends up in the sink's file (duplicates allowed, counted).
 * The child runs a real engine with mqtt-in whose PUBACKs are withheld by the gate until the file append is done;
 * a message acknowledged to the broker is on disk (page cache, enough for a process crash), and one that is not
 * is redelivered to the restarted child.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { payloads } from '../../conformance/harness.js';
import { requireService } from '../../support/services.js';
import { clearSession, connectPlain, MOSQUITTO, uniqueBase, uniqueClientId } from '../mqtt-support/mqtt.js';

const run = await requireService('mosquitto');
const root = fileURLToPath(new URL('../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const tmp = fileURLToPath(new URL('../../.tmp/', import.meta.url));

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function startChild(filter: string, clientId: string, file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, MOSQUITTO, filter, clientId, file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it was ready: ${out}`)));
  });
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Waits for `cond`; false on timeout (the assertions at the end then say what is missing). */
async function until(cond: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe.runIf(run)('mqtt-in crash (kill -9)', () => {
  it('loses nothing when the process is killed mid-stream, twice', { timeout: 120_000 }, async () => {
    mkdirSync(tmp, { recursive: true });
    const file = `${tmp}mqtt-crash-${randomUUID().slice(0, 8)}.txt`;
    const base = uniqueBase('crash');
    const clientId = uniqueClientId('crash');
    const all = payloads(4000, 'k');
    const pub = await connectPlain();
    let child = await startChild(`${base}/#`, clientId, file);
    let published = 0;
    // Stay well inside what Mosquitto keeps for a session (receive maximum 1000 + max_queued_messages 1000).
    const publishUpTo = async (n: number) => {
      while (published < n) {
        if (!(await until(() => published - new Set(lines(file)).size < 1200))) return;
        const chunk = all.slice(published, Math.min(n, published + 200));
        await Promise.all(chunk.map((p) => pub.publishAsync(`${base}/d`, JSON.stringify(p), { qos: 1 })));
        published += chunk.length;
      }
    };
    const kills: number[] = [];
    for (const at of [1000, 2500]) {
      await publishUpTo(at + 600);
      await until(() => lines(file).length >= at);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      kills.push(lines(file).length);
      child = await startChild(`${base}/#`, clientId, file);
    }
    await publishUpTo(all.length);
    await until(() => new Set(lines(file)).size >= all.length, 30_000);
    child.kill('SIGTERM');
    await pub.endAsync();
    await clearSession(clientId);

    const written = lines(file);
    const unique = new Set(written);
    const missing = all
      .slice(0, published)
      .filter((p) => !unique.has(p.id))
      .map((p) => p.id);
    expect(missing, 'published ids missing from the file').toEqual([]);
    expect(published).toBe(all.length);
    const duplicates = written.length - unique.size;
    console.log(
      `kill -9 at ${kills.join(' and ')} lines: ${all.length} ids, ${written.length} lines, ${duplicates} duplicates`,
    );
    rmSync(file, { force: true });
  });
});
