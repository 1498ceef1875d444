/**
 * Messages that reached debug nodes and messages that failed (node, reason, what became of them): time, node, topic,
 * headers and a collapsible payload. Scoped to the open flow, or every flow; filter by node or failures only; pause
 * the view while the flow keeps running; at most MAX_ENTRIES kept.
 */
import { useMemo, useState } from 'react';
import type { DebugEntry } from '../api/types.js';
import { nodeDefinition } from '../model/catalog.js';
import { expandedNodeLabel } from '../model/subflows.js';
import { entryKey, FAILURES_ONLY, MAX_ENTRIES, useDebug } from '../state/debug-store.js';
import { useFlow } from '../state/flow-context.js';
import { isActive, useRuntime } from '../state/runtime-store.js';
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

/** What became of a failed message, in words. */
export const FATE_TEXT: Record<NonNullable<DebugEntry['failure']>['fate'], string> = {
  'error-port': 'sent to the error port',
  'error-route': "sent to the flow's error route",
  redelivered: 'not acknowledged: the source redelivers it',
  acknowledged: 'acknowledged without delivery (onError "ack")',
  dropped: 'dropped (acknowledged, not redelivered); add an error route to keep such messages',
};

export function DebugPanel() {
  const entries = useDebug((s) => s.entries);
  const paused = useDebug((s) => s.paused);
  const pending = useDebug((s) => s.pending);
  const dropped = useDebug((s) => s.dropped);
  const chosen = useDebug((s) => s.filter);
  const scope = useDebug((s) => s.scope);
  const nodes = useFlow((s) => s.nodes);
  const reveal = useRevealNode();
  const subflows = useFlow((s) => s.meta.subflows);
  const names = useMemo(() => {
    const byId = new Map(nodes.map((n) => [n.id, n.data.name ?? nodeDefinition(n.data.type)?.title ?? n.id]));
    // A node inside a subflow reports as `use:node`: name it by the use and the node inside.
    const flat = nodes.map((n) => ({ id: n.id, type: n.data.type, name: n.data.name }));
    return {
      get: (id: string) => byId.get(id) ?? expandedNodeLabel(id, flat, subflows, (type) => nodeDefinition(type)?.title),
    };
  }, [nodes, subflows]);
  const flowId = useWorkspace((s) => s.tabs.find((t) => t.key === s.activeKey)?.serverId);
  const running = useRuntime((s) => (flowId ? isActive(s.flows[flowId]) : false));
  const inScope = useMemo(
    () => (scope === 'all' ? entries : entries.filter((e) => e.flowId === undefined || e.flowId === flowId)),
    [entries, scope, flowId],
  );
  // Debug nodes of this flow, and every node a message failed at (in the entries in scope).
  const filterNodes = useMemo(() => {
    const ids = new Set(nodes.filter((n) => n.data.type === 'debug').map((n) => n.id));
    for (const e of inScope) if (e.failure) ids.add(e.nodeId);
    return [...ids];
  }, [nodes, inScope]);
  // A node filter chosen in another flow (or for a node since removed) does not hide this flow's messages.
  const filter = chosen === FAILURES_ONLY || (chosen && filterNodes.includes(chosen)) ? chosen : undefined;
  // A large flow has a debug node per chain: an option each would be most of the page's elements on open. The list is
  // built when the pointer or the focus comes to the select, before it can open; until then it holds the choice.
  const [listed, setListed] = useState(false);
  const listNodes = () => setListed(true);
  const optionIds = listed ? filterNodes : filter && filter !== FAILURES_ONLY ? [filter] : [];
  const shown = useMemo(() => {
    const list =
      filter === FAILURES_ONLY
        ? inScope.filter((e) => e.failure)
        : filter
          ? inScope.filter((e) => e.nodeId === filter)
          : inScope;
    return list.slice().reverse();
  }, [inScope, filter]);
  const failures = useMemo(() => inScope.filter((e) => e.failure).length, [inScope]);

  const empty = paused
    ? 'Paused.'
    : scope === 'flow' && !flowId
      ? 'This flow is not saved or deployed yet: deploy it to see what reaches its debug nodes and what fails.'
      : scope === 'flow' && !running
        ? 'This flow is not running. Deploy it to see what reaches its debug nodes and which messages fail (with why).'
        : 'No message has reached a debug node or failed yet. Double-click a wire to watch its messages here.';

  return (
    <div className={css.body} data-testid="debug-panel">
      <div className={css.toolbar}>
        <select
          aria-label="Which flows"
          value={scope}
          onChange={(e) => useDebug.getState().setScope(e.target.value === 'all' ? 'all' : 'flow')}
        >
          <option value="flow">This flow</option>
          <option value="all">All flows</option>
        </select>
        <select
          aria-label="Filter by node"
          value={filter ?? ''}
          onPointerEnter={listNodes}
          onPointerDown={listNodes}
          onFocus={listNodes}
          onChange={(e) => useDebug.getState().setFilter(e.target.value || undefined)}
        >
          <option value="">All messages</option>
          <option value={FAILURES_ONLY}>Failed messages only</option>
          {optionIds.map((id) => (
            <option key={id} value={id}>
              {names.get(id) ?? id}
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
          {shown.length} shown{failures ? ` · ${failures} failed` : ''} · newest {MAX_ENTRIES} kept
          {dropped ? ` · ${dropped} not sent by the server (rate limit)` : ''}
        </span>
      </div>
      <div className={css.list}>
        {shown.length === 0 && (
          <div className={css.empty} data-testid="debug-empty">
            {empty}
          </div>
        )}
        {shown.map((e) => (
          <div
            key={entryKey(e)}
            className={`${css.entry} ${e.failure ? css.failedEntry : e.tap ? css.tapEntry : ''}`}
            data-testid={e.failure ? 'debug-failure' : e.tap ? 'debug-tap' : 'debug-entry'}
          >
            <div className={css.entryHead}>
              <span className={css.time}>{clock(e.time)}</span>
              {scope === 'all' && e.flowId && <span className={css.muted}>{e.flowId}</span>}
              {e.failure && <span className={css.failedTag}>failed at</span>}
              {e.tap && <span className={css.tapTag}>wire from</span>}
              <button
                type="button"
                className={css.nodeLink}
                onClick={() => (e.flowId === undefined || e.flowId === flowId ? reveal(e.nodeId) : undefined)}
              >
                {e.flowId === undefined || e.flowId === flowId ? (names.get(e.nodeId) ?? e.nodeId) : e.nodeId}
              </button>
              {e.tap && (
                <span className={css.tapTag}>
                  → {e.tap.port}
                  {e.tap.skipped ? ` (${e.tap.skipped} not sampled)` : ''}
                </span>
              )}
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
            {e.failure && (
              <div className={css.failureText} data-testid="failure-reason">
                {e.failure.reason} <span className={css.muted}>— {FATE_TEXT[e.failure.fate]}</span>
              </div>
            )}
            <JsonView value={e.payload} label="payload" />
          </div>
        ))}
      </div>
    </div>
  );
}
