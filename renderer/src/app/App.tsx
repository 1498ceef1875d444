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
import { useWorkspace } from '../state/workspace.js';
import { Notices } from '../ui/Notices.js';
import { watchValidation } from '../validation/watch.js';
import css from './App.module.css';
import { DeployReport } from './DeployReport.js';
import { TabBar } from './TabBar.js';
import { Toolbar } from './Toolbar.js';

function Workspace({ store }: { store: FlowStore }) {
  const rf = useReactFlow<EditorNode>();
  useEffect(() => watchValidation(store), [store]);
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
  const live = useRuntime((s) => (tab?.serverId && isActive(s.flows[tab.serverId]) ? tab.serverId : undefined));
  if (!tab) return <div className={css.loading}>Opening Sluice…</div>;
  return (
    <div className={css.app}>
      <FlowStoreContext.Provider value={tab.store}>
        <LiveContext.Provider value={live}>
          <ReactFlowProvider key={tab.key}>
            <Workspace store={tab.store} />
            <DialogHost />
          </ReactFlowProvider>
        </LiveContext.Provider>
      </FlowStoreContext.Provider>
      <Notices />
    </div>
  );
}
