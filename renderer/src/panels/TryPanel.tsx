/**
 * Try it: send a sample message into a node of the open flow (saved or not) and see what every node downstream
 * emits. The same steps are marked on the canvas. Inside an open subflow, the sample goes into its In (one of its
 * inputs) or one of its nodes, and the panel says which of its outputs it reached.
 */

import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { SUBFLOW_IN, SUBFLOW_OUT } from '../../../src/flow/index.js';
import { nodeDefinition } from '../model/catalog.js';
import { expandedNodeLabel } from '../model/subflows.js';
import { tryNode } from '../state/flow-actions.js';
import { useFlow } from '../state/flow-context.js';
import { type TryRun, useTry, useTryKey, useTryRun } from '../state/try-store.js';
import { IconBeaker } from '../ui/icons.js';
import { JsonView } from '../ui/JsonView.js';
import css from './Bottom.module.css';
import { useRevealNode } from './reveal.js';

const SAMPLE = '{"device": "dev-1", "temp": 31.5}';

/** In an open subflow: the sample goes into one of In's ports (`$in\u0000port`); nothing is sent into Out. */
const IN_PORT = `${SUBFLOW_IN}\u0001`;

export function TryPanel() {
  const nodes = useFlow(
    useShallow((s) =>
      s.nodes.flatMap((n) => {
        if (n.id === SUBFLOW_OUT) return [];
        const sel = n.selected ? 1 : 0;
        if (n.id === SUBFLOW_IN) {
          const ports = Array.isArray(n.data.config.ports) ? (n.data.config.ports as string[]) : [];
          return ports.map((p, i) => `${IN_PORT}${p}\u0000In › ${p}\u0000${sel && i === 0 ? 1 : 0}`);
        }
        return [`${n.id}\u0000${n.data.name ?? nodeDefinition(n.data.type)?.title ?? n.id}\u0000${sel}`];
      }),
    ),
  );
  const list = useMemo(() => nodes.map((x) => x.split('\u0000')), [nodes]);
  const selected = list.find((x) => x[2] === '1')?.[0];
  const names = useMemo(() => new Map(list.map((x) => [x[0], x[1]])), [list]);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const option = chosen && names.has(chosen) ? chosen : (selected ?? list[0]?.[0]);
  const [payload, setPayload] = useState(SAMPLE);
  const [topic, setTopic] = useState('sensors/dev-1');
  const result = useTryRun((r: TryRun) => r);
  const runKey = useTryKey();
  const types = useFlow(useShallow((s) => s.nodes.map((n) => `${n.id}\u0000${n.data.type}`)));
  const typeOf = useMemo(() => new Map(types.map((x) => x.split('\u0000') as [string, string])), [types]);
  const subflows = useFlow((s) => s.meta.subflows);
  const inSubflow = useFlow((s) => s.meta.subflow !== undefined);
  const reveal = useRevealNode();
  /** A node's words: its name, In's port, or for a node copied out of a subflow use `Use › Node`. */
  const nameOf = (id: string): string => {
    if (id === SUBFLOW_IN) return 'In';
    if (id === SUBFLOW_OUT) return 'Out';
    const own = names.get(id);
    if (own) return own;
    const flat = [...typeOf].map(([nid, type]) => ({ id: nid, type, name: names.get(nid) }));
    return expandedNodeLabel(id, flat, subflows, (type) => nodeDefinition(type)?.title) ?? id;
  };
  const send = () => {
    if (!parsed.ok || !option) return;
    if (option.startsWith(IN_PORT)) {
      void tryNode(SUBFLOW_IN, parsed.value, topic || undefined, option.slice(IN_PORT.length));
    } else void tryNode(option, parsed.value, topic || undefined);
  };
  const reached = result.delivered.filter((s) => s.nodeId === SUBFLOW_OUT);
  const received = result.delivered.filter((s) => s.nodeId !== SUBFLOW_OUT);

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
          <select value={option ?? ''} onChange={(e) => setChosen(e.target.value)} aria-label="Node to try">
            {list.map(([id, name]) => (
              <option key={id} value={id}>
                {id.startsWith(IN_PORT) ? name : `${name} (${id})`}
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
            disabled={!option || !parsed.ok || result.running}
            onClick={send}
            data-testid="try-send"
          >
            <IconBeaker size={13} /> {result.running ? 'Running…' : 'Send sample'}
          </button>
          {result.steps.length > 0 && (
            <button
              type="button"
              className={css.button}
              style={{ marginLeft: 6 }}
              onClick={() => runKey && useTry.getState().clear(runKey)}
            >
              Clear
            </button>
          )}
        </div>
      </div>
      <div className={css.list} data-testid="try-results">
        {result.error && <div className={css.error}>{result.error}</div>}
        {!result.error && result.steps.length === 0 && !result.running && !result.nodeId && (
          <div className={css.empty}>
            {inSubflow
              ? 'Pick In or a node of this subflow, edit the sample and send it: it runs through the subflow with its parameters’ defaults (or a use’s value where there is none). Nothing is deployed or saved.'
              : 'Pick a node, edit the sample and send it. Nothing is deployed or saved.'}
          </div>
        )}
        {!result.running && result.note && (
          <div className={css.muted} style={{ padding: '8px 12px 0' }} data-testid="try-note">
            {result.note}
          </div>
        )}
        {!result.running && reached.length > 0 && (
          <div className={css.subhead} data-testid="try-reached">
            {[...new Set(reached.map((s) => s.port))]
              .map((port) => {
                const n = reached.filter((s) => s.port === port).length;
                return `Reached the subflow's output "${port}"${n > 1 ? ` (${n} messages)` : ''}`;
              })
              .join(' · ')}
          </div>
        )}
        {!result.running && inSubflow && result.steps.length > 0 && !result.error && reached.length === 0 && (
          <div className={css.subhead} data-testid="try-reached">
            Reached no output of the subflow
          </div>
        )}
        {!result.running && result.droppedAt.length > 0 && (
          <div className={css.subhead} data-testid="try-dropped">
            {result.droppedAt
              .map((id) => {
                const title = nodeDefinition(typeOf.get(id) ?? '')?.title ?? typeOf.get(id) ?? 'node';
                const name = nameOf(id);
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
                {nameOf(s.nodeId)}
              </button>
              <span className={s.port === 'error' ? css.warn : css.topic}>→ {s.port}</span>
              {s.message.topic && <span className={css.headers}>{s.message.topic}</span>}
            </div>
            <JsonView value={s.message.payload} label="payload" />
          </div>
        ))}
        {reached.length > 0 && <div className={css.subhead}>Out of the subflow</div>}
        {reached.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: an ordered trace
          <div key={`o${i}`} className={css.entry} data-testid="try-out">
            <div className={css.entryHead}>
              <span className={css.topic}>output {s.port}</span>
            </div>
            <JsonView value={s.message.payload} label="payload" />
          </div>
        ))}
        {received.length > 0 && <div className={css.subhead}>Received by sinks and debug nodes</div>}
        {received.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: an ordered trace
          <div key={`d${i}`} className={css.entry} data-testid="try-delivered">
            <div className={css.entryHead}>
              <button type="button" className={css.nodeLink} onClick={() => reveal(s.nodeId)}>
                {nameOf(s.nodeId)}
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
