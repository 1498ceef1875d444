/**
 * The open flow's deploy, as it happens and after: saving, draining the running revision, starting, waiting for the
 * nodes to connect, then what is up and what failed and why. Stays until dismissed or the next deploy.
 */
import { useDeploy } from '../state/deploy-store.js';
import { useRuntime } from '../state/runtime-store.js';
import { useWorkspace } from '../state/workspace.js';
import css from './DeployReport.module.css';

export function DeployReport() {
  const key = useWorkspace((s) => s.activeKey);
  const flowId = useWorkspace((s) => s.tabs.find((t) => t.key === s.activeKey)?.serverId);
  const report = useDeploy((s) => (key ? s.byFlow[key] : undefined));
  const runState = useRuntime((s) => (flowId ? s.flows[flowId]?.state : undefined));
  if (!report || !key) return null;
  let text: string[];
  switch (report.phase) {
    case 'saving':
      text = ['Saving…'];
      break;
    case 'deploying':
      text = [
        runState === 'stopping'
          ? `Draining revision ${report.replaces ?? ''}: its in-flight messages finish first (up to the flow's drain timeout)…`
          : runState === 'starting'
            ? 'Starting the new revision…'
            : 'Deploying…',
      ];
      break;
    case 'checking':
      text = ['Started; waiting for the nodes to connect…'];
      break;
    default:
      text = report.lines ?? [];
  }
  const busy = report.phase !== 'done';
  return (
    <div
      className={css.report}
      data-tone={busy ? 'busy' : report.tone}
      data-phase={report.phase}
      data-testid="deploy-report"
      role={report.tone === 'error' ? 'alert' : 'status'}
    >
      <div className={css.text}>
        {text.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
          <div key={i}>{line}</div>
        ))}
      </div>
      {!busy && (
        <button
          type="button"
          className={css.close}
          aria-label="Dismiss the deploy report"
          onClick={() => useDeploy.getState().set(key, undefined)}
        >
          ×
        </button>
      )}
    </div>
  );
}
