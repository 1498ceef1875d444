/** The bottom panel: debug messages, try-it results and the problems list. */

import type { PointerEvent } from 'react';
import { useDebug } from '../state/debug-store.js';
import { useFlow } from '../state/flow-context.js';
import { useRuntime } from '../state/runtime-store.js';
import { type BottomTab, useUi } from '../state/ui-store.js';
import { IconChevron } from '../ui/icons.js';
import css from './Bottom.module.css';
import { DebugPanel } from './DebugPanel.js';
import { ProblemsPanel } from './ProblemsPanel.js';
import { RuntimePanel } from './RuntimePanel.js';
import tabs from './Tabs.module.css';
import { TopicsPanel } from './TopicsPanel.js';
import { TryPanel } from './TryPanel.js';

/** Drag the panel's top edge to resize it. */
function ResizeHandle() {
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const startY = e.clientY;
    const startH = useUi.getState().bottomHeight;
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    const move = (ev: globalThis.PointerEvent) => useUi.getState().setBottomHeight(startH + startY - ev.clientY);
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };
  return (
    <div className={css.resize} onPointerDown={onPointerDown} data-testid="bottom-resize" title="Drag to resize" />
  );
}

function Body({ tab }: { tab: BottomTab }) {
  if (tab === 'debug') return <DebugPanel />;
  if (tab === 'try') return <TryPanel />;
  if (tab === 'runtime') return <RuntimePanel />;
  if (tab === 'topics') return <TopicsPanel />;
  return <ProblemsPanel />;
}

export function BottomPanel() {
  const bottom = useUi((s) => s.bottom);
  const open = useUi((s) => s.bottomOpen);
  const show = useUi((s) => s.showBottom);
  const errorCount = useFlow((s) => s.problems.length);
  const debugCount = useDebug((s) => s.entries.length);
  const height = useUi((s) => s.bottomHeight);
  const runningCount = useRuntime((s) => Object.values(s.flows).filter((f) => f.state === 'running').length);
  const tab = (id: typeof bottom, label: string, count?: number, error?: boolean) => (
    <button
      type="button"
      role="tab"
      aria-selected={open && bottom === id}
      className={tabs.tab}
      onClick={() => (open && bottom === id ? useUi.getState().toggleBottom() : show(id))}
    >
      {label}
      {count !== undefined && count > 0 && (
        <span className={`${tabs.count} ${error ? tabs.countError : ''}`}>{count}</span>
      )}
    </button>
  );
  return (
    <section className={css.bottom} style={open ? { height } : undefined} aria-label="Debug and try-it">
      {open && <ResizeHandle />}
      <div className={tabs.tabs} role="tablist">
        {tab('debug', 'Debug', debugCount)}
        {tab('try', 'Try it')}
        {tab('problems', 'Problems', errorCount, true)}
        {tab('runtime', 'Runtime', runningCount)}
        {tab('topics', 'Topics')}
        <span className={tabs.spacer} />
        <button
          type="button"
          className={css.collapse}
          onClick={() => useUi.getState().toggleBottom()}
          aria-label={open ? 'Collapse panel' : 'Expand panel'}
        >
          <IconChevron size={14} style={{ transform: open ? 'rotate(90deg)' : 'rotate(-90deg)' }} />
        </button>
      </div>
      {open && <Body tab={bottom} />}
    </section>
  );
}
