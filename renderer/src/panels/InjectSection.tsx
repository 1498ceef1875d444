/**
 * The properties panel of a source node in a running flow: edit a payload (and topic) and inject it, or pick one of
 * the recent ones. The canvas button on the node sends the most recent one.
 */
import { useContext, useState } from 'react';
import { LiveContext } from '../state/flow-context.js';
import { inject, injectKey, lastInput, useInject } from '../state/inject.js';
import css from './Panel.module.css';

/** `ownPayload`: an inject node, whose canvas button sends the payload of its configuration instead. */
export function InjectSection({ id, ownPayload = false }: { id: string; ownPayload?: boolean }) {
  const live = useContext(LiveContext);
  const recent = useInject((s) => (live ? s.recent[injectKey(live, id)] : undefined));
  const [payload, setPayload] = useState(() => (live ? lastInput(live, id).payload : ''));
  const [topic, setTopic] = useState(() => (live ? (lastInput(live, id).topic ?? '') : ''));
  const [result, setResult] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  if (!live) return null;
  let error: string | undefined;
  try {
    JSON.parse(payload);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return (
    <div data-testid="inject-section">
      <div className={css.section}>{ownPayload ? 'Inject another message once' : 'Inject a message'}</div>
      {ownPayload && (
        <div className={css.muted} data-testid="inject-own-payload">
          The ▶ button on the node sends the payload set in its configuration below; this sends the one you type here.
        </div>
      )}
      <div className={css.field}>
        <label htmlFor="inject-payload">Payload (JSON)</label>
        <textarea
          id="inject-payload"
          rows={3}
          spellCheck={false}
          value={payload}
          onChange={(e) => setPayload(e.target.value)}
        />
        {error && (
          <div className={css.connState} data-state="down">
            Not JSON: {error}
          </div>
        )}
      </div>
      <div className={css.field}>
        <label htmlFor="inject-topic">Topic</label>
        <input id="inject-topic" type="text" value={topic} onChange={(e) => setTopic(e.target.value)} />
      </div>
      <div className={css.row}>
        <button
          type="button"
          className={`${css.button} ${css.primary}`}
          disabled={busy || error !== undefined}
          onClick={async () => {
            setBusy(true);
            const r = await inject(live, id, { payload, ...(topic ? { topic } : {}) });
            setBusy(false);
            setResult(r ? (r.outcome === 'delivered' ? 'Delivered' : `Failed: ${r.reason ?? ''}`) : undefined);
          }}
        >
          Inject
        </button>
        {result && (
          <span className={css.muted} data-testid="inject-result">
            {result}
          </span>
        )}
      </div>
      {recent && recent.length > 0 && (
        <div className={css.list} data-testid="inject-recent">
          <div className={css.muted}>Recent</div>
          {recent.map((r) => (
            <button
              type="button"
              key={`${r.topic ?? ''}\u0000${r.payload}`}
              className={css.listItem}
              title="Use this payload"
              onClick={() => {
                setPayload(r.payload);
                setTopic(r.topic ?? '');
              }}
            >
              <code style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{r.payload}</code>
              {r.topic && <span className={css.muted}>{r.topic}</span>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
