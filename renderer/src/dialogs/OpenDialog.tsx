/** The flows saved on the server; pick one to open it in a tab. */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { FlowSummary } from '../api/types.js';
import { openFromServer } from '../state/flow-actions.js';
import { useUi } from '../state/ui-store.js';
import css from './Dialogs.module.css';
import { Modal } from './Modal.js';

export function OpenDialog() {
  const [flows, setFlows] = useState<FlowSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    api.listFlows().then(setFlows, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  return (
    <Modal title="Open a flow">
      {error && <p className={css.p}>Could not list the flows: {error}</p>}
      {!flows && !error && <p className={css.muted}>Loading…</p>}
      {flows && flows.length === 0 && <p className={css.muted}>No flows are saved yet. Build one and press Save.</p>}
      <div className={css.flows}>
        {flows?.map((f) => (
          <button
            type="button"
            key={f.id}
            className={css.flowRow}
            onClick={async () => {
              useUi.getState().setDialog(undefined);
              await openFromServer(f.id);
            }}
          >
            <span className={css.flowName}>{f.name || f.id}</span>
            <span className={css.muted}>{f.id}</span>
            {f.deployed && <span className={css.pill}>running</span>}
          </button>
        ))}
      </div>
    </Modal>
  );
}
