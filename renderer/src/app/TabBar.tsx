/**
 * Open flows as tabs; a dot marks unsaved changes, a marker which flows the runtime runs (or failed to start);
 * closing one with changes asks first.
 */
import { useStore } from 'zustand';
import { useRuntime } from '../state/runtime-store.js';
import { useUi } from '../state/ui-store.js';
import { type Tab, useWorkspace } from '../state/workspace.js';
import { IconClose } from '../ui/icons.js';
import css from './App.module.css';

function TabTitle({ tab }: { tab: Tab }) {
  const name = useStore(tab.store, (s) => s.meta.name);
  return <>{name || tab.serverId || 'Untitled flow'}</>;
}

/** Running: a green mark; failed to start: a red one; starting or stopping: an amber one. */
function RunMarker({ serverId }: { serverId: string | undefined }) {
  const state = useRuntime((s) => (serverId ? s.flows[serverId]?.state : undefined));
  if (state === undefined || state === 'stopped') return null;
  const label = state === 'running' ? 'running' : state === 'failed' ? 'failed to start' : state;
  return (
    <span className={css.runMark} data-state={state} title={`This flow is ${label}`} role="img" aria-label={label} />
  );
}

export function closeTab(key: string): void {
  useWorkspace.getState().close(key);
  if (useWorkspace.getState().tabs.length === 0) useWorkspace.getState().newFlow();
}

/** Closes the tab, asking first when it has unsaved changes (never lost silently). */
export function requestClose(key: string): void {
  if (useWorkspace.getState().dirty[key]) useUi.getState().setDialog({ kind: 'confirm-close', tabKey: key });
  else closeTab(key);
}

export function TabBar() {
  const tabs = useWorkspace((s) => s.tabs);
  const activeKey = useWorkspace((s) => s.activeKey);
  const dirty = useWorkspace((s) => s.dirty);
  return (
    <div className={css.tabbar} role="tablist" aria-label="Open flows">
      {tabs.map((t) => (
        <div
          key={t.key}
          role="tab"
          tabIndex={0}
          aria-selected={t.key === activeKey}
          className={css.flowTab}
          data-testid="flow-tab"
          data-dirty={dirty[t.key] ? 'yes' : 'no'}
          data-server-id={t.serverId}
          onClick={() => useWorkspace.getState().activate(t.key)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') useWorkspace.getState().activate(t.key);
          }}
          onAuxClick={(e) => {
            if (e.button === 1) requestClose(t.key);
          }}
        >
          <RunMarker serverId={t.serverId} />
          <span className={css.flowTabTitle}>
            <TabTitle tab={t} />
          </span>
          {dirty[t.key] && (
            <span className={css.dirtyDot} title="Unsaved changes" role="img" aria-label="unsaved changes" />
          )}
          <button
            type="button"
            className={css.closeTab}
            aria-label="Close flow"
            onClick={(e) => {
              e.stopPropagation();
              requestClose(t.key);
            }}
          >
            <IconClose size={12} />
          </button>
        </div>
      ))}
      <button
        type="button"
        className={css.newTab}
        onClick={() => useWorkspace.getState().newFlow()}
        aria-label="New flow"
        title="New flow"
      >
        +
      </button>
    </div>
  );
}
