/**
 * The flows saved on the server: open one in a tab, rename, duplicate, delete (asked first; a running flow is
 * stopped first, on request), and which ones run.
 */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { FlowSummary } from '../api/types.js';
import { openFromServer, stop } from '../state/flow-actions.js';
import { isActive, useRuntime } from '../state/runtime-store.js';
import { useUi } from '../state/ui-store.js';
import { useWorkspace } from '../state/workspace.js';
import css from './Dialogs.module.css';
import { Modal } from './Modal.js';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Saves flow `id` under a new name (a new revision, as a save from its tab would). */
async function renameFlow(id: string, name: string): Promise<void> {
  const { flow, revision } = await api.getFlow(id);
  await api.saveFlow(id, { ...flow, name }, revision);
}

/** Stores a copy under a new id (the server derives it from the name). */
async function duplicateFlow(id: string, name: string): Promise<string> {
  const { flow } = await api.getFlow(id);
  const { id: _old, ...rest } = flow;
  return (await api.createFlow({ ...rest, name })).id;
}

function FlowRow({ f, reload }: { f: FlowSummary; reload: () => void }) {
  const running = useRuntime((s) => isActive(s.flows[f.id]));
  const [mode, setMode] = useState<'idle' | 'rename' | 'delete'>('idle');
  const [name, setName] = useState(f.name || f.id);
  const [error, setError] = useState<string | undefined>(undefined);
  const label = f.name || f.id;
  const act = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
      setMode('idle');
      reload();
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <div className={css.flowItem} data-testid={`flow-row-${f.id}`}>
      <div className={css.flowLine}>
        {mode === 'rename' ? (
          <form
            className={css.flowRename}
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim()) void act(() => renameFlow(f.id, name.trim()));
            }}
          >
            <input aria-label="New name" value={name} onChange={(e) => setName(e.target.value)} />
            <button type="submit" className={`${css.button} ${css.primary}`}>
              Rename
            </button>
            <button type="button" className={css.button} onClick={() => setMode('idle')}>
              Cancel
            </button>
          </form>
        ) : (
          <button
            type="button"
            className={css.flowRow}
            onClick={async () => {
              useUi.getState().setDialog(undefined);
              await openFromServer(f.id);
            }}
          >
            <span className={css.flowName}>{label}</span>
            <span className={css.muted}>{f.id}</span>
            {running && <span className={css.pill}>running</span>}
          </button>
        )}
        {mode === 'idle' && (
          <>
            <button type="button" className={css.button} onClick={() => setMode('rename')} title={`Rename ${label}`}>
              Rename
            </button>
            <button
              type="button"
              className={css.button}
              title={`Duplicate ${label}`}
              onClick={() => void act(() => duplicateFlow(f.id, `${label} (copy)`))}
            >
              Duplicate
            </button>
            <button
              type="button"
              className={`${css.button} ${css.danger}`}
              title={`Delete ${label}`}
              onClick={() => setMode('delete')}
            >
              Delete
            </button>
          </>
        )}
      </div>
      {mode === 'delete' && (
        <div className={css.confirmRow} role="alert">
          {running ? `“${label}” is running: it is stopped (drained) first. ` : ''}Delete “{label}” from the server?
          This cannot be undone.
          <button
            type="button"
            className={`${css.button} ${css.danger}`}
            onClick={() =>
              void act(async () => {
                if (running) await stop(f.id);
                await api.deleteFlow(f.id);
                // Deleted on purpose here: its tab closes (a delete elsewhere leaves the tab open, unsaved).
                const tab = useWorkspace.getState().tabs.find((t) => t.serverId === f.id);
                if (tab) useWorkspace.getState().close(tab.key);
              })
            }
          >
            {running ? 'Stop and delete' : 'Delete'}
          </button>
          <button type="button" className={css.button} onClick={() => setMode('idle')}>
            Cancel
          </button>
        </div>
      )}
      {error && <div className={css.rowError}>{error}</div>}
    </div>
  );
}

export function OpenDialog() {
  const [flows, setFlows] = useState<FlowSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const load = useCallback(() => {
    api.listFlows().then(setFlows, (e: unknown) => setError(message(e)));
  }, []);
  useEffect(load, [load]);
  return (
    <Modal title="Flows" wide>
      {error && <p className={css.p}>Could not list the flows: {error}</p>}
      {!flows && !error && <p className={css.muted}>Loading…</p>}
      {flows && flows.length === 0 && <p className={css.muted}>No flows are saved yet. Build one and press Save.</p>}
      <div className={css.flows}>
        {flows?.map((f) => (
          <FlowRow key={`${f.id}:${f.name}`} f={f} reload={load} />
        ))}
      </div>
    </Modal>
  );
}
