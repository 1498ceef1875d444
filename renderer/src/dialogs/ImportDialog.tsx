/**
 * Import a flow from a file or pasted JSON; the server checks it and stores it, then it opens in a tab. A flow whose
 * id is already saved is not copied silently: the user replaces the saved one, keeps both (the import gets a new
 * name and id), or cancels.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import type { FlowDocument, FlowSummary } from '../api/types.js';
import { importText, openFromServer, reloadFromServer } from '../state/flow-actions.js';
import { useUi } from '../state/ui-store.js';
import { useWorkspace } from '../state/workspace.js';
import css from './Dialogs.module.css';
import { Modal } from './Modal.js';

interface Conflict {
  doc: FlowDocument;
  existing: FlowSummary;
}

function parsed(text: string): FlowDocument | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    const doc = typeof v === 'object' && v !== null && 'flow' in v ? (v as { flow: unknown }).flow : v;
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as FlowDocument) : undefined;
  } catch {
    return undefined; // the server says what is wrong with it
  }
}

/** A name no saved flow has: "Name (2)", "Name (3)", ... */
function freeName(name: string, flows: FlowSummary[]): string {
  const taken = new Set(flows.map((f) => f.name));
  for (let i = 2; ; i++) if (!taken.has(`${name} (${i})`)) return `${name} (${i})`;
}

export function ImportDialog() {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<Conflict | undefined>(undefined);
  const close = () => useUi.getState().setDialog(undefined);

  const submit = async (value: string) => {
    setBusy(true);
    try {
      const doc = parsed(value);
      if (doc?.id) {
        const flows = await api.listFlows().catch(() => [] as FlowSummary[]);
        const existing = flows.find((f) => f.id === doc.id);
        if (existing) {
          setConflict({ doc, existing });
          return;
        }
      }
      if (await importText(value)) close();
    } finally {
      setBusy(false);
    }
  };

  const replace = async ({ doc, existing }: Conflict) => {
    setBusy(true);
    try {
      const { revision } = await api.getFlow(existing.id);
      await api.saveFlow(existing.id, doc, revision);
      const open = useWorkspace.getState().tabs.find((t) => t.serverId === existing.id);
      if (open) await reloadFromServer(open);
      await openFromServer(existing.id);
      useUi.getState().notify('success', `Replaced “${existing.name || existing.id}” with the imported flow`);
      close();
    } catch (e) {
      useUi.getState().notify('error', `Not replaced: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const keepBoth = async ({ doc, existing }: Conflict) => {
    setBusy(true);
    try {
      const flows = await api.listFlows();
      const { id: _taken, ...rest } = doc;
      const name = freeName(doc.name || existing.name || existing.id, flows);
      if (await importText(JSON.stringify({ ...rest, name }))) close();
    } finally {
      setBusy(false);
    }
  };

  if (conflict) {
    const label = conflict.existing.name || conflict.existing.id;
    return (
      <Modal
        title="This flow is already saved"
        footer={
          <>
            <button type="button" className={css.button} onClick={close}>
              Cancel
            </button>
            <button type="button" className={css.button} disabled={busy} onClick={() => void keepBoth(conflict)}>
              Keep both
            </button>
            <button
              type="button"
              className={`${css.button} ${css.danger}`}
              disabled={busy}
              onClick={() => void replace(conflict)}
            >
              Replace
            </button>
          </>
        }
      >
        <p className={css.p}>
          A flow with the id <code>{conflict.existing.id}</code> (“{label}”, revision {conflict.existing.revision}) is
          saved already.
        </p>
        <p className={css.p}>
          <strong>Replace</strong> saves the imported flow as its next revision (a running flow keeps running until it
          is deployed again). <strong>Keep both</strong> stores the import as a new flow with a new name and id.
        </p>
      </Modal>
    );
  }

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
