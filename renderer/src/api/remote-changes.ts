/**
 * Another editor (or the CLI) saved or deleted a flow that is open here. An unchanged tab follows the server; a tab
 * with unsaved changes keeps them and says so (saving it then shows the conflict instead of overwriting).
 */

import { isSaving, reloadFromServer } from '../state/flow-actions.js';
import { useUi } from '../state/ui-store.js';
import { useWorkspace } from '../state/workspace.js';
import type { Revision } from './types.js';

export function flowSavedElsewhere(id: string, revision: Revision): void {
  const ws = useWorkspace.getState();
  const tab = ws.tabs.find((t) => t.serverId === id);
  if (!tab) return;
  // Our own save's echo can arrive before its response: decide once the save has finished.
  if (isSaving(tab.key)) {
    setTimeout(() => flowSavedElsewhere(id, revision), 100);
    return;
  }
  if (tab.revision === revision) return;
  const name = tab.store.getState().meta.name ?? id;
  if (ws.dirty[tab.key]) {
    useUi
      .getState()
      .notify('info', `“${name}” was saved elsewhere. Your changes are kept; saving will ask which version to keep.`);
  } else {
    void reloadFromServer(tab).then(() =>
      useUi.getState().notify('info', `“${name}” was saved elsewhere and has been reloaded.`),
    );
  }
}

export function flowDeletedElsewhere(id: string): void {
  const ws = useWorkspace.getState();
  const tab = ws.tabs.find((t) => t.serverId === id);
  if (!tab) return;
  // The tab keeps its content as a new, unsaved flow: nothing is lost, and Save stores it again.
  useWorkspace.setState({
    tabs: ws.tabs.map((t) => (t.key === tab.key ? { ...t, serverId: undefined, revision: undefined } : t)),
    dirty: { ...ws.dirty, [tab.key]: true },
  });
  useUi
    .getState()
    .notify(
      'info',
      `“${tab.store.getState().meta.name ?? id}” was deleted on the server; it stays open here, unsaved.`,
    );
}
