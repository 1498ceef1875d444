/** The editor reads the server's shapes from src/server/protocol.ts; these check what produces them still fits. */
import { describe, expectTypeOf, it } from 'vitest';
import type { DebugEntry as NodeDebugEntry } from '../../nodes/debug/runtime.js';
import type { DebugEntry as EditorDebugEntry, FlowRunInfo } from '../../renderer/src/api/types.js';
import type { DebugEntry, FlowRuntimeView } from '../../src/server/protocol.js';

describe('admin API shapes (checked by the type checker)', () => {
  it('the debug node publishes the DebugEntry the live feed declares', () => {
    expectTypeOf<NodeDebugEntry>().toEqualTypeOf<DebugEntry>();
  });

  it("the editor's names are the server's types", () => {
    expectTypeOf<FlowRunInfo>().toEqualTypeOf<FlowRuntimeView>();
    expectTypeOf<DebugEntry>().toExtend<EditorDebugEntry>();
  });
});
