/** The bottom panel: debug messages, try-it results and the problems list. */

import { useDebug } from '../state/debug-store';
import { useFlow } from '../state/flow-context';
import { useUi } from '../state/ui-store';
import { IconChevron } from '../ui/icons';
import css from './Bottom.module.css';
import { DebugPanel } from './DebugPanel';
import { ProblemsPanel } from './ProblemsPanel';
import tabs from './Tabs.module.css';
import { TryPanel } from './TryPanel';

export function BottomPanel() {
  const bottom = useUi((s) => s.bottom);
  const open = useUi((s) => s.bottomOpen);
  const show = useUi((s) => s.showBottom);
  const errorCount = useFlow((s) => s.problems.length);
  const debugCount = useDebug((s) => s.entries.length);
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
    <section className={`${css.bottom} ${open ? css.open : ''}`} aria-label="Debug and try-it">
      <div className={tabs.tabs} role="tablist">
        {tab('debug', 'Debug', debugCount)}
        {tab('try', 'Try it')}
        {tab('problems', 'Problems', errorCount, true)}
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
      {open && (bottom === 'debug' ? <DebugPanel /> : bottom === 'try' ? <TryPanel /> : <ProblemsPanel />)}
    </section>
  );
}
