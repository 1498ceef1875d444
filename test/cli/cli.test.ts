import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('sluice validate', () => {
  it('exits 0 for valid flows', async () => {
    const r = await runCli(['validate', 'examples/mqtt-to-amqp.json']);
    expect(r.stdout).toBe('examples/mqtt-to-amqp.json: valid\n');
    expect(r.code).toBe(0);
  });

  it('says what becomes of a failed message in a flow with no error route (info), and exits 0', async () => {
    const r = await runCli(['validate', 'examples/sensors-demo.json']);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^info: examples\/sensors-demo\.json at \/settings: a message that fails in node "to-fahrenheit", .* is logged at warn and dropped; one that fails because a service is down is nacked and redelivered \(fix: add an error route/,
      ),
    ]);
    expect(r.code).toBe(0);
  });

  it('prints every problem on its own line with node id, pointer and a fix; exits 1', async () => {
    const r = await runCli(['validate', 'test/fixtures/flows/many-problems.json']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const expected = [
      /node "gen" at \/nodes\/0\/config\/intervalMs: "intervalMs" must be integer/,
      /node "gen" at \/nodes\/1\/id: node id "gen" is used twice/,
      /node "gen" at \/nodes\/1\/type: unknown node type "transfrom" \(fix: did you mean "transform"/,
      /at \/edges\/2\/target: edge .* ends at node "ghost", which does not exist/,
      /node "loop" at \/edges\/2\/sourcePort: .* has no output port "nope"/,
      /the flow has a cycle: keep -> loop -> keep/,
    ];
    for (const re of expected)
      expect(
        lines.some((l) => re.test(l)),
        `a line matching ${re}`,
      ).toBe(true);
    expect(lines.every((l) => l.startsWith('error: test/fixtures/flows/many-problems.json'))).toBe(true);
    noStack(r.stdout + r.stderr);
  });

  it('--json prints the problems as data', async () => {
    const r = await runCli([
      'validate',
      '--json',
      'test/fixtures/flows/many-problems.json',
      'examples/sensors-demo.json',
    ]);
    expect(r.code).toBe(1);
    const data = JSON.parse(r.stdout) as Array<{
      file: string;
      valid: boolean;
      problems: Array<{ code: string; path: string }>;
    }>;
    expect(data.map((d) => d.valid)).toEqual([false, true]);
    expect(data[0].problems.map((p) => p.code)).toContain('cycle');
  });

  it('malformed JSON: line and column, no stack trace', async () => {
    const r = await runCli(['validate', 'test/fixtures/flows/malformed.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/malformed\.json:5:5: malformed JSON at line 5, column 5: expected ","/);
    noStack(r.stdout + r.stderr);
  });

  it('a missing file is an I/O error (exit 3 via validate: reported as a problem)', async () => {
    const r = await runCli(['validate', 'no/such/flow.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cannot read no\/such\/flow\.json: no such file/);
  });

  it('bad usage exits 2', async () => {
    const r = await runCli(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument/);
  });
});

describe('sluice nodes', () => {
  it('lists the catalogue', async () => {
    const r = await runCli(['nodes']);
    expect(r.code).toBe(0);
    for (const t of ['generate', 'transform', 'filter', 'switch', 'function', 'json', 'debug']) {
      expect(r.stdout).toMatch(new RegExp(`^${t}\\s`, 'm'));
    }
  });

  it('--json prints each type with ports and JSON Schema', async () => {
    const r = await runCli(['nodes', '--json']);
    const list = JSON.parse(r.stdout) as Array<{
      type: string;
      outputs: Array<{ name: string }>;
      configSchema: { type: string };
    }>;
    const sw = list.find((n) => n.type === 'switch')!;
    expect(sw.outputs.map((p) => p.name)).toEqual(['hot', 'otherwise', 'error']);
    expect(sw.configSchema.type).toBe('object');
  });

  it('an unknown type is a usage error', async () => {
    const r = await runCli(['nodes', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown node type "nope"/);
  });
});

describe('sluice run', () => {
  it('runs the example flow and drains on SIGTERM', async () => {
    let signalled = false;
    const r = await runCli(['run', 'examples/sensors-demo.json'], {
      onStdout: (out, kill) => {
        // Wait until messages have been handled, then ask it to stop.
        if (!signalled && out.includes('"msg":"debug"')) {
          signalled = true;
          kill('SIGTERM');
        }
      },
    });
    expect(r.code).toBe(0);
    const logs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; counters?: Record<string, { acked?: number; nacked?: number }> });
    expect(logs.some((l) => l.msg === 'flow started')).toBe(true);
    const stopped = logs.find((l) => l.msg === 'stopped')!;
    expect(stopped.counters!.sensors.acked).toBeGreaterThan(0);
    expect(stopped.counters!.sensors.nacked).toBe(0);
  });

  it('an invalid flow exits 1 with the problems', async () => {
    const r = await runCli(['run', 'test/fixtures/flows/many-problems.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown node type "transfrom"/);
    noStack(r.stderr);
  });

  it('a bad SLUICE_HEAP_GROWING_PERCENT is a usage error (exit 2) that names the variable', async () => {
    const r = await runCli(['run', 'examples/sensors-demo.json'], { env: { SLUICE_HEAP_GROWING_PERCENT: 'lots' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SLUICE_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000, not "lots"/);
    noStack(r.stderr);
  });

  it('a missing environment variable is a start-up error naming node and field (exit 4)', async () => {
    const r = await runCli(['run', 'test/fixtures/flows/needs-env.json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/generate "gen": field \/topic: environment variable SLUICE_TEST_UNSET_TOPIC is not set/);
    noStack(r.stderr);
  });
});
