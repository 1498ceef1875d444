/** The top bar: flow actions (new, open, import, export, save), undo/redo, layout, deploy/stop and runtime state. */
import { useReactFlow } from '@xyflow/react';
import { useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { useFitFlow } from '../canvas/fit.js';
import { addComment, autoLayout, groupSelection } from '../canvas/use-canvas-commands.js';
import type { EditorNode } from '../model/types.js';
import { RuntimesButton } from '../runtimes/RuntimesDialog.js';
import { deploy, exportFileName, exportText, save, stop } from '../state/flow-actions.js';
import { useFlowStore } from '../state/flow-context.js';
import { type FlowRun, useRuntime } from '../state/runtime-store.js';
import { makeSubflow } from '../state/subflow-actions.js';
import { useUi } from '../state/ui-store.js';
import { activeTab, useWorkspace } from '../state/workspace.js';
import {
  IconCopy,
  IconExport,
  IconFolder,
  IconHelp,
  IconImport,
  IconLayout,
  IconPlay,
  IconPlus,
  IconRedo,
  IconSave,
  IconStop,
  IconUndo,
} from '../ui/icons.js';
import css from './App.module.css';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ExportMenu() {
  const [open, setOpen] = useState(false);
  const notify = useUi((s) => s.notify);
  return (
    <div className={css.menuWrap}>
      <button
        type="button"
        className={css.tool}
        onClick={() => setOpen(!open)}
        aria-haspopup="menu"
        aria-expanded={open}
        title="Export the flow as JSON"
      >
        <IconExport /> Export
      </button>
      {open && (
        <div className={css.menu} role="menu" onMouseLeave={() => setOpen(false)}>
          <button
            type="button"
            role="menuitem"
            onClick={() => {
              setOpen(false);
              const tab = activeTab();
              const text = exportText(tab);
              if (tab && text) download(exportFileName(tab), text);
            }}
          >
            <IconExport size={14} /> Download JSON file
          </button>
          <button
            type="button"
            role="menuitem"
            onClick={() => {
              setOpen(false);
              const text = exportText();
              if (!text) return;
              navigator.clipboard.writeText(text).then(
                () => notify('success', 'Flow JSON copied to the clipboard (secrets stay references).'),
                () => notify('error', 'The browser did not allow writing to the clipboard.'),
              );
            }}
          >
            <IconCopy size={14} /> Copy JSON to clipboard
          </button>
        </div>
      )}
    </div>
  );
}

/** The current flow's runtime state, in words. */
function runText(run: (Pick<FlowRun, 'state' | 'error' | 'revision'> & { inError: number }) | undefined): string {
  // Running is not the same as working: say how many nodes are in error.
  const errors = run?.inError ? ` · ${run.inError} node${run.inError === 1 ? '' : 's'} in error` : '';
  switch (run?.state) {
    case 'running':
      return run.error
        ? `Running revision ${run.revision} (the last deploy failed)${errors}`
        : `Running this flow${errors}`;
    case 'starting':
      return 'Starting…';
    case 'stopping':
      return 'Stopping…';
    case 'failed':
      return 'Failed to start';
    default:
      return 'Not running';
  }
}

export function Toolbar() {
  const store = useFlowStore();
  const rf = useReactFlow<EditorNode>();
  const fitView = useFitFlow(store);
  const canUndo = useStore(store.temporal, (s) => s.pastStates.length > 0);
  const canRedo = useStore(store.temporal, (s) => s.futureStates.length > 0);
  const activeKey = useWorkspace((s) => s.activeKey);
  const serverId = useWorkspace((s) => s.tabs.find((t) => t.key === s.activeKey)?.serverId);
  const dirty = useWorkspace((s) => Boolean(activeKey && s.dirty[activeKey]));
  // Only what the toolbar shows: counters change several times a second and must not re-render it.
  const run = useRuntime(
    useShallow((s) => {
      const f = serverId ? s.flows[serverId] : undefined;
      if (!f) return undefined;
      const inError = Object.values(f.statuses).filter((st) => st.state === 'error').length;
      return { state: f.state, error: f.error, revision: f.revision, inError };
    }),
  );
  const runningCount = useRuntime((s) => Object.values(s.flows).filter((f) => f.state === 'running').length);
  const link = useRuntime((s) => s.link);
  const setDialog = useUi((s) => s.setDialog);
  const active = run?.state === 'running' || run?.state === 'starting' || run?.state === 'stopping';

  return (
    <header className={css.toolbar}>
      <div className={css.brand}>
        <img src="./favicon.svg" alt="" width={22} height={22} />
        Sluice
      </div>
      <div className={css.group}>
        <button type="button" className={css.tool} onClick={() => useWorkspace.getState().newFlow()} title="New flow">
          <IconPlus /> New
        </button>
        <button
          type="button"
          className={css.tool}
          onClick={() => setDialog({ kind: 'open' })}
          title="Saved flows: open, rename, duplicate, delete; which run"
        >
          <IconFolder /> Open
        </button>
        <button
          type="button"
          className={css.tool}
          onClick={() => setDialog({ kind: 'import' })}
          title="Import a flow from a file or pasted JSON"
        >
          <IconImport /> Import
        </button>
        <ExportMenu />
        <button
          type="button"
          className={css.tool}
          onClick={() => void save()}
          disabled={!dirty && serverId !== undefined}
          title="Save (Ctrl+S)"
        >
          <IconSave /> Save
        </button>
      </div>
      <div className={css.group}>
        <button
          type="button"
          className={css.iconTool}
          onClick={() => store.temporal.getState().undo()}
          disabled={!canUndo}
          title="Undo (Ctrl+Z)"
          aria-label="Undo"
        >
          <IconUndo />
        </button>
        <button
          type="button"
          className={css.iconTool}
          onClick={() => store.temporal.getState().redo()}
          disabled={!canRedo}
          title="Redo (Ctrl+Shift+Z)"
          aria-label="Redo"
        >
          <IconRedo />
        </button>
        <button
          type="button"
          className={css.iconTool}
          onClick={() => void autoLayout(store, fitView)}
          title="Auto-layout (L)"
          aria-label="Auto-layout"
        >
          <IconLayout />
        </button>
        <button
          type="button"
          className={css.tool}
          onClick={() => addComment(store, rf)}
          title="Add a comment: a note on the canvas (C). Double-click it to edit."
          data-testid="add-comment"
        >
          Comment
        </button>
        <button
          type="button"
          className={css.tool}
          onClick={() => groupSelection(store)}
          title="Group the selected nodes (Ctrl+G): a titled, coloured frame that moves them together"
          data-testid="group-selection"
        >
          Group
        </button>
        <button
          type="button"
          className={css.tool}
          onClick={() => makeSubflow(store)}
          title="Make a subflow of the selected nodes (Ctrl+Shift+G): a reusable node type; edges into and out of the selection become its ports"
          data-testid="make-subflow"
        >
          Subflow
        </button>
      </div>
      <span className={css.spacer} />
      <div className={css.runtime} data-testid="runtime-state">
        <span className={css.runDot} data-on={run?.state === 'running' ? 'yes' : 'no'} />
        {link !== 'open' ? 'Connecting to the server…' : runText(run)}
      </div>
      <button
        type="button"
        className={css.tool}
        onClick={() => useUi.getState().showBottom('runtime')}
        title="Every flow the runtime runs, with status and counters"
        data-testid="runtime-list-button"
      >
        {runningCount} running
      </button>
      <RuntimesButton className={css.tool} />
      {active && (
        <button
          type="button"
          className={css.tool}
          onClick={() => void stop(serverId)}
          title="Stop this flow (drains its in-flight messages; other flows keep running)"
          data-testid="stop"
        >
          <IconStop /> Stop
        </button>
      )}
      <button
        type="button"
        className={css.deploy}
        onClick={() => void deploy()}
        title={
          active
            ? `Save and deploy (Ctrl+Enter): replaces the running revision ${run?.revision ?? ''} of this flow, which drains its in-flight messages first; other flows keep running`
            : 'Save and deploy this flow (Ctrl+Enter); other flows keep running'
        }
        data-testid="deploy"
      >
        <IconPlay /> Deploy
      </button>
      <button
        type="button"
        className={css.iconTool}
        onClick={() => setDialog({ kind: 'help' })}
        title="Keyboard shortcuts (?)"
        aria-label="Help"
      >
        <IconHelp />
      </button>
    </header>
  );
}
