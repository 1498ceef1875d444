/** The right-hand panel: properties of the selection (or of the flow), and the flow's connections. */
import { useShallow } from 'zustand/react/shallow';
import { useFlow, useFlowStore } from '../state/flow-context.js';
import { makeSubflow } from '../state/subflow-actions.js';
import { useUi } from '../state/ui-store.js';
import { ConnectionsPanel } from './ConnectionsPanel.js';
import { FlowProperties } from './FlowProperties.js';
import { NodeHelp } from './NodeHelp.js';
import { NodeProperties } from './NodeProperties.js';
import css from './Panel.module.css';
import { SubflowProperties } from './SubflowProperties.js';
import tabs from './Tabs.module.css';

function Properties() {
  // Ids only: dragging a selected node must not re-render its form on every frame.
  const selected = useFlow(useShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id)));
  const inSubflow = useFlow((s) => s.meta.subflow !== undefined);
  const store = useFlowStore();
  if (selected.length === 1) return <NodeProperties key={selected[0]} id={selected[0]} />;
  if (selected.length > 1) {
    return (
      <div className={css.empty}>
        {selected.length} nodes selected. Drag to move them; <kbd>Delete</kbd> removes them; <kbd>Ctrl</kbd>+
        <kbd>C</kbd> copies them.
        <p>
          <button
            type="button"
            className={css.button}
            data-testid="panel-make-subflow"
            title="Turn the selected nodes into a reusable subflow node (Ctrl+Shift+G)"
            onClick={() => makeSubflow(store)}
          >
            Make subflow
          </button>
        </p>
      </div>
    );
  }
  return inSubflow ? <SubflowProperties /> : <FlowProperties />;
}

export function SidePanel() {
  const side = useUi((s) => s.side);
  const setSide = useUi((s) => s.setSide);
  return (
    <aside className={css.panel} aria-label="Properties">
      <div className={tabs.tabs} role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={side === 'properties'}
          className={tabs.tab}
          onClick={() => setSide('properties')}
        >
          Properties
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={side === 'connections'}
          className={tabs.tab}
          onClick={() => setSide('connections')}
        >
          Connections
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={side === 'help'}
          className={tabs.tab}
          onClick={() => setSide('help')}
        >
          Help
        </button>
      </div>
      {side === 'properties' ? <Properties /> : side === 'help' ? <NodeHelp /> : <ConnectionsPanel />}
    </aside>
  );
}
