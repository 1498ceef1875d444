/**
 * A subflow opened for editing: its own canvas over a store of its own (nodes, edges, In and Out nodes), whose every
 * change is written back into the flow's `subflows` (so save, deploy, validation and the unsaved mark see it at once),
 * and which shows the flow's problems that lie inside it. The flow's store stays the one that saves and deploys.
 */
import { create } from 'zustand';
import { sameContent } from '../model/history.js';
import { problemsInsideSubflow } from '../model/subflow-problems.js';
import { subflowContent, subflowsAfterEdit } from '../model/subflows.js';
import type { FlowContent } from '../model/types.js';
import { createFlowStore, type FlowStore } from './flow-store.js';
import { contentOf, type Tab } from './workspace.js';

export interface SubflowEditing {
  tabKey: string;
  subflowId: string;
  store: FlowStore;
}

interface SubflowEditState {
  editing: SubflowEditing | undefined;
  /** Opens subflow `id` of the tab's flow; false when the flow has no such subflow. */
  open(tab: Tab, id: string): boolean;
  close(): void;
}

let stop: (() => void) | undefined;

export const useSubflowEdit = create<SubflowEditState>()((set, get) => ({
  editing: undefined,
  open(tab, id) {
    const outer = tab.store;
    const def = outer.getState().meta.subflows?.find((s) => s.id === id);
    if (!def) return false;
    get().close();
    const store = createFlowStore(subflowContent(def, contentOf(outer.getState())));
    const indexOf = () => outer.getState().meta.subflows?.findIndex((s) => s.id === id) ?? -1;

    let written: FlowContent = contentOf(store.getState());
    const unsubscribeInner = store.subscribe((s) => {
      if (sameContent(written, s)) return;
      const before = written.meta.subflows;
      written = contentOf(s);
      const o = outer.getState();
      const subflows = o.meta.subflows;
      if (!subflows || indexOf() < 0) return;
      // One step on the flow: the open subflow's edit with any subflow made inside it (or its undo).
      o.setMeta({ subflows: subflowsAfterEdit(subflows, id, written, before) });
      // A connection made while editing the subflow is the flow's.
      if (written.connections !== o.connections) outer.setState({ connections: written.connections });
    });

    const showProblems = () => {
      const o = outer.getState();
      const i = indexOf();
      const current = i < 0 ? undefined : o.meta.subflows?.[i];
      if (!current) {
        // Gone (an undo on the flow removed it): back to the flow.
        queueMicrotask(() => get().close());
        return;
      }
      store.getState().setProblems(problemsInsideSubflow(o.problems, i, current));
    };
    let lastProblems = outer.getState().problems;
    const unsubscribeOuter = outer.subscribe((o) => {
      if (o.problems === lastProblems && o.meta.subflows?.some((s) => s.id === id)) return;
      lastProblems = o.problems;
      showProblems();
    });
    showProblems();
    stop = () => {
      unsubscribeInner();
      unsubscribeOuter();
    };
    set({ editing: { tabKey: tab.key, subflowId: id, store } });
    return true;
  },
  close() {
    stop?.();
    stop = undefined;
    if (get().editing) set({ editing: undefined });
  },
}));
