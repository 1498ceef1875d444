/**
 * Messages that reached debug nodes: time, node, topic, headers and a collapsible payload. Filter by node; pause the
 * view while the flow keeps running; at most MAX_ENTRIES kept.
 */
import { useMemo } from 'react';
import { nodeDefinition } from '../model/catalog.js';
import { MAX_ENTRIES, useDebug } from '../state/debug-store.js';
import { useFlow } from '../state/flow-context.js';
import { useWorkspace } from '../state/workspace.js';
import { IconPause, IconPlay, IconTrash } from '../ui/icons.js';
import { JsonView } from '../ui/JsonView.js';
import css from './Bottom.module.css';
import { useRevealNode } from './reveal.js';

function clock(time: number | string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return String(time);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function DebugPanel() {
  const entries = useDebug((s) => s.entries);
  const paused = useDebug((s) => s.paused);
  const pending = useDebug((s) => s.pending);
  const dropped = useDebug((s) => s.dropped);
  const filter = useDebug((s) => s.filter);
  const nodes = useFlow((s) => s.nodes);
  const reveal = useRevealNode();
  const debugNodes = useMemo(() => nodes.filter((n) => n.data.type === 'debug'), [nodes]);
  const names = useMemo(
    () => new Map(nodes.map((n) => [n.id, n.data.name ?? nodeDefinition(n.data.type)?.title ?? n.id])),
    [nodes],
  );
  // Only this flow's entries: the runtime runs other flows whose debug nodes may share ids with this one's.
  const flowId = useWorkspace((s) => s.tabs.find((t) => t.key === s.activeKey)?.serverId);
  const shown = useMemo(() => {
    const mine = entries.filter((e) => e.flowId === undefined || e.flowId === flowId);
    const list = filter ? mine.filter((e) => e.nodeId === filter) : mine;
    return list.slice().reverse();
  }, [entries, filter, flowId]);

  return (
    <div className={css.body} data-testid="debug-panel">
      <div className={css.toolbar}>
        <select
          aria-label="Filter by node"
          value={filter ?? ''}
          onChange={(e) => useDebug.getState().setFilter(e.target.value || undefined)}
        >
          <option value="">All debug nodes</option>
          {debugNodes.map((n) => (
            <option key={n.id} value={n.id}>
              {names.get(n.id)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className={css.button}
          onClick={() => useDebug.getState().setPaused(!paused)}
          aria-pressed={paused}
          data-testid="debug-pause"
          title="Pause the view; the flow keeps running"
        >
          {paused ? <IconPlay size={12} /> : <IconPause size={12} />}
          {paused ? `Resume${pending ? ` (${pending} new)` : ''}` : 'Pause'}
        </button>
        <button type="button" className={css.button} onClick={() => useDebug.getState().clear()}>
          <IconTrash size={13} /> Clear
        </button>
        <span className={css.spacer} />
        <span className={css.muted}>
          {shown.length} shown · newest {MAX_ENTRIES} kept{dropped ? ` · ${dropped} dropped by the server` : ''}
        </span>
      </div>
      <div className={css.list}>
        {shown.length === 0 && (
          <div className={css.empty}>
            {paused ? 'Paused.' : 'Messages that reach debug nodes appear here once the flow is deployed.'}
          </div>
        )}
        {shown.map((e) => (
          <div key={`${e.flowId}:${e.nodeId}:${e.seq}`} className={css.entry} data-testid="debug-entry">
            <div className={css.entryHead}>
              <span className={css.time}>{clock(e.time)}</span>
              <button type="button" className={css.nodeLink} onClick={() => reveal(e.nodeId)}>
                {names.get(e.nodeId) ?? e.nodeId}
              </button>
              {e.topic && <span className={css.topic}>{e.topic}</span>}
              {e.headers && Object.keys(e.headers).length > 0 && (
                <span
                  className={css.headers}
                  title={Object.entries(e.headers)
                    .map(([k, v]) => `${k}: ${v}`)
                    .join('\n')}
                >
                  {Object.entries(e.headers)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')}
                </span>
              )}
              {e.truncated && <span className={css.warn}>truncated</span>}
            </div>
            <JsonView value={e.payload} label="payload" />
          </div>
        ))}
      </div>
    </div>
  );
}
