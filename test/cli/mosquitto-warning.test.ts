/**
 * `sluice run` warns at start when a persistent MQTT session rests on Mosquitto, whose default offline queue
 * (max_queued_messages 1000) drops messages while the flow is down; against the real Mosquitto and, for contrast,
 * the embedded broker (aedes) and a clean session.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearSession, connectPlain, MOSQUITTO, uniqueBase, uniqueClientId } from '../nodes/mqtt-support/mqtt.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-mosquitto-warning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function flowFile(name: string, url: string, clientId: string, qos: 0 | 1): string {
  const file = join(dir, `${name}.json`);
  const flow = {
    format: 'sluice/flow@1',
    id: name,
    connections: [{ id: 'broker', kind: 'mqtt', config: { url } }],
    nodes: [
      { id: 'in', type: 'mqtt-in', config: { connection: 'broker', topics: [`${uniqueBase(name)}/#`], qos, clientId } },
      { id: 'out', type: 'debug', config: {} },
    ],
    edges: [{ source: 'in', sourcePort: 'out', target: 'out', targetPort: 'in' }],
  };
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

interface LogLine {
  level: number;
  msg: string;
  version?: string;
  checklist?: string;
}

const lines = (stdout: string): LogLine[] =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
const warnings = (stdout: string) => lines(stdout).filter((l) => l.level === 40 && /max_queued_messages/.test(l.msg));

async function brokerVersion(): Promise<string> {
  const c = await connectPlain();
  const version = new Promise<string>((resolve) => c.on('message', (_t, p) => resolve(p.toString())));
  await c.subscribeAsync('$SYS/broker/version');
  const v = await version;
  await c.endAsync();
  return v;
}

// Each test starts `sluice run` from source (tsx) once or twice: slow on a busy machine.
describe('the Mosquitto offline-queue warning', { timeout: 90_000 }, () => {
  it('is logged at warn for a persistent session on Mosquitto, naming the version and the broker checklist', async () => {
    const clientId = uniqueClientId('mosq-warn');
    try {
      const r = await runCli(['run', flowFile('persistent', MOSQUITTO, clientId, 1), '--duration', '2500']);
      expect(r.code, r.stderr).toBe(0);
      const found = warnings(r.stdout);
      expect(found, r.stdout).toHaveLength(1);
      expect(found[0].version).toBe(await brokerVersion());
      expect(found[0].version).toMatch(/^mosquitto/);
      expect(found[0].checklist).toBe('docs/delivery.md#broker-checklist');
      expect(found[0].msg).toMatch(/offline persistent session/);
    } finally {
      await clearSession(clientId);
    }
  });

  it('is not logged for a clean session (nothing is queued for it) nor for another broker', async () => {
    const clean = await runCli([
      'run',
      flowFile('clean', MOSQUITTO, uniqueClientId('mosq-clean'), 0),
      '--duration',
      '1500',
    ]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(warnings(clean.stdout)).toEqual([]);

    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const other = await runCli([
      'run',
      flowFile('aedes', url, uniqueClientId('aedes'), 1),
      '--embedded-mqtt',
      String(port),
      '--log-level',
      'debug',
      '--duration',
      '4500', // the probe waits 3 s for an answer aedes never gives
    ]);
    expect(other.code, other.stderr).toBe(0);
    expect(lines(other.stdout).some((l) => /flow started/.test(l.msg))).toBe(true);
    expect(
      lines(other.stdout).some((l) => /broker probe/.test(l.msg)),
      'the probe ran',
    ).toBe(true);
    expect(warnings(other.stdout)).toEqual([]);
  });
});
