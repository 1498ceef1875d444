/** What the toolbar, the panels and the canvas do with subflows: make one from the selection, open one, go back. */
import { withoutSubflow } from '../model/subflows.js';
import type { FlowStore } from './flow-store.js';
import { useSubflowEdit } from './subflow-edit.js';
import { useUi } from './ui-store.js';
import { activeTab, contentOf, type Tab, useWorkspace } from './workspace.js';

export function openSubflow(tab: Tab, id: string): void {
  if (!useSubflowEdit.getState().open(tab, id)) {
    useUi
      .getState()
      .notify('error', `This flow has no subflow "${id}": add it under "subflows", or change the node type.`);
  }
}

/**
 * Turns the canvas's selection into a subflow (Node-RED's "Selection to Subflow"), or says why not. Inside an open
 * subflow the new definition goes into the flow's `subflows` (subflow-edit writes it back with the canvas's edit).
 */
export function makeSubflow(store: FlowStore): void {
  const ui = useUi.getState();
  const made = store.getState().makeSubflow();
  if (typeof made === 'string') {
    ui.notify('info', made);
    return;
  }
  const name = store.getState().meta.subflows?.find((s) => s.id === made.subflowId)?.name ?? made.subflowId;
  ui.notify('success', `Made subflow "${name}": double-click it (or Edit subflow) to open it; it is in the palette.`);
}

/** Opens the subflow a use node stands for, from the active flow. */
export function editSubflowOf(type: string): void {
  const tab = activeTab();
  if (tab && type.startsWith('subflow:')) openSubflow(tab, type.slice('subflow:'.length));
}

/** Deletes the open subflow from its flow, with its uses (one undo step on the flow), and goes back to the flow. */
export function deleteOpenSubflow(): void {
  const editing = useSubflowEdit.getState().editing;
  const tab = editing && useWorkspace.getState().tab(editing.tabKey);
  if (!editing || !tab) return;
  useSubflowEdit.getState().close();
  tab.store.getState().replaceContent(withoutSubflow(contentOf(tab.store.getState()), editing.subflowId));
  useUi.getState().notify('success', 'Subflow deleted with its uses (Ctrl+Z brings them back).');
}

/** How many nodes of the open subflow's flow use it. */
export function usesOfOpenSubflow(): number {
  const editing = useSubflowEdit.getState().editing;
  const tab = editing && useWorkspace.getState().tab(editing.tabKey);
  if (!editing || !tab) return 0;
  return tab.store.getState().nodes.filter((n) => n.data.type === `subflow:${editing.subflowId}`).length;
}
