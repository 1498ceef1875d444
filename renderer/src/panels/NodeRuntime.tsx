/**
 * The selected node in the running flow: its status (state and why), counters and last failure, with a way to see
 * its failed messages in the debug panel. Shown only while the runtime runs the open flow.
 */
import { useContext } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useDebug } from '../state/debug-store.js';
import { LiveContext } from '../state/flow-context.js';
import { useRuntime } from '../state/runtime-store.js';
import { useUi } from '../state/ui-store.js';
import css from './Panel.module.css';

const COUNTERS = [
  ['in', 'In'],
  ['out', 'Out'],
  ['dropped', 'Dropped'],
  ['failed', 'Failed'],
  ['inFlight', 'In flight'],
  ['acked', 'Acked'],
  ['nacked', 'Nacked'],
  ['retries', 'Retries'],
] as const;

export function NodeRuntime({ id }: { id: string }) {
  const live = useContext(LiveContext);
  const { status, counters, lastFailure } = useRuntime(
    useShallow((s) => {
      const run = live === undefined ? undefined : s.flows[live];
      return { status: run?.statuses[id], counters: run?.counters[id], lastFailure: run?.lastFailures[id] };
    }),
  );
  if (live === undefined) return null;
  return (
    <div data-testid="node-runtime">
      <div className={css.section}>Running</div>
      <div className={css.runtimeState} data-state={status?.state ?? 'idle'} data-testid="node-runtime-status">
        <strong>{status?.state ?? 'not started'}</strong>
        {status?.reason ? `: ${status.reason}` : ''}
      </div>
      {counters && (
        <dl className={css.counterGrid} data-testid="node-runtime-counters">
          {COUNTERS.filter(([k]) => counters[k] !== undefined).map(([k, label]) => (
            <div key={k}>
              <dt>{label}</dt>
              <dd data-counter={k}>{counters[k]}</dd>
            </div>
          ))}
        </dl>
      )}
      {lastFailure && (
        <div className={css.problem} data-testid="node-last-failure">
          <div>
            Last failure at {new Date(lastFailure.time).toLocaleTimeString([], { hour12: false })}: {lastFailure.reason}
          </div>
          <button
            type="button"
            className={css.button}
            style={{ marginTop: 6 }}
            onClick={() => {
              useDebug.getState().setFilter(id);
              useUi.getState().showBottom('debug');
            }}
          >
            Show its failed messages
          </button>
        </div>
      )}
    </div>
  );
}
