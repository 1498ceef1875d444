/**
 * Issue 10, fault 2 at the engine: a start that fails while resolving a node's config must unwind completely, so the
 * same engine can start again (it used to be left "stopping" for good: stop() walked the previous flow's node order).
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { StartupError } from '../../src/runtime/errors.js';
import { flowOf, loadTestRuntime, testCatalog } from '../support/test-nodes.js';

const ticking = (topic: string) =>
  flowOf(
    [
      ['gen', 'generate', { intervalMs: 5, topic }],
      ['dbg', 'debug', { keep: 5 }],
    ],
    [['gen', 'dbg']],
  );

describe('engine: a failed start ends clean', () => {
  it('after a start that failed on a missing env reference, the engine stops and starts again', async () => {
    const engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
    await engine.start(
      flowOf(
        [
          ['x', 'generate', { intervalMs: 5 }],
          ['y', 'debug', {}],
        ],
        [['x', 'y']],
      ),
    );
    await engine.stop();
    await expect(engine.start(ticking('${env:SLUICE_TEST_ENGINE_UNSET}'))).rejects.toThrow(StartupError);
    expect(engine.running).toBe(false);
    await engine.start(ticking('fine'));
    expect(engine.running).toBe(true);
    const report = await engine.stop();
    expect(report.notStopped).toEqual([]);
  });
});
