/**
 * The topic browser: pick an MQTT connection of this (saved) flow and a filter, and see the broker's topics as a
 * tree with message rates and the last value of each (JSON, text or Sparkplug B, decoded by the server). The
 * subscription exists only while the panel shows it. Drag a topic (or a branch) onto the canvas for an mqtt-in.
 */
import { type DragEvent, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/client.js';
import { type BrowseView, browseApi, type TopicView } from '../api/mqtt-browse.js';
import { TOPIC_MIME, type TopicDrag } from '../canvas/topic-drop.js';
import { useFlow } from '../state/flow-context.js';
import { useWorkspace } from '../state/workspace.js';
import css from './Bottom.module.css';
import tc from './TopicsPanel.module.css';
import { preview, treeRows } from './topic-tree.js';

const POLL_MS = 1000;

function codecOf(path: string, topic: TopicView | undefined): TopicDrag['codec'] {
  if (path.startsWith('spBv1.0/') || topic?.format === 'sparkplug') return 'sparkplug';
  if (topic?.format === 'text' || topic?.format === 'bytes') return topic.format;
  return 'json';
}

function message(err: unknown): string {
  return err instanceof ApiError || err instanceof Error ? err.message : String(err);
}

export function TopicsPanel() {
  const all = useFlow((s) => s.connections);
  const connections = useMemo(() => all.filter((c) => c.kind === 'mqtt'), [all]);
  const serverId = useWorkspace((s) => s.tab(s.activeKey)?.serverId);
  const dirty = useWorkspace((s) => (s.activeKey ? s.dirty[s.activeKey] : false));
  const [connection, setConnection] = useState<string | undefined>(connections[0]?.id);
  const [filter, setFilter] = useState('#');
  const [session, setSession] = useState<string>();
  const [view, setView] = useState<BrowseView>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<string>();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const chosen = connections.some((c) => c.id === connection) ? connection : connections[0]?.id;

  // Poll while subscribed; the subscription ends when the panel closes, the flow changes or Stop is pressed.
  useEffect(() => {
    if (!session) return;
    let live = true;
    const tick = async () => {
      try {
        const v = await browseApi.view(session);
        if (live) setView(v);
      } catch (err) {
        if (live) {
          setError(message(err));
          setSession(undefined);
        }
      }
    };
    void tick();
    const timer = setInterval(tick, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
      browseApi.close(session).catch(() => undefined);
    };
  }, [session]);

  // Another flow (tab) has other connections: stop browsing this one's.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the flow's id is the trigger
  useEffect(() => setSession(undefined), [serverId]);

  const start = async () => {
    setError(undefined);
    if (!serverId || !chosen) return;
    try {
      const { id } = await browseApi.open(serverId, chosen, filter.trim() || '#');
      setView(undefined);
      setSelected(undefined);
      setSession(id);
    } catch (err) {
      setError(message(err));
    }
  };

  const rows = useMemo(() => (view ? treeRows(view.topics, collapsed) : []), [view, collapsed]);
  const picked = view?.topics.find((t) => t.topic === selected);
  const toggle = (path: string) => {
    const next = new Set(collapsed);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    setCollapsed(next);
  };
  const onDragStart = (e: DragEvent, path: string, topic: TopicView | undefined) => {
    if (!chosen) return;
    const drag: TopicDrag = { connection: chosen, filter: topic ? path : `${path}/#`, codec: codecOf(path, topic) };
    e.dataTransfer.setData(TOPIC_MIME, JSON.stringify(drag));
    e.dataTransfer.effectAllowed = 'copy';
  };

  let note: string | undefined;
  if (connections.length === 0) note = 'This flow has no MQTT connection: add one in Connections to browse its broker.';
  else if (!serverId) note = 'Save the flow first: the browser uses the saved connection settings.';
  else if (dirty) note = 'Unsaved changes: the browser uses the connection as last saved.';

  return (
    <div className={css.body} data-testid="topics-panel">
      <div className={css.toolbar}>
        <select
          aria-label="MQTT connection"
          value={chosen ?? ''}
          onChange={(e) => setConnection(e.target.value)}
          disabled={!!session || connections.length === 0}
        >
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name ?? c.id}
            </option>
          ))}
        </select>
        <input
          aria-label="Topic filter"
          className={tc.filter}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          disabled={!!session}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !session) void start();
          }}
        />
        {session ? (
          <button type="button" className={css.button} onClick={() => setSession(undefined)}>
            Stop
          </button>
        ) : (
          <button
            type="button"
            className={`${css.button} ${css.primary}`}
            onClick={() => void start()}
            disabled={!serverId || !chosen}
          >
            Browse
          </button>
        )}
        {view && (
          <span className={css.muted} data-testid="topics-summary">
            {view.connected ? '' : 'reconnecting · '}
            {view.topics.length} topics · {view.messages} messages
            {view.untrackedTopics > 0 ? ` · ${view.untrackedTopics} more not tracked (limit)` : ''}
          </span>
        )}
        <span className={css.spacer} />
        {session && <span className={css.muted}>Drag a topic onto the canvas for an MQTT in node</span>}
      </div>
      {note && <div className={css.empty}>{note}</div>}
      {error && (
        <div className={css.error} role="alert" data-testid="topics-error">
          {error}
        </div>
      )}
      <div className={tc.layout}>
        <div className={tc.tree} role="tree" aria-label="Topics">
          {session && view && rows.length === 0 && (
            <div className={css.empty}>No messages yet under {view.filter}.</div>
          )}
          {rows.map((r) => (
            <div
              key={r.path}
              role="treeitem"
              aria-selected={selected === r.path}
              aria-expanded={r.hasChildren ? !collapsed.has(r.path) : undefined}
              tabIndex={-1}
              className={`${tc.row} ${selected === r.path ? tc.selected : ''}`}
              style={{ paddingLeft: 8 + r.depth * 14 }}
              data-testid="topic-row"
              data-topic={r.path}
              draggable
              onDragStart={(e) => onDragStart(e, r.path, r.topic)}
              onClick={() => (r.topic ? setSelected(r.path) : toggle(r.path))}
              onKeyDown={(e) => {
                if (e.key === 'Enter') toggle(r.path);
              }}
            >
              {r.hasChildren ? (
                <button
                  type="button"
                  className={tc.twisty}
                  onClick={(e) => {
                    e.stopPropagation();
                    toggle(r.path);
                  }}
                >
                  {collapsed.has(r.path) ? '▸' : '▾'}
                </button>
              ) : (
                <span className={tc.twisty} />
              )}
              <span className={tc.name}>{r.name || '(empty level)'}</span>
              <span className={tc.rate} data-testid="topic-rate" title="messages per second">
                {r.rate > 0 ? `${r.rate}/s` : ''}
              </span>
              {r.topic ? (
                <>
                  <span className={tc.count} data-testid="topic-count">
                    {r.topic.count}
                  </span>
                  <span className={tc.value} data-testid="topic-value" data-format={r.topic.format}>
                    {preview(r.topic)}
                  </span>
                </>
              ) : (
                <span className={tc.value}>
                  {r.topics} topic{r.topics === 1 ? '' : 's'}
                </span>
              )}
            </div>
          ))}
        </div>
        {picked && (
          <div className={tc.detail} data-testid="topic-detail">
            <div className={tc.detailHead}>
              <strong>{picked.topic}</strong>
              <span className={css.muted}>
                {' '}
                {picked.format} · {picked.size} bytes{picked.retained ? ' · retained' : ''}
                {picked.truncated ? ' · cut' : ''} · {new Date(picked.lastAt).toLocaleTimeString()}
              </span>
            </div>
            <pre className={tc.pre}>
              {(typeof picked.value === 'string' ? picked.value : JSON.stringify(picked.value, null, 2)).slice(
                0,
                20_000,
              )}
            </pre>
          </div>
        )}
      </div>
    </div>
  );
}
