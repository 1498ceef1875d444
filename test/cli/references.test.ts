/** Issue 10, fault 6 end to end: `sluice run` reads `${file:}` only under --secret-dir, `${env:}` only per --allow-env. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-refs-'));
const secrets = join(dir, 'secrets');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function flowFile(topic: string): string {
  const file = join(dir, `flow-${Math.random().toString(36).slice(2)}.json`);
  const flow = {
    format: 'sluice/flow@1',
    nodes: [
      { id: 'gen', type: 'generate', config: { topic, count: 1 } },
      { id: 'out', type: 'debug', config: {} },
    ],
    edges: [{ source: 'gen', sourcePort: 'out', target: 'out', targetPort: 'in' }],
  };
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

describe('sluice run and references', () => {
  it('refuses a file outside --secret-dir with the generic message, reads it inside', async () => {
    mkdirSync(secrets, { recursive: true });
    writeFileSync(join(secrets, 'topic'), 'from-a-file\n');
    const outside = await runCli(['run', flowFile('${file:/etc/hostname}'), '--duration', '200']);
    expect(outside.code).toBe(4);
    expect(outside.stderr).toMatch(
      /field \/topic: cannot read secret file \/etc\/hostname \(missing, unreadable, or outside the allowed directories\)/,
    );
    const inside = await runCli([
      'run',
      flowFile(`\${file:${secrets}/topic}`),
      '--duration',
      '300',
      '--secret-dir',
      secrets,
      '--log-level',
      'warn',
    ]);
    expect(inside.stderr).toBe('');
    expect(inside.code).toBe(0);
  });

  it('refuses an environment variable that --allow-env does not list', async () => {
    const r = await runCli(['run', flowFile('${env:HOME}'), '--duration', '200', '--allow-env', 'SLUICE_*']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/environment variable HOME is not in the allowed list/);
  });
});
