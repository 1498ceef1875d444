/**
 * The palette's "Subflows" category: the flow's subflows as node types (`subflow:<id>`), dragged in or added like
 * any node. Inside a subflow, neither it nor a subflow using it is offered (a subflow may not contain itself).
 */
import { useShallow } from 'zustand/react/shallow';
import type { FlowSubflow } from '../../../src/flow/index.js';
import { PALETTE_MIME } from '../canvas/palette-drag.js';
import { SUBFLOW_COLOR, subflowTitle, subflowUses } from '../model/subflows.js';
import { useFlow } from '../state/flow-context.js';
import css from './Palette.module.css';

export function subflowMatchesQuery(def: FlowSubflow, q: string): boolean {
  if (!q) return true;
  const hay = `${def.name ?? ''} ${def.id} ${def.description ?? ''} subflow`.toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w));
}

function summary(def: FlowSubflow): string {
  const n = def.nodes?.length ?? 0;
  return (
    def.description || `${n} node${n === 1 ? '' : 's'} · ${def.inputs?.length ?? 1} in, ${def.outputs?.length ?? 1} out`
  );
}

export function SubflowItems({ query, onAdd }: { query: string; onAdd(type: string): void }) {
  const items = useFlow(
    useShallow((s) =>
      (s.meta.subflows ?? []).filter((d) => {
        const open = s.meta.subflow?.id;
        // Inside a subflow, neither itself nor a subflow that uses it: the subflow would contain itself.
        return (open === undefined || !subflowUses(s.meta.subflows, d.id, open)) && subflowMatchesQuery(d, query);
      }),
    ),
  );
  if (items.length === 0) return null;
  return (
    <section>
      <h3 className={css.heading}>Subflows</h3>
      {items.map((d) => {
        const type = `subflow:${d.id}`;
        return (
          <button
            type="button"
            key={d.id}
            className={css.item}
            draggable
            data-testid={`palette-${type}`}
            title={`${summary(d)}\nDrag onto the canvas, or press Enter to add.`}
            onDragStart={(e) => {
              e.dataTransfer.setData(PALETTE_MIME, type);
              e.dataTransfer.effectAllowed = 'copy';
            }}
            onDoubleClick={() => onAdd(type)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onAdd(type);
              }
            }}
          >
            <span className={css.swatch} style={{ background: SUBFLOW_COLOR }} />
            <span className={css.text}>
              <div className={css.title}>{subflowTitle(d)}</div>
              <div className={css.summary}>{summary(d)}</div>
            </span>
          </button>
        );
      })}
    </section>
  );
}
