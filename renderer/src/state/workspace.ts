/** The open flows (tabs), which one is active, and which have unsaved changes. */
import { create } from 'zustand';
import { FLOW_FORMAT, type FlowDocument } from '../../../src/flow/index.js';
import type { Revision } from '../api/types.js';
import { fromDocument } from '../model/convert.js';
import { sameContent } from '../model/history.js';
import type { FlowContent } from '../model/types.js';
import { createFlowStore, type FlowState, type FlowStore } from './flow-store.js';

export interface Tab {
  key: string;
  store: FlowStore;
  /** Id on the server once saved. */
  serverId: string | undefined;
  revision: Revision | undefined;
  /** Content as last saved or opened: the reference for the unsaved-changes mark. */
  saved: FlowContent;
}

export interface WorkspaceState {
  tabs: Tab[];
  activeKey: string | undefined;
  dirty: Record<string, boolean>;
  activate(key: string): void;
  open(doc: FlowDocument, server?: { id: string; revision: Revision }): Tab;
  newFlow(): Tab;
  close(key: string): void;
  markSaved(key: string, server: { id: string; revision: Revision }, content: FlowContent): void;
  tab(key: string | undefined): Tab | undefined;
}

let counter = 0;

export function contentOf(s: FlowState): FlowContent {
  return { meta: s.meta, nodes: s.nodes, edges: s.edges, connections: s.connections };
}

export const useWorkspace = create<WorkspaceState>()((set, get) => {
  const track = (tab: Tab) => {
    tab.store.subscribe((s) => {
      const current = get().tabs.find((t) => t.key === tab.key);
      if (!current) return;
      const dirty = !sameContent(current.saved, s);
      if (dirty !== Boolean(get().dirty[tab.key])) set({ dirty: { ...get().dirty, [tab.key]: dirty } });
    });
  };

  return {
    tabs: [],
    activeKey: undefined,
    dirty: {},
    activate: (key) => set({ activeKey: key }),
    open(doc, server) {
      const existing = server && get().tabs.find((t) => t.serverId === server.id);
      if (existing) {
        set({ activeKey: existing.key });
        return existing;
      }
      const content = fromDocument(doc);
      const tab: Tab = {
        key: server ? `flow:${server.id}` : `new:${++counter}`,
        store: createFlowStore(content),
        serverId: server?.id,
        revision: server?.revision,
        saved: content,
      };
      track(tab);
      set({ tabs: [...get().tabs, tab], activeKey: tab.key });
      return tab;
    },
    newFlow() {
      const n = get().tabs.filter((t) => !t.serverId).length;
      return get().open({
        format: FLOW_FORMAT,
        name: n ? `Untitled flow ${n + 1}` : 'Untitled flow',
        nodes: [],
        edges: [],
      });
    },
    close(key) {
      const tabs = get().tabs;
      const i = tabs.findIndex((t) => t.key === key);
      if (i < 0) return;
      const rest = tabs.filter((t) => t.key !== key);
      const { [key]: _gone, ...dirty } = get().dirty;
      const activeKey = get().activeKey === key ? rest[Math.min(i, rest.length - 1)]?.key : get().activeKey;
      set({ tabs: rest, dirty, activeKey });
    },
    markSaved(key, server, content) {
      const tabs = get().tabs.map((t) =>
        t.key === key ? { ...t, serverId: server.id, revision: server.revision, saved: content } : t,
      );
      const tab = tabs.find((t) => t.key === key);
      const dirty = tab ? !sameContent(content, tab.store.getState()) : false;
      set({ tabs, dirty: { ...get().dirty, [key]: dirty } });
    },
    tab: (key) => get().tabs.find((t) => t.key === key),
  };
});

export function activeTab(): Tab | undefined {
  const s = useWorkspace.getState();
  return s.tab(s.activeKey);
}
