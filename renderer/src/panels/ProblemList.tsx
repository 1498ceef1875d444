/** Problems as the validator words them (message, fix, where); clicking one selects its node. */
import type { Problem } from '../../../src/flow/index.js';
import css from './Panel.module.css';

export function ProblemList({
  problems,
  onPick,
  showWhere,
}: {
  problems: readonly Problem[];
  onPick?: (p: Problem) => void;
  showWhere?: boolean;
}) {
  if (problems.length === 0) return null;
  return (
    <ul className={css.problems} data-testid="problems">
      {problems.map((p, i) => {
        const cls = `${css.problem} ${p.severity === 'error' ? '' : p.severity === 'info' ? css.problemInfo : css.problemWarn}`;
        const body = (
          <>
            <span>{p.message}</span>
            {p.hint && <span className={css.problemHint}>Fix: {p.hint}</span>}
            {showWhere && (p.nodeId || p.connectionId || p.path) && (
              <span className={css.problemWhere}>
                {p.nodeId ? `node ${p.nodeId} ` : ''}
                {p.connectionId ? `connection ${p.connectionId} ` : ''}
                {p.path}
              </span>
            )}
          </>
        );
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
          <li key={i}>
            {onPick ? (
              <button type="button" className={cls} onClick={() => onPick(p)} style={{ width: '100%' }}>
                {body}
              </button>
            ) : (
              <div className={cls}>{body}</div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
