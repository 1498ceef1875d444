/** The editor: toolbar, open flows, palette, canvas, properties, and the debug / try-it / problems panel. */
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { Canvas } from '../canvas/Canvas.js';
import { DialogHost } from '../dialogs/DialogHost.js';
import type { EditorNode } from '../model/types.js';
import { Palette } from '../palette/Palette.js';
import { BottomPanel } from '../panels/BottomPanel.js';
import { SidePanel } from '../panels/SidePanel.js';
import { FlowStoreContext, LiveContext } from '../state/flow-context.js';
import type { FlowStore } from '../state/flow-store.js';
import { isActive, useRuntime } from '../state/runtime-store.js';
import { useSubflowEdit } from '../state/subflow-edit.js';
import { type Tab, useWorkspace } from '../state/workspace.js';
import { Notices } from '../ui/Notices.js';
import { watchValidation } from '../validation/watch.js';
import css from './App.module.css';
import { DeployReport } from './DeployReport.js';
import { SubflowBar } from './SubflowBar.js';
import { TabBar } from './TabBar.js';
import { Toolbar } from './Toolbar.js';

/** `store` is the flow's (validated, saved, deployed); `canvas` is what the canvas edits: the flow or an open subflow. */
function Workspace({ tab, canvas }: { tab: Tab; canvas: FlowStore }) {
  const store = canvas;
  const rf = useReactFlow<EditorNode>();
  useEffect(() => watchValidation(tab.store), [tab.store]);
  const addAtCentre = (type: string) => {
    const el = document.querySelector('.react-flow');
    const r = el?.getBoundingClientRect();
    const p = r ? rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 0, y: 0 };
    const n = store.getState().nodes.length;
    // Successive adds step down-right so that they do not stack exactly.
    store.getState().addNode(type, { x: Math.round(p.x - 90 + (n % 5) * 20), y: Math.round(p.y - 40 + (n % 5) * 20) });
  };
  return (
    <>
      <Toolbar />
      <TabBar />
      <div className={css.body}>
        <Palette onAdd={addAtCentre} />
        <main className={css.centre}>
          <div className={css.canvas}>
            <Canvas />
            <SubflowBar tab={tab} />
            <DeployReport />
          </div>
          <BottomPanel />
        </main>
        <SidePanel />
      </div>
    </>
  );
}

/** The window title names the open flow (its name, not its id), as the tab does. */
function useWindowTitle(store: FlowStore | undefined, fallback: string | undefined): void {
  useEffect(() => {
    if (!store) return;
    const show = () => {
      document.title = `${store.getState().meta.name || fallback || 'Untitled flow'} · Sluice`;
    };
    show();
    return store.subscribe(show);
  }, [store, fallback]);
}

export function App() {
  const tab = useWorkspace((s) => s.tabs.find((t) => t.key === s.activeKey));
  useWindowTitle(tab?.store, tab?.serverId);
  const running = useRuntime((s) => (tab?.serverId && isActive(s.flows[tab.serverId]) ? tab.serverId : undefined));
  const editing = useSubflowEdit((s) => (s.editing && s.editing.tabKey === tab?.key ? s.editing : undefined));
  if (!tab) return <div className={css.loading}>Opening Sluice…</div>;
  const canvas = editing?.store ?? tab.store;
  // Inside a subflow the runtime's ids are the uses' copies (`use:node`): no status there, the uses show it.
  const live = editing ? undefined : running;
  return (
    <div className={css.app}>
      <FlowStoreContext.Provider value={canvas}>
        <LiveContext.Provider value={live}>
          <ReactFlowProvider key={editing ? `${tab.key}/${editing.subflowId}` : tab.key}>
            <Workspace tab={tab} canvas={canvas} />
            <DialogHost />
          </ReactFlowProvider>
        </LiveContext.Provider>
      </FlowStoreContext.Provider>
      <Notices />
    </div>
  );
}
