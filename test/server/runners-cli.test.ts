/** `sluice serve --runners-file`: where the editor keeps its remote runners, through the real CLI. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('sluice serve --runners-file', () => {
  it('serves the runners kept in the file (tokens never in the reply)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-runners-cli-'));
    const file = join(dir, 'runners.json');
    const token = 'f00dfeedcafe0123456789abcdefabcd';
    await writeFile(
      file,
      JSON.stringify({
        format: 'sluice/runners@1',
        runners: [{ id: 'runner-0a1b2c3d', name: 'edge-1', url: 'http://10.0.0.5:1881', token }],
      }),
    );
    let listed = '';
    const r = await runCli(['serve', '--port', '0', '--flows-dir', join(dir, 'flows'), '--runners-file', file], {
      env: { SLUICE_TOKEN: '', SLUICE_LOG_LEVEL: 'warn' },
      onStdout: (text, kill) => {
        const m = /Sluice editor: (http:\/\/[^/\s]+)\//.exec(text);
        if (!m || listed) return;
        listed = 'pending';
        void fetch(`${m[1]}/api/runners`)
          .then((res) => res.text())
          .then((body) => {
            listed = body;
            kill('SIGTERM');
          });
      },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(listed)).toEqual({
      runners: [{ id: 'runner-0a1b2c3d', name: 'edge-1', url: 'http://10.0.0.5:1881' }],
    });
    expect(listed).not.toContain(token);
  });

  it('refuses to start with an unreadable runners file, naming it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-runners-cli-'));
    const file = join(dir, 'runners.json');
    await writeFile(file, '{ not json');
    const r = await runCli(['serve', '--port', '0', '--flows-dir', join(dir, 'flows'), '--runners-file', file], {
      env: { SLUICE_TOKEN: '' },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`sluice: the runners file ${file} is not JSON`);
    expect(r.stderr).toContain('fix or delete it');
  });
});
