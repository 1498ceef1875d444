/**
 * Problems in the form's words (labels and positions, each once), with the node or connection they belong to; the
 * JSON pointer the CLI and API print is kept in the tooltip. Clicking one selects its node.
 */
import { useCallback } from 'react';
import type { Problem } from '../../../src/flow/index.js';
import { once, wordProblem } from '../forms/wording.js';
import { connectionKind, nodeDefinition } from '../model/catalog.js';
import { useFlow } from '../state/flow-context.js';
import css from './Panel.module.css';

/** The config schema and the name the editor shows for a problem's node or connection. */
function useSubjects() {
  const nodes = useFlow((s) => s.nodes);
  const connections = useFlow((s) => s.connections);
  return useCallback(
    (p: Problem): { schema?: object; name?: string } => {
      if (p.nodeId) {
        const n = nodes.find((x) => x.id === p.nodeId);
        const def = n ? nodeDefinition(n.data.type) : undefined;
        return { schema: def?.config, name: n?.data.name ?? (def ? `${def.title} ${p.nodeId}` : p.nodeId) };
      }
      if (p.connectionId) {
        const c = connections.find((x) => x.id === p.connectionId);
        const kind = c ? connectionKind(c.kind) : undefined;
        return { schema: kind?.config, name: c?.name ?? p.connectionId };
      }
      return {};
    },
    [nodes, connections],
  );
}

export function ProblemList({
  problems,
  onPick,
  showWhere,
}: {
  problems: readonly Problem[];
  onPick?: (p: Problem) => void;
  showWhere?: boolean;
}) {
  const subject = useSubjects();
  if (problems.length === 0) return null;
  return (
    <ul className={css.problems} data-testid="problems">
      {once(problems).map((p, i) => {
        const cls = `${css.problem} ${p.severity === 'error' ? '' : p.severity === 'info' ? css.problemInfo : css.problemWarn}`;
        const { schema, name } = subject(p);
        const w = wordProblem(p, schema);
        const where = [name, w.position].filter(Boolean).join(' › ');
        const body = (
          <>
            <span data-testid="problem-message">{w.position ? `${w.position}: ${w.message}` : w.message}</span>
            {w.hint && <span className={css.problemHint}>Fix: {w.hint}</span>}
            {showWhere && where && (
              <span className={css.problemWhere} title={p.path}>
                {p.nodeId ? 'node ' : p.connectionId ? 'connection ' : ''}
                {where}
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
