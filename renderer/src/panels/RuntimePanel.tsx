/**
 * Every flow the runtime knows: its state, the revision that runs, message counts and the last deploy error. Open
 * a flow from here, or stop one (the others keep running).
 */
import type { Counters } from '../api/types.js';
import { openFromServer, stop } from '../state/flow-actions.js';
import { type FlowRun, isActive, useRuntime } from '../state/runtime-store.js';
import css from './Bottom.module.css';

/** Totals over a flow's nodes: what its sources took in, settled and failed. */
function totals(counters: Record<string, Counters>) {
  let ingested = 0;
  let acked = 0;
  let nacked = 0;
  let failed = 0;
  let inFlight = 0;
  for (const c of Object.values(counters)) {
    failed += c.failed;
    if (c.acked === undefined) continue; // not a source
    ingested += c.out;
    acked += c.acked;
    nacked += c.nacked ?? 0;
    inFlight += c.inFlight;
  }
  return { ingested, acked, nacked, failed, inFlight };
}

const STATE_TEXT: Record<FlowRun['state'], string> = {
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  failed: 'failed to start',
};

export function RuntimePanel() {
  const flows = useRuntime((s) => s.flows);
  const ids = Object.keys(flows).sort();
  return (
    <div className={css.body} data-testid="runtime-list">
      <div className={css.list}>
        {ids.length === 0 && <div className={css.empty}>No flow has been deployed since the server started.</div>}
        {ids.length > 0 && (
          <table className={css.runtimeTable}>
            <thead>
              <tr>
                <th>Flow</th>
                <th>State</th>
                <th>Revision</th>
                <th title="Messages its sources took in">In</th>
                <th title="Settled: acknowledged to their source">Acked</th>
                <th title="Handed back to their source for redelivery">Nacked</th>
                <th title="Node failures">Failed</th>
                <th title="In flight now">In flight</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {ids.map((id) => {
                const run = flows[id] as FlowRun;
                const t = totals(run.counters);
                return (
                  <tr key={id} data-testid="runtime-row" data-flow-id={id} data-state={run.state}>
                    <td>
                      <button type="button" className={css.nodeLink} onClick={() => void openFromServer(id)}>
                        {run.name || id}
                      </button>
                    </td>
                    <td data-testid="runtime-row-state">
                      {STATE_TEXT[run.state]}
                      {run.error && (
                        <span className={css.error} title={run.error}>
                          {' '}
                          · {run.error}
                        </span>
                      )}
                    </td>
                    <td>{run.revision ?? '–'}</td>
                    <td data-testid="runtime-row-in">{t.ingested}</td>
                    <td>{t.acked}</td>
                    <td>{t.nacked}</td>
                    <td>{t.failed}</td>
                    <td>{t.inFlight}</td>
                    <td>
                      {isActive(run) && (
                        <button type="button" className={css.button} onClick={() => void stop(id)}>
                          Stop
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
