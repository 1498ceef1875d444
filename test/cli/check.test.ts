import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { requireService } from '../support/services.js';

const up =
  (await requireService('rabbitmq')) && (await requireService('postgres')) && (await requireService('mosquitto'));

function flowFile(connections: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-check-'));
  const file = join(dir, 'flow.json');
  writeFileSync(file, JSON.stringify({ format: 'sluice/flow@1', connections, nodes: [], edges: [] }));
  return file;
}

describe('sluice check', () => {
  it.runIf(up)('tries every connection and says which fail and why (exit 4)', async () => {
    const file = flowFile([
      {
        id: 'rabbit',
        kind: 'amqp',
        config: { host: '127.0.0.1', username: 'guest', password: '${env:CHECK_AMQP_PW}' },
      },
      { id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } },
      { id: 'pg', kind: 'postgres', config: { host: '127.0.0.1', database: 'test', user: 'postgres' } },
      { id: 'nowhere', kind: 'postgres', config: { host: '127.0.0.1', port: 1, database: 'test', user: 'postgres' } },
    ]);
    const r = await runCli(['check', file, '--timeout', '5000'], { env: { CHECK_AMQP_PW: 'guest' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^ok {4}connection "rabbit" \(amqp\)/m);
    expect(r.stdout).toMatch(/^ok {4}connection "broker" \(mqtt\)/m);
    expect(r.stdout).toMatch(/^ok {4}connection "pg" \(postgres\)/m);
    expect(r.stdout).toMatch(/^FAIL {2}connection "nowhere" \(postgres\): .*ECONNREFUSED/m);
  });

  it.runIf(up)('exit 0 when all connect; --json gives the results as data', async () => {
    const file = flowFile([{ id: 'broker', kind: 'mqtt', config: { url: 'mqtt://127.0.0.1:1883' } }]);
    const r = await runCli(['check', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ id: 'broker', kind: 'mqtt', ok: true })]);
  });

  it('an invalid flow is reported, not tried (exit 1)', async () => {
    const file = flowFile([{ id: 'x', kind: 'nosuch', config: {} }]);
    const r = await runCli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown connection kind "nosuch"/);
  });
});
