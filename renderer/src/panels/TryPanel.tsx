/**
 * Try it: send a sample message into a node of the open flow (saved or not) and see what every node downstream
 * emits. The same steps are marked on the canvas.
 */

import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { nodeDefinition } from '../model/catalog.js';
import { tryNode } from '../state/flow-actions.js';
import { useFlow } from '../state/flow-context.js';
import { type TryRun, useTry, useTryRun } from '../state/try-store.js';
import { useWorkspace } from '../state/workspace.js';
import { IconBeaker } from '../ui/icons.js';
import { JsonView } from '../ui/JsonView.js';
import css from './Bottom.module.css';
import { useRevealNode } from './reveal.js';

const SAMPLE = '{"device": "dev-1", "temp": 31.5}';

export function TryPanel() {
  const nodes = useFlow(
    useShallow((s) =>
      s.nodes.map(
        (n) => `${n.id}\u0000${n.data.name ?? nodeDefinition(n.data.type)?.title ?? n.id}\u0000${n.selected ? 1 : 0}`,
      ),
    ),
  );
  const list = useMemo(() => nodes.map((x) => x.split('\u0000')), [nodes]);
  const selected = list.find((x) => x[2] === '1')?.[0];
  const names = useMemo(() => new Map(list.map((x) => [x[0], x[1]])), [list]);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const nodeId = chosen && names.has(chosen) ? chosen : (selected ?? list[0]?.[0]);
  const [payload, setPayload] = useState(SAMPLE);
  const [topic, setTopic] = useState('sensors/dev-1');
  const result = useTryRun((r: TryRun) => r);
  const tabKey = useWorkspace((s) => s.activeKey);
  const types = useFlow(useShallow((s) => s.nodes.map((n) => `${n.id}\u0000${n.data.type}`)));
  const typeOf = useMemo(() => new Map(types.map((x) => x.split('\u0000') as [string, string])), [types]);
  const reveal = useRevealNode();

  let parsed: { ok: true; value: unknown } | { ok: false; message: string };
  try {
    parsed = { ok: true, value: JSON.parse(payload) };
  } catch (e) {
    parsed = { ok: false, message: e instanceof Error ? e.message : String(e) };
  }

  return (
    <div className={css.tryLayout} data-testid="try-panel">
      <div className={css.tryForm}>
        <label className={css.label}>
          Send into
          <select value={nodeId ?? ''} onChange={(e) => setChosen(e.target.value)} aria-label="Node to try">
            {list.map(([id, name]) => (
              <option key={id} value={id}>
                {name} ({id})
              </option>
            ))}
          </select>
        </label>
        <label className={css.label}>
          Topic
          <input type="text" value={topic} onChange={(e) => setTopic(e.target.value)} aria-label="Sample topic" />
        </label>
        <label className={css.label}>
          Payload (JSON)
          <textarea
            value={payload}
            onChange={(e) => setPayload(e.target.value)}
            aria-label="Sample payload"
            spellCheck={false}
            rows={4}
          />
        </label>
        {!parsed.ok && <div className={css.error}>Not JSON: {parsed.message}</div>}
        <div>
          <button
            type="button"
            className={`${css.button} ${css.primary}`}
            disabled={!nodeId || !parsed.ok || result.running}
            onClick={() => parsed.ok && nodeId && void tryNode(nodeId, parsed.value, topic || undefined)}
            data-testid="try-send"
          >
            <IconBeaker size={13} /> {result.running ? 'Running…' : 'Send sample'}
          </button>
          {result.steps.length > 0 && (
            <button
              type="button"
              className={css.button}
              style={{ marginLeft: 6 }}
              onClick={() => tabKey && useTry.getState().clear(tabKey)}
            >
              Clear
            </button>
          )}
        </div>
      </div>
      <div className={css.list} data-testid="try-results">
        {result.error && <div className={css.error}>{result.error}</div>}
        {!result.error && result.steps.length === 0 && !result.running && !result.nodeId && (
          <div className={css.empty}>Pick a node, edit the sample and send it. Nothing is deployed or saved.</div>
        )}
        {!result.running && result.droppedAt.length > 0 && (
          <div className={css.subhead} data-testid="try-dropped">
            {result.droppedAt
              .map((id) => {
                const title = nodeDefinition(typeOf.get(id) ?? '')?.title ?? typeOf.get(id) ?? 'node';
                const name = names.get(id);
                return `Dropped by ${title}${name && name !== title ? ` "${name}"` : ''}: it emitted nothing for this message`;
              })
              .join(' · ')}
          </div>
        )}
        {result.steps.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: steps are an ordered trace
          <div key={i} className={css.entry} data-testid="try-step">
            <div className={css.entryHead}>
              <span className={css.time}>{i + 1}</span>
              <button type="button" className={css.nodeLink} onClick={() => reveal(s.nodeId)}>
                {names.get(s.nodeId) ?? s.nodeId}
              </button>
              <span className={s.port === 'error' ? css.warn : css.topic}>→ {s.port}</span>
              {s.message.topic && <span className={css.headers}>{s.message.topic}</span>}
            </div>
            <JsonView value={s.message.payload} label="payload" />
          </div>
        ))}
        {result.delivered.length > 0 && <div className={css.subhead}>Received by sinks and debug nodes</div>}
        {result.delivered.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: an ordered trace
          <div key={`d${i}`} className={css.entry} data-testid="try-delivered">
            <div className={css.entryHead}>
              <button type="button" className={css.nodeLink} onClick={() => reveal(s.nodeId)}>
                {names.get(s.nodeId) ?? s.nodeId}
              </button>
              <span className={css.topic}>← {s.port}</span>
            </div>
            <JsonView value={s.message.payload} label="payload" />
          </div>
        ))}
      </div>
    </div>
  );
}
