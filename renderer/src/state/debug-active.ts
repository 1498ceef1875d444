/**
 * The debug node's on/off button (as in Node-RED): the choice is recorded in the node's config (`active`), so saving
 * and the next deploy keep it, and a running flow is switched at once, without a redeploy
 * (PUT /api/runtime/flows/:id/nodes/:node/active).
 */
import { request } from '../api/client.js';
import type { FlowStore } from './flow-store.js';
import { useUi } from './ui-store.js';

/** Whether a debug node shows its messages (config `active`, on unless set to false). */
export function debugActive(config: Record<string, unknown> | undefined): boolean {
  return config?.active !== false;
}

export async function setDebugActive(
  store: FlowStore,
  nodeId: string,
  active: boolean,
  liveFlowId: string | undefined,
): Promise<void> {
  const node = store.getState().nodes.find((n) => n.id === nodeId);
  if (!node) return;
  store.getState().updateNode(nodeId, { config: { ...node.data.config, active } });
  const ui = useUi.getState();
  if (!liveFlowId) {
    ui.notify('info', `Debug node ${nodeId} is ${active ? 'on' : 'off'}: it takes effect when the flow is deployed`);
    return;
  }
  try {
    await request(
      'PUT',
      `/api/runtime/flows/${encodeURIComponent(liveFlowId)}/nodes/${encodeURIComponent(nodeId)}/active`,
      { active },
    );
    ui.notify(
      'info',
      active
        ? `Debug node ${nodeId} is on: its messages appear in the debug panel`
        : `Debug node ${nodeId} is off: its messages no longer appear in the debug panel`,
    );
  } catch (e) {
    // A node added since the deploy is not in the running flow: the saved flow takes the choice to the next deploy.
    ui.notify(
      'error',
      `Debug node ${nodeId} not switched in the running flow (${e instanceof Error ? e.message : String(e)}); deploy to apply`,
    );
  }
}
