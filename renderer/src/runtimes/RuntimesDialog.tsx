/**
 * The runtimes: this computer's and every remote runner, each with the flows it runs (state and message counts, live),
 * a button to deploy the current flow there and one to stop each flow. Remote runners are added here after a check of
 * their address, token and flow format.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import type { Counters, RuntimeInfo } from '../api/types.js';
import dialogs from '../dialogs/Dialogs.module.css';
import { stop as stopLocal } from '../state/flow-actions.js';
import { isActive, useRuntime } from '../state/runtime-store.js';
import { IconClose, IconPlay } from '../ui/icons.js';
import css from './Runtimes.module.css';
import { deployTo, POLL_MS, stopOn, useRuntimes } from './runtimes-store.js';

/** Messages a flow's sources produced (sources are the nodes that count acks), and node failures. */
function flowTotals(counters: Record<string, Counters>): { messages: number; failed: number } {
  let messages = 0;
  let failed = 0;
  for (const c of Object.values(counters)) {
    failed += c.failed;
    if (c.acked !== undefined) messages += c.out;
  }
  return { messages, failed };
}

function FlowTable({ info, onStop }: { info: RuntimeInfo; onStop: (flowId: string) => void }) {
  if (info.flows.length === 0) return <div className={css.empty}>No flows deployed here.</div>;
  return (
    <table className={css.table}>
      <thead>
        <tr>
          <th>Flow</th>
          <th>State</th>
          <th>Revision</th>
          <th title="Messages its sources produced">Messages</th>
          <th title="Node failures">Failed</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {info.flows.map((f) => {
          const t = flowTotals(f.counters);
          return (
            <tr key={f.flowId} data-testid="runtimes-flow" data-flow-id={f.flowId} data-state={f.state}>
              <td>{f.name || f.flowId}</td>
              <td>
                {f.state}
                {f.error && <span className={css.error}> · {f.error}</span>}
              </td>
              <td>{f.revision ?? '–'}</td>
              <td data-testid="runtimes-flow-messages">{t.messages}</td>
              <td>{t.failed}</td>
              <td>
                {isActive(f) && (
                  <button type="button" className={css.small} onClick={() => onStop(f.flowId)}>
                    Stop
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function LocalSection() {
  const flows = useRuntime((s) => s.flows);
  const info: RuntimeInfo = {
    flows: Object.entries(flows)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([flowId, run]) => ({ flowId, ...run })),
  };
  return (
    <section className={css.section} data-testid="runtime-local" aria-label="This computer">
      <div className={css.sectionHead}>
        <span className={css.title}>
          This computer <span className={css.where}>local runtime</span>
        </span>
        <button
          type="button"
          className={`${dialogs.button} ${dialogs.primary}`}
          onClick={() => void deployTo(undefined)}
        >
          <IconPlay size={12} /> Deploy here
        </button>
      </div>
      <FlowTable info={info} onStop={(id) => void stopLocal(id)} />
    </section>
  );
}

function RunnerSection({ id }: { id: string }) {
  const runner = useRuntimes((s) => s.runners.find((r) => r.id === id));
  const view = useRuntimes((s) => s.remote[id]);
  if (!runner) return null;
  return (
    <section className={css.section} data-testid={`runtime-${runner.name}`} aria-label={runner.name}>
      <div className={css.sectionHead}>
        <span className={css.title}>
          {runner.name} <span className={css.where}>{runner.url}</span>
        </span>
        <button type="button" className={`${dialogs.button} ${dialogs.primary}`} onClick={() => void deployTo(id)}>
          <IconPlay size={12} /> Deploy here
        </button>
        <button
          type="button"
          className={css.small}
          title="Forget this runner (its flows keep running there)"
          onClick={() => void useRuntimes.getState().remove(id)}
        >
          Remove
        </button>
      </div>
      {view?.error && (
        <div className={css.error} role="alert">
          {view.error}
        </div>
      )}
      {view?.info && <FlowTable info={view.info} onStop={(flowId) => void stopOn(id, flowId)} />}
      {!view && <div className={css.muted}>Connecting…</div>}
    </section>
  );
}

function AddRunner() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (!open) {
    return (
      <button type="button" className={dialogs.button} onClick={() => setOpen(true)} style={{ marginTop: 12 }}>
        Add runner…
      </button>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const problem = await useRuntimes.getState().add(name.trim(), url.trim(), token.trim());
    setBusy(false);
    if (problem) setError(problem);
    else {
      setOpen(false);
      setName('');
      setUrl('');
      setToken('');
    }
  };
  return (
    <form className={css.form} onSubmit={(e) => void submit(e)} aria-label="Add a runner">
      <label htmlFor="runner-name">Name</label>
      <input id="runner-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="edge-1" required />
      <label htmlFor="runner-url">Address</label>
      <input
        id="runner-url"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        placeholder="http://10.0.0.5:1881"
        required
      />
      <label htmlFor="runner-token">Token</label>
      <input
        id="runner-token"
        type="password"
        autoComplete="off"
        value={token}
        onChange={(e) => setToken(e.target.value)}
        placeholder="the --token the runner was started with"
        required
      />
      <span />
      <span>
        <button type="submit" className={`${dialogs.button} ${dialogs.primary}`} disabled={busy}>
          {busy ? 'Checking…' : 'Check and save'}
        </button>{' '}
        <button type="button" className={dialogs.button} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </span>
      {error && (
        <div className={css.error} role="alert" data-testid="runner-error" style={{ gridColumn: '1 / -1' }}>
          {error}
        </div>
      )}
    </form>
  );
}

export function RuntimesDialog() {
  const open = useRuntimes((s) => s.open);
  const ids = useRuntimes((s) => s.runners.map((r) => r.id).join('\n'));
  const unavailable = useRuntimes((s) => s.unavailable);
  useEffect(() => {
    if (!open) return;
    const timer = setInterval(() => void useRuntimes.getState().poll(), POLL_MS);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') useRuntimes.getState().setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    return () => {
      clearInterval(timer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  if (!open) return null;
  const close = () => useRuntimes.getState().setOpen(false);
  // On the page's body, not inside the toolbar that opens it (whose colours and fonts it would inherit).
  return createPortal(
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes; Escape does the same from the keyboard
    <div className={dialogs.backdrop} onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className={`${dialogs.dialog} ${dialogs.wide}`} role="dialog" aria-modal="true" aria-label="Runtimes">
        <div className={dialogs.head}>
          <h2>Runtimes</h2>
          <button type="button" className={dialogs.x} onClick={close} aria-label="Close">
            <IconClose />
          </button>
        </div>
        <div className={dialogs.content}>
          <div className={css.muted}>
            Deploy the current flow to this computer or to a runner (<code>sluice run --api PORT --token …</code>).
          </div>
          <LocalSection />
          {ids
            .split('\n')
            .filter(Boolean)
            .map((id) => (
              <RunnerSection key={id} id={id} />
            ))}
          {unavailable ? (
            <div className={css.error}>Remote runners are not available: {unavailable}</div>
          ) : (
            <AddRunner />
          )}
        </div>
      </div>
    </div>,
    document.body,
  );
}

/** The toolbar's entry: opens the Runtimes dialog (which mounts itself here). */
export function RuntimesButton({ className }: { className?: string }) {
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() => useRuntimes.getState().setOpen(true)}
        title="Runtimes: deploy to this computer or to remote runners, see what runs where"
        data-testid="runtimes-button"
      >
        Runtimes…
      </button>
      <RuntimesDialog />
    </>
  );
}
