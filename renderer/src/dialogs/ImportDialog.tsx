/** Import a flow from a file or pasted JSON; the server checks it and stores it, then it opens in a tab. */
import { useState } from 'react';
import { importText } from '../state/flow-actions.js';
import { useUi } from '../state/ui-store.js';
import css from './Dialogs.module.css';
import { Modal } from './Modal.js';

export function ImportDialog() {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (value: string) => {
    setBusy(true);
    const ok = await importText(value);
    setBusy(false);
    if (ok) useUi.getState().setDialog(undefined);
  };
  return (
    <Modal
      title="Import a flow"
      wide
      footer={
        <>
          <label className={css.button} style={{ display: 'inline-flex', alignItems: 'center' }}>
            Choose a file…
            <input
              type="file"
              accept=".json,application/json"
              hidden
              data-testid="import-file"
              onChange={async (e) => {
                const file = e.target.files?.[0];
                if (file) await submit(await file.text());
              }}
            />
          </label>
          <button
            type="button"
            className={`${css.button} ${css.primary}`}
            disabled={busy || !text.trim()}
            onClick={() => void submit(text)}
          >
            Import pasted JSON
          </button>
        </>
      }
    >
      <p className={css.p}>Paste a flow's JSON (as exported), or choose a file.</p>
      <textarea
        className={css.textarea}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder='{ "format": "sluice/flow@1", "nodes": [ ... ], "edges": [ ... ] }'
        spellCheck={false}
        aria-label="Flow JSON"
      />
    </Modal>
  );
}
