/**
 * The flow's connections (brokers, databases): list, add by kind, edit with a form from the kind's schema in the
 * catalog, remove (with the nodes that use it named). Nodes reference them by id.
 */
import { useCallback, useContext, useMemo } from 'react';
import { CONNECTION_CONFIG_PATH, placeProblems } from '../forms/errors.js';
import { LazySchemaForm as SchemaForm } from '../forms/LazySchemaForm.js';
import { RichText } from '../forms/templates.js';
import { catalog, connectionKind } from '../model/catalog.js';
import { connectionState } from '../model/connection-state.js';
import { toFlowNode } from '../model/convert.js';
import { jsonEqual } from '../model/equal.js';
import { referencedConnections } from '../model/fragment.js';
import { LiveContext, useFlow, useFlowStore } from '../state/flow-context.js';
import { useRuntime } from '../state/runtime-store.js';
import { useUi } from '../state/ui-store.js';
import { IconPlug, IconTrash } from '../ui/icons.js';
import css from './Panel.module.css';
import { ProblemList } from './ProblemList.js';

export function ConnectionsPanel() {
  const store = useFlowStore();
  const connections = useFlow((s) => s.connections);
  const nodes = useFlow((s) => s.nodes);
  const byConnection = useFlow((s) => s.problemsByConnection);
  const openId = useUi((s) => s.openConnection);
  const setOpen = useUi((s) => s.setOpenConnection);
  const open = connections.find((c) => c.id === openId);
  const kind = open ? connectionKind(open.kind) : undefined;
  const usersOf = useMemo(() => {
    const by = new Map<string, Array<{ id: string; name?: string }>>();
    for (const n of nodes) {
      for (const c of referencedConnections(toFlowNode(n))) {
        by.set(c, [...(by.get(c) ?? []), { id: n.id, name: n.data.name }]);
      }
    }
    return by;
  }, [nodes]);
  const users = open ? (usersOf.get(open.id) ?? []) : [];
  const live = useContext(LiveContext);
  const fromId = useUi((s) => s.connectionFrom);
  const fromNode = useFlow((s) => (fromId ? s.nodes.find((n) => n.id === fromId) : undefined));
  const statuses = useRuntime((s) => (live ? s.flows[live]?.statuses : undefined));
  const placed = placeProblems(open ? byConnection[open.id] : undefined, CONNECTION_CONFIG_PATH, kind?.config);

  const onConfig = useCallback(
    (config: Record<string, unknown>) => {
      if (!openId) return;
      const cur = store.getState().connections.find((c) => c.id === openId)?.config;
      if (jsonEqual(cur, config)) return;
      store.getState().updateConnection(openId, { config });
    },
    [store, openId],
  );

  return (
    <div className={css.scroll} data-testid="connections-panel">
      {fromNode && (
        <button
          type="button"
          className={css.button}
          style={{ marginBottom: 8 }}
          data-testid="back-to-node"
          onClick={() => {
            useUi.setState({ connectionFrom: undefined });
            useUi.getState().setSide('properties');
          }}
        >
          ← Back to {fromNode.data.name ?? fromNode.id}
        </button>
      )}
      <div className={css.kind}>Connections</div>
      <p className={css.summary} style={{ marginTop: 6 }}>
        Brokers and databases that nodes share. Secrets are references like <code>{'${env:NAME}'}</code>, never stored.
      </p>
      <div className={css.list}>
        {connections.map((c) => (
          <button
            type="button"
            key={c.id}
            className={`${css.listItem} ${c.id === openId ? css.listItemActive : ''}`}
            onClick={() => setOpen(c.id)}
          >
            <IconPlug size={14} />
            <span style={{ flex: 1, minWidth: 0 }}>
              <strong>{c.name ?? c.id}</strong>{' '}
              <span className={css.muted}>{connectionKind(c.kind)?.title ?? c.kind}</span>
              {live && (
                <span
                  className={css.connState}
                  data-state={connectionState(usersOf.get(c.id) ?? [], statuses).state}
                  data-testid={`connection-state-${c.id}`}
                >
                  {connectionState(usersOf.get(c.id) ?? [], statuses).text}
                </span>
              )}
            </span>
            {byConnection[c.id]?.length ? (
              <span style={{ color: 'var(--danger)' }}>{byConnection[c.id].length} problem(s)</span>
            ) : null}
          </button>
        ))}
        {connections.length === 0 && <div className={css.muted}>This flow has no connections yet.</div>}
      </div>
      {catalog.connections.length > 0 ? (
        <div className={css.row} style={{ flexWrap: 'wrap' }}>
          {catalog.connections.map((k) => (
            <button
              type="button"
              key={k.kind}
              className={css.button}
              onClick={() => setOpen(store.getState().addConnection(k.kind))}
            >
              + {k.title}
            </button>
          ))}
        </div>
      ) : (
        <div className={css.muted}>No connection kinds are installed.</div>
      )}
      {open && (
        <>
          <div className={css.section}>{kind?.title ?? open.kind}</div>
          {kind && (
            <p className={css.summary}>
              <RichText text={kind.summary} />
            </p>
          )}
          <div className={css.field}>
            <label htmlFor="connection-name">Name</label>
            <input
              id="connection-name"
              type="text"
              value={open.name ?? ''}
              placeholder={open.id}
              onChange={(e) => store.getState().updateConnection(open.id, { name: e.target.value || undefined })}
            />
            <div className={css.idRow}>
              id <code>{open.id}</code> · used by{' '}
              {users.length ? users.map((u) => u.name ?? u.id).join(', ') : 'no node'}
            </div>
          </div>
          <ProblemList problems={placed.general} />
          {kind ? (
            <SchemaForm
              idPrefix={`conn-${open.id}`}
              schema={kind.config}
              value={open.config}
              errors={placed.errorSchema}
              onChange={onConfig}
            />
          ) : (
            <p className={css.muted}>Unknown connection kind "{open.kind}".</p>
          )}
          <div style={{ marginTop: 16 }}>
            <button
              type="button"
              className={`${css.button} ${css.dangerButton}`}
              onClick={() => {
                store.getState().removeConnection(open.id);
                setOpen(undefined);
              }}
              title={users.length ? 'Nodes still use it: they will show a problem until pointed elsewhere' : undefined}
            >
              <IconTrash size={14} /> Remove connection
            </button>
          </div>
        </>
      )}
    </div>
  );
}
