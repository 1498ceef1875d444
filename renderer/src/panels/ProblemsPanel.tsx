/** Every problem in the open flow, as `sluice validate` reports them; clicking one shows its node. */
import type { Problem } from '../../../src/flow/index.js';
import { useFlow } from '../state/flow-context.js';
import { useUi } from '../state/ui-store.js';
import css from './Bottom.module.css';
import panel from './Panel.module.css';
import { ProblemList } from './ProblemList.js';
import { useRevealNode } from './reveal.js';

export function ProblemsPanel() {
  const problems = useFlow((s) => s.problems);
  const reveal = useRevealNode();
  const pick = (p: Problem) => {
    if (p.nodeId) reveal(p.nodeId);
    else if (p.connectionId) useUi.getState().setOpenConnection(p.connectionId);
  };
  return (
    <div className={css.list} style={{ padding: 12 }}>
      {problems.length === 0 ? (
        <div className={panel.ok}>No problems: this flow is valid.</div>
      ) : (
        <ProblemList problems={problems} onPick={pick} showWhere />
      )}
    </div>
  );
}
