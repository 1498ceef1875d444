import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { functionNode } from '../../../nodes/function/definition.js';
import { Engine } from '../../../src/runtime/engine.js';
import { sharedSandboxPool } from '../../../src/sandbox/index.js';
import { type Catalog, ERROR_HEADER, ERROR_NODE_HEADER } from '../../../src/spec/index.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';

// The function node may not be in the shared catalog yet: add it for this flow.
const catalog: Catalog = {
  nodes: [...testCatalog.nodes.filter((n) => n.type !== functionNode.type), functionNode],
  connections: testCatalog.connections,
};

// The code runs in the sandbox pool's workers; from TypeScript sources they load tsx first (seconds when busy).
beforeAll(() => sharedSandboxPool().ready(), 120_000);

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

const CODE = `
const n = msg.payload.n;
if (n === 3) throw new Error('three is not allowed');
if (n === 4) return null;
if (n === 5) { while (true) {} }
if (n % 2 === 1) return [msg, null];
return [null, [{ payload: { n, part: 'a' } }, { payload: { n, part: 'b' } }]];
`;

describe('function node in a running flow', () => {
  it('routes, splits, drops and fails messages; every source message settles once and ok', async () => {
    engine = new Engine({ catalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowOf(
        [
          ['src', 'test-source'],
          ['fn', 'function', { code: CODE, outputs: 2, timeoutMs: 50 }],
          ['odd', 'test-sink'],
          ['even', 'test-sink'],
          ['errors', 'test-sink'],
        ],
        [
          ['src', 'fn'],
          ['fn:out1', 'odd'],
          ['fn:out2', 'even'],
          ['fn:error', 'errors'],
        ],
      ),
    );
    const src = sources.get('src')!;
    for (let n = 1; n <= 6; n++) await src.push({ n }, `m${n}`);
    await engine.whenIdle(5000);

    expect([...src.outcomes.entries()].sort()).toEqual(
      ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].map((id) => [id, [{ ok: true }]]),
    );
    expect(sinks.get('odd')!.delivered.map((m) => [m.id, m.payload])).toEqual([['m1', { n: 1 }]]);
    expect(
      sinks
        .get('even')!
        .delivered.map((m) => [m.id, m.payload])
        .sort(),
    ).toEqual([
      ['m2:0', { n: 2, part: 'a' }],
      ['m2:1', { n: 2, part: 'b' }],
      ['m6:0', { n: 6, part: 'a' }],
      ['m6:1', { n: 6, part: 'b' }],
    ]);
    const failed = sinks.get('errors')!.delivered;
    expect(failed.map((m) => [m.id, m.headers[ERROR_HEADER], m.headers[ERROR_NODE_HEADER]]).sort()).toEqual([
      ['m3', expect.stringMatching(/^Error: three is not allowed \(line 3, column \d+\)$/), 'fn'],
      ['m5', 'function timed out after 50 ms', 'fn'],
    ]);
    expect(engine.counters().fn).toMatchObject({ in: 6, dropped: 1, failed: 2, inFlight: 0 });
  });

  it('code that does not compile stops the flow from starting and names the node and line', async () => {
    engine = new Engine({ catalog, loadRuntime: loadTestRuntime });
    await expect(
      engine.start(
        flowOf(
          [
            ['src', 'test-source'],
            ['fn', 'function', { code: 'return {' }],
            ['sink', 'test-sink'],
          ],
          [
            ['src', 'fn'],
            ['fn', 'sink'],
          ],
        ),
      ),
    ).rejects.toThrow(/^function "fn": failed to start: the code does not compile: SyntaxError: .*\(line 1/);
  });
});
