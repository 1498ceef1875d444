/** Over the canvas while a subflow is open: where the user is (flow › subflow) and the way back to the flow. */
import { useStore } from 'zustand';
import type { FlowStore } from '../state/flow-store.js';
import { useSubflowEdit } from '../state/subflow-edit.js';
import type { Tab } from '../state/workspace.js';
import css from './Subflow.module.css';

export function SubflowBar({ tab }: { tab: Tab }) {
  const editing = useSubflowEdit((s) => s.editing);
  const flowName = useStore(tab.store, (s) => s.meta.name);
  if (!editing || editing.tabKey !== tab.key) return null;
  return <Bar flowName={flowName || 'Flow'} editing={editing.store} />;
}

function Bar({ flowName, editing }: { flowName: string; editing: FlowStore }) {
  const name = useStore(editing, (s) => s.meta.name);
  const id = useStore(editing, (s) => s.meta.subflow?.id);
  return (
    <div className={css.bar} data-testid="subflow-bar">
      <button type="button" className={css.crumb} onClick={() => useSubflowEdit.getState().close()}>
        {flowName}
      </button>
      <span aria-hidden>›</span>
      <span className={css.current}>
        Subflow <b data-testid="subflow-bar-name">{name || id}</b>
      </span>
      <span className={css.hint}>
        Wire from In and into Out for the subflow's ports; nodes read parameters as ${'{'}param:NAME{'}'}.
      </span>
      <button
        type="button"
        className={css.back}
        data-testid="back-to-flow"
        onClick={() => useSubflowEdit.getState().close()}
      >
        ← Back to the flow
      </button>
    </div>
  );
}
